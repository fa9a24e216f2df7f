/* lethe show: a certificate for people, as text or as a printable HTML
 * page. It renders; it does not judge (that is lethe verify). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <stdlib.h>

#include "cert_read.h"
#include "cli.h"
#include "commands.h"
#include "log.h"
#include "show_render.h"

static const char usage[] =
  "Usage: lethe show [--format text|html] CERT\n"
  "\n"
  "Render the certificate CERT (a certificates/YYYY/MM/ID.json file of the\n"
  "ledger) for people: the run, its rules and every item with its result.\n"
  "HTML is one printable page with its style inline. Showing does not\n"
  "check the signature: lethe verify does.\n"
  "\n"
  "  -f, --format FORMAT  text (default) or html\n"
  "  -h, --help           show this help\n"
  "\n"
  "Exit status: 0 shown, 1 CERT cannot be read or is not a certificate,\n"
  "2 usage error.\n";

/* ---- the command --------------------------------------------------------- */

static int parse_args(int argc, char **argv, bool *html, bool *help)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  for(;;) {
    int c = getopt_long(argc, argv, ":f:h", opts, NULL);
    if(c == -1)
      break;
    if(c == 'h') {
      *help = true;
      return EXIT_DONE;
    }
    if(c != 'f')
      return cli_option_error("show", c, argv);
    if(strcmp(optarg, "text") && strcmp(optarg, "html"))
      return cli_usage_error("show", "--format must be text or html, not '%s'", optarg);
    *html = !strcmp(optarg, "html");
  }
  if(optind != argc - 1)
    return cli_usage_error("show", optind < argc ? "one certificate at a time"
                                                 : "which certificate? (a CERT file)");
  return EXIT_DONE;
}

#define CHUNK (64 * 1024)

/* Read the file at path through r, as it streams. LETHE_E_IO (said) when
 * it cannot be read, LETHE_E_PARSE (said) when it is not JSON, other codes
 * (said by the caller) from the reader's fn. */
static lethe_rc read_through(const char *path, struct cert_reader *r)
{
  char *buf = malloc(CHUNK);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n = 0;
  lethe_rc rc = LETHE_OK;
  if(fd < 0 || !buf) {
    log_msg(LOG_ERR, "%s: cannot read it: %s", path, buf ? strerror(errno) : "out of memory");
    rc = LETHE_E_IO;
  }
  while(!rc && (n = read(fd, buf, CHUNK)) > 0)
    rc = cert_reader_feed(r, buf, (size_t)n);
  if(!rc && n < 0) {
    log_msg(LOG_ERR, "%s: cannot read it: %s", path, strerror(errno));
    rc = LETHE_E_IO;
  }
  if(!rc)
    rc = cert_reader_finish(r);
  if(rc == LETHE_E_PARSE && r->why[0]) /* JSON, but not a certificate's shape */
    log_msg(LOG_ERR, "%s: not a certificate: %s", path, r->why);
  else if(rc == LETHE_E_PARSE)
    log_msg(LOG_ERR, "%s: not a certificate: bad JSON at %s", path, cert_reader_why(r));
  if(fd >= 0)
    close(fd);
  free(buf);
  return rc;
}

static bool schema_is(const struct cert_reader *r, const char *schema)
{
  const char *s = cert_reader_str(r, "schema");
  return s && !strcmp(s, schema);
}

/* The items of a part file beside the certificate: its tables first, then
 * its rows. */
static lethe_rc show_part(struct show_out *o, const char *head, const char *id,
                          struct json_object *entry)
{
  struct json_object *file = NULL;
  const char *name = json_object_object_get_ex(entry, "file", &file) ?
                     json_object_get_string(file) : NULL;
  const char *slash = strrchr(head, '/');
  struct cert_reader r;
  char path[4200];
  lethe_rc rc;
  if(!name || strchr(name, '/')) {
    log_msg(LOG_ERR, "%s: a part has no file name", head);
    return LETHE_E_PARSE;
  }
  snprintf(path, sizeof(path), "%.*s%s", slash ? (int)(slash - head + 1) : 0, head, name);
  cert_reader_init(&r, false, NULL, NULL);
  rc = read_through(path, &r);
  if(!rc && (!schema_is(&r, CERTIFICATE_PART_SCHEMA) || !cert_reader_str(&r, "certificate") ||
             strcmp(cert_reader_str(&r, "certificate"), id))) {
    log_msg(LOG_ERR, "%s: not a part of certificate %s", path, id);
    rc = LETHE_E_PARSE;
  }
  if(!rc) {
    cert_reader_again(&r, show_item, o);
    rc = read_through(path, &r);
  }
  cert_reader_release(&r);
  return rc;
}

static lethe_rc show_parts(struct show_out *o, const char *file, const struct cert_reader *head)
{
  struct json_object *parts = cert_reader_get(head, "parts");
  const char *id = cert_reader_str(head, "id");
  lethe_rc rc = LETHE_OK;
  if(!parts || !json_object_is_type(parts, json_type_array) || !id)
    return LETHE_OK;
  for(size_t i = 0; i < json_object_array_length(parts) && !rc; i++)
    rc = show_part(o, file, id, json_object_array_get_idx(parts, i));
  return rc;
}

/* Render file: read once for the run and the tables, then again for the
 * items as they stream, then the parts'. */
static int show(const char *file, bool html)
{
  struct cert_reader r;
  struct show_out o;
  lethe_rc rc;
  cert_reader_init(&r, false, NULL, NULL);
  show_out_init(&o, html);
  rc = read_through(file, &r);
  if(!rc && !schema_is(&r, CERTIFICATE_SCHEMA) && !schema_is(&r, CERTIFICATE_SCHEMA_V1)) {
    log_msg(LOG_ERR, "%s: not a %s (or %s) certificate", file, CERTIFICATE_SCHEMA,
            CERTIFICATE_SCHEMA_V1);
    rc = LETHE_E_PARSE;
  }
  if(!rc) {
    show_begin(&o, &r, file);
    cert_reader_again(&r, show_item, &o);
    rc = read_through(file, &r);
  }
  if(!rc)
    rc = show_parts(&o, file, &r);
  if(!rc)
    show_end(&o);
  cert_reader_release(&r);
  show_out_release(&o);
  if(fflush(stdout) || ferror(stdout)) {
    log_msg(LOG_ERR, "cannot write the output");
    return EXIT_SOME_FAILED;
  }
  return rc ? EXIT_SOME_FAILED : EXIT_DONE;
}

int cmd_show(int argc, char **argv, struct cmd_env *env)
{
  (void)env; /* a certificate is read on its own: nothing to set up */
  bool html = false, help = false;
  int status = parse_args(argc, argv, &html, &help);
  if(status || help) {
    if(help)
      fputs(usage, stdout);
    return status;
  }
  return show(argv[optind], html);
}

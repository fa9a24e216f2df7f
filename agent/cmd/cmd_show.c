/* lethe show: a certificate for people, as text or as a printable HTML
 * page. It renders; it does not judge (that is lethe verify). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "certificate.h"
#include "cli.h"
#include "commands.h"
#include "log.h"
#include "text.h"
#include "uri.h"

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

static const char *get(struct json_object *o, const char *key)
{
  struct json_object *v;
  if(!o || !json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
    return NULL;
  return json_object_get_string(v);
}

static unsigned long long num(struct json_object *o, const char *key)
{
  struct json_object *v;
  return o && json_object_object_get_ex(o, key, &v) ? (unsigned long long)
         json_object_get_uint64(v) : 0;
}

static struct json_object *sub(struct json_object *o, const char *key)
{
  struct json_object *v;
  return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* s made printable (valid UTF-8, no control characters); a URI decoded
 * first so that people read the path. */
static const char *clean(struct dynbuf *b, const char *s, bool is_uri)
{
  struct dynbuf raw;
  db_reset(b);
  if(!s)
    return "";
  db_init(&raw, 16 * 1024 * 1024);
  if(is_uri && !uri_decode(s, &raw))
    s = db_str(&raw);
  if(text_add_printable(b, s, strlen(s)))
    db_reset(b);
  db_release(&raw);
  return db_str(b);
}

/* ---- text ---------------------------------------------------------------- */

static void text_field(struct dynbuf *b, const char *label, const char *value)
{
  if(value)
    printf("  %-12s %s\n", label, clean(b, value, false));
}

static void text_header(struct json_object *doc, struct dynbuf *b, const char *file)
{
  char sig[4200];
  printf("Certificate of deletion %s\n", clean(b, get(doc, "id"), false));
  text_field(b, "schema", get(doc, "schema"));
  text_field(b, "issued", get(doc, "issued_at"));
  text_field(b, "host", get(doc, "host"));
  text_field(b, "operator", get(doc, "operator"));
  printf("  %-12s lethe %s\n", "agent", clean(b, get(doc, "agent_version"), false));
  text_field(b, "started", get(doc, "started"));
  text_field(b, "finished", get(doc, "finished"));
  text_field(b, "status", get(doc, "status"));
  if(json_object_get_boolean(sub(doc, "recovered")))
    text_field(b, "recovered", "yes: the run was interrupted and completed by recovery");
  text_field(b, "plan", get(doc, "plan_hash") ? get(doc, "plan_hash") : "none");
  text_field(b, "previous", get(doc, "previous") ? get(doc, "previous")
                                                 : "none (the first in its ledger)");
  snprintf(sig, sizeof(sig), "%s.sig", file);
  text_field(b, "signature", access(sig, F_OK) ? "no .sig file beside it"
                                               : "in the .sig file beside it (lethe verify "
                                                 "checks it)");
}

static void text_totals(struct json_object *doc)
{
  struct json_object *t = sub(doc, "totals");
  char size[16];
  text_size(num(t, "bytes_deleted"), size);
  printf("\nTotals: %llu item%s: %llu deleted (%s), %llu failed, %llu skipped, %llu held\n",
         num(t, "items"), num(t, "items") == 1 ? "" : "s", num(t, "deleted"), size,
         num(t, "failed"), num(t, "skipped"), num(t, "held"));
}

static void text_rules(struct json_object *doc, struct dynbuf *b)
{
  struct json_object *rules = sub(doc, "rules");
  for(size_t i = 0; rules && i < json_object_array_length(rules); i++) {
    struct json_object *r = json_object_array_get_idx(rules, i);
    printf("\nRule %s\n", clean(b, get(r, "name"), false));
    text_field(b, "description", get(r, "description"));
    text_field(b, "basis", get(r, "basis"));
    text_field(b, "source", get(r, "source"));
    text_field(b, "retain", get(r, "retain"));
    text_field(b, "clock", get(r, "clock"));
    text_field(b, "action", get(r, "action"));
    text_field(b, "method", get(r, "method"));
  }
}

/* Print s made printable. */
static void tput(struct dynbuf *b, const char *s, bool is_uri)
{
  fputs(clean(b, s, is_uri), stdout);
}

static void text_item(struct json_object *it, struct dynbuf *b)
{
  struct json_object *clock = sub(it, "clock");
  const char *why = get(it, "error") ? get(it, "error") : get(it, "reason");
  char size[16];
  text_size(num(it, "size"), size);
  printf("  %-8s ", clean(b, get(it, "result"), false));
  tput(b, get(it, "uri"), true);
  fputs("\n           rule ", stdout);
  tput(b, get(it, "rule"), false);
  printf(", %s, %s", clean(b, get(it, "kind") ? get(it, "kind") : "item", false), size);
  if(clock) {
    printf(", clock %s ", clean(b, get(clock, "name"), false));
    tput(b, get(clock, "value") ? get(clock, "value") : "unknown", false);
  }
  if(get(it, "deleted_at")) {
    printf("\n           deleted %s by ", clean(b, get(it, "deleted_at"), false));
    tput(b, get(it, "plugin") ? get(it, "plugin") : "?", false);
    printf(": %s", clean(b, get(it, "method"), false));
  }
  printf("\n           level %s", clean(b, get(it, "level"), false));
  if(get(it, "level_reason"))
    printf(": %s", clean(b, get(it, "level_reason"), false));
  putchar('\n');
  if(why)
    printf("           %s: %s\n", get(it, "error") ? "error" : "reason", clean(b, why, false));
  if(json_object_get_boolean(sub(it, "recovered")))
    puts("           outcome established by recovery");
}

static void show_text(struct json_object *doc, const char *file)
{
  struct json_object *items = sub(doc, "items");
  struct dynbuf b;
  db_init(&b, 64 * 1024 * 1024);
  text_header(doc, &b, file);
  text_totals(doc);
  text_rules(doc, &b);
  printf("\nItems\n");
  if(!items || !json_object_array_length(items))
    puts("  none: this run deleted nothing, and the certificate records that it ran");
  for(size_t i = 0; items && i < json_object_array_length(items); i++)
    text_item(json_object_array_get_idx(items, i), &b);
  db_release(&b);
}

/* ---- HTML ---------------------------------------------------------------- */

static const char style[] =
  "body{font-family:sans-serif;margin:2em;color:#111}"
  "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.5em}"
  "table{border-collapse:collapse;width:100%}"
  "th,td{border:1px solid #888;padding:.25em .5em;text-align:left;vertical-align:top;"
  "font-size:.85em}"
  "th{background:#eee}table.meta th{width:12em}"
  ".mono{font-family:monospace;word-break:break-all}"
  ".deleted{color:#060}.failed{color:#a00;font-weight:bold}.skipped,.held{color:#850}"
  "p.foot{font-size:.8em;margin-top:2em;color:#444}"
  "@media print{body{margin:1cm}tr{page-break-inside:avoid}th{background:#ddd}}";

/* Printable, then HTML-escaped. */
static void html_put(struct dynbuf *b, const char *s, bool is_uri)
{
  text_put_html(stdout, clean(b, s, is_uri));
}

static void html_row(struct dynbuf *b, const char *label, const char *value, bool mono)
{
  if(!value)
    return;
  printf("<tr><th>%s</th><td%s>", label, mono ? " class=\"mono\"" : "");
  html_put(b, value, false);
  fputs("</td></tr>\n", stdout);
}

static void html_header(struct json_object *doc, struct dynbuf *b)
{
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
        "Certificate of deletion ", stdout);
  html_put(b, get(doc, "id"), false);
  printf("</title>\n<style>%s</style>\n</head>\n<body>\n<h1>Certificate of deletion</h1>\n"
         "<table class=\"meta\">\n", style);
  html_row(b, "Certificate", get(doc, "id"), true);
  html_row(b, "Schema", get(doc, "schema"), false);
  html_row(b, "Issued", get(doc, "issued_at"), false);
  html_row(b, "Host", get(doc, "host"), false);
  html_row(b, "Operator", get(doc, "operator"), false);
  html_row(b, "Agent", get(doc, "agent_version"), false);
  html_row(b, "Run started", get(doc, "started"), false);
  html_row(b, "Run finished", get(doc, "finished"), false);
  html_row(b, "Status", get(doc, "status"), false);
  if(json_object_get_boolean(sub(doc, "recovered")))
    html_row(b, "Recovered", "yes: the run was interrupted and completed by recovery", false);
  html_row(b, "Plan", get(doc, "plan_hash") ? get(doc, "plan_hash") : "none", true);
  html_row(b, "Previous certificate", get(doc, "previous") ? get(doc, "previous")
                                                           : "none (the first in its ledger)",
           true);
  fputs("</table>\n", stdout);
}

static void html_totals(struct json_object *doc)
{
  struct json_object *t = sub(doc, "totals");
  char size[16];
  text_size(num(t, "bytes_deleted"), size);
  printf("<h2>Totals</h2>\n<p>%llu item%s: %llu deleted (%s), %llu failed, %llu skipped, "
         "%llu held.</p>\n", num(t, "items"), num(t, "items") == 1 ? "" : "s",
         num(t, "deleted"), size, num(t, "failed"), num(t, "skipped"), num(t, "held"));
}

static void html_rules(struct json_object *doc, struct dynbuf *b)
{
  struct json_object *rules = sub(doc, "rules");
  fputs("<h2>Rules</h2>\n<table>\n<tr><th>Rule</th><th>Description and basis</th>"
        "<th>Source</th><th>Retain</th><th>Action and method</th></tr>\n", stdout);
  for(size_t i = 0; rules && i < json_object_array_length(rules); i++) {
    struct json_object *r = json_object_array_get_idx(rules, i);
    fputs("<tr><td>", stdout);
    html_put(b, get(r, "name"), false);
    fputs("</td><td>", stdout);
    html_put(b, get(r, "description"), false);
    fputs("<br>Basis: ", stdout);
    html_put(b, get(r, "basis") ? get(r, "basis") : "not given", false);
    fputs("</td><td class=\"mono\">", stdout);
    html_put(b, get(r, "source"), false);
    fputs("</td><td>", stdout);
    html_put(b, get(r, "retain"), false);
    fputs(" (clock ", stdout);
    html_put(b, get(r, "clock"), false);
    fputs(")</td><td>", stdout);
    html_put(b, get(r, "action"), false);
    fputs(": ", stdout);
    html_put(b, get(r, "method"), false);
    fputs("</td></tr>\n", stdout);
  }
  fputs("</table>\n", stdout);
}

static void html_item(struct json_object *it, struct dynbuf *b)
{
  const char *result = get(it, "result"), *why = get(it, "error");
  char size[16];
  text_size(num(it, "size"), size);
  if(!why)
    why = get(it, "reason");
  fputs("<tr><td class=\"", stdout);
  html_put(b, result, false);
  fputs("\">", stdout);
  html_put(b, result, false);
  fputs("</td><td class=\"mono\">", stdout);
  html_put(b, get(it, "uri"), true);
  printf("</td><td>%s</td><td>", size);
  html_put(b, get(it, "rule"), false);
  fputs("</td><td>", stdout);
  html_put(b, get(it, "deleted_at") ? get(it, "deleted_at") : "", false);
  fputs("</td><td>", stdout);
  html_put(b, get(it, "method"), false);
  fputs("</td><td>", stdout);
  html_put(b, get(it, "level"), false);
  if(get(it, "level_reason")) {
    fputs(": ", stdout);
    html_put(b, get(it, "level_reason"), false);
  }
  fputs("</td><td>", stdout);
  html_put(b, why ? why : "", false);
  fputs("</td></tr>\n", stdout);
}

static void show_html(struct json_object *doc)
{
  struct json_object *items = sub(doc, "items");
  struct dynbuf b;
  db_init(&b, 64 * 1024 * 1024);
  html_header(doc, &b);
  html_totals(doc);
  html_rules(doc, &b);
  fputs("<h2>Items</h2>\n<table>\n<tr><th>Result</th><th>Item</th><th>Size</th><th>Rule</th>"
        "<th>Deleted at</th><th>Method</th><th>Sanitization level</th><th>Error or reason"
        "</th></tr>\n", stdout);
  if(!items || !json_object_array_length(items))
    fputs("<tr><td colspan=\"8\">None: this run deleted nothing; the certificate records "
          "that it ran.</td></tr>\n", stdout);
  for(size_t i = 0; items && i < json_object_array_length(items); i++)
    html_item(json_object_array_get_idx(items, i), &b);
  fputs("</table>\n<p class=\"foot\">This page renders the certificate; its proof is the "
        "SSH signature beside it in the ledger. Check it with <code>lethe verify</code>, or "
        "<code>ssh-keygen -Y verify -f allowed_signers -I PRINCIPAL -n certificate@lethe "
        "-s ID.json.sig &lt; ID.json</code>.</p>\n</body>\n</html>\n", stdout);
  db_release(&b);
}

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

/* The certificate's JSON, or NULL with a message naming the file and what is
 * wrong with it: the system's reason it cannot be read, or where its JSON
 * breaks. */
static struct json_object *parse_file(const char *file)
{
  struct json_tokener *tok = json_tokener_new();
  struct json_object *doc = NULL;
  enum json_tokener_error jerr = json_tokener_continue;
  char buf[65536];
  size_t offset = 0;
  ssize_t n = 0;
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if(fd < 0 || !tok) {
    log_msg(LOG_ERR, "%s: cannot read it: %s", file, tok ? strerror(errno) : "out of memory");
    if(fd >= 0)
      close(fd);
    json_tokener_free(tok);
    return NULL;
  }
  while(!doc && jerr == json_tokener_continue && (n = read(fd, buf, sizeof(buf))) > 0) {
    doc = json_tokener_parse_ex(tok, buf, (int)n);
    jerr = json_tokener_get_error(tok);
    offset += jerr == json_tokener_continue || doc ? (size_t)n : json_tokener_get_parse_end(tok);
  }
  if(n < 0)
    log_msg(LOG_ERR, "%s: cannot read it: %s", file, strerror(errno));
  else if(!doc && jerr == json_tokener_continue)
    log_msg(LOG_ERR, "%s: not a certificate: its JSON ends early (%zu bytes)", file, offset);
  else if(!doc)
    log_msg(LOG_ERR, "%s: not a certificate: bad JSON at byte %zu (%s)", file, offset,
            json_tokener_error_desc(jerr));
  if(n < 0 && doc) {
    json_object_put(doc);
    doc = NULL;
  }
  close(fd);
  json_tokener_free(tok);
  return doc;
}

static struct json_object *load(const char *file)
{
  struct json_object *doc = parse_file(file), *schema;
  if(!doc)
    return NULL;
  if(!json_object_is_type(doc, json_type_object) ||
     !json_object_object_get_ex(doc, "schema", &schema) ||
     strcmp(json_object_get_string(schema), CERTIFICATE_SCHEMA)) {
    log_msg(LOG_ERR, "%s: not a %s certificate", file, CERTIFICATE_SCHEMA);
    json_object_put(doc);
    return NULL;
  }
  return doc;
}

int cmd_show(int argc, char **argv, struct cmd_env *env)
{
  (void)env; /* a certificate is read on its own: nothing to set up */
  struct json_object *doc;
  bool html = false, help = false;
  int status = parse_args(argc, argv, &html, &help);
  if(status || help) {
    if(help)
      fputs(usage, stdout);
    return status;
  }
  doc = load(argv[optind]);
  if(!doc)
    return EXIT_SOME_FAILED;
  if(html)
    show_html(doc);
  else
    show_text(doc, argv[optind]);
  json_object_put(doc);
  if(fflush(stdout) || ferror(stdout)) {
    log_msg(LOG_ERR, "cannot write the output");
    return EXIT_SOME_FAILED;
  }
  return EXIT_DONE;
}

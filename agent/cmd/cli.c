#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "isotime.h"
#include "log.h"
#include "plugin_check.h"
#include "sources.h"

int cli_load(const char *config_path, struct config *cfg, struct ruleset *rs)
{
  const char *path = config_choose_path(config_path);
  struct diag d;
  lethe_rc rc;

  diag_init(&d);
  rc = config_load(path, cfg, &d);
  if(!rc)
    rc = rules_load(cfg, rs, &d);
  if(!rc || rc == LETHE_E_CONFIG) {
    /* Every problem in one pass: the stores check what they own even when
     * the rule files had errors of their own. */
    lethe_rc bound = sources_bind(rs, &d);
    lethe_rc checked = bound == LETHE_E_NOMEM ? bound : plugins_check_rules(cfg, rs, &d);
    rc = rc ? rc : bound ? bound : checked;
  }
  log_lines(rc ? LOG_ERR : LOG_WARNING, db_str(&d.text));
  if(rc == LETHE_E_NOMEM)
    log_msg(LOG_ERR, "out of memory while reading the configuration");
  else if(rc && d.errors)
    log_msg(LOG_ERR, "%u error%s in the configuration; nothing was done", d.errors,
            d.errors == 1 ? "" : "s");
  diag_release(&d);
  return rc ? EXIT_USAGE : EXIT_DONE;
}

int cli_parse_now(const char *text, int64_t *now)
{
  struct lethe_err err;
  if(isotime_parse(text, now, &err)) {
    log_msg(LOG_ERR, "--now: %s", err.msg);
    return EXIT_USAGE;
  }
  return EXIT_DONE;
}

int64_t cli_now(void)
{
  return (int64_t)time(NULL);
}

int cli_parse_config_only(int argc, char **argv, const char *cmd, const char *usage,
                          const char **config, bool *help)
{
  static const struct option opts[] = {
    { "config", required_argument, NULL, 'c' },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  for(;;) {
    int c = getopt_long(argc, argv, "c:h", opts, NULL);
    if(c == -1)
      break;
    switch(c) {
    case 'c':
      *config = optarg;
      break;
    case 'h':
      fputs(usage, stdout);
      *help = true;
      return EXIT_DONE;
    default:
      return cli_usage_error(cmd, "unknown option");
    }
  }
  if(optind < argc)
    return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
  return EXIT_DONE;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "lethe %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry 'lethe %s --help'.\n", cmd);
  return EXIT_USAGE;
}

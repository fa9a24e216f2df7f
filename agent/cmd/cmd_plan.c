/* lethe plan: the dry run. Scans, decides, reports; changes nothing
 * anywhere but the report file named with -o. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "log.h"
#include "planner.h"
#include "report.h"

static const char usage[] =
  "Usage: lethe plan [-c CONFIG] [--rule NAME]... [--now TIME]\n"
  "                  [--format text|json|csv|html] [-o FILE]\n"
  "\n"
  "Report what the rules would delete now, and what is held, in grace or\n"
  "skipped, with the reason for each item. Nothing is changed anywhere.\n"
  "\n"
  "  -c, --config FILE   configuration (default $LETHE_CONFIG or " CONFIG_DEFAULT_PATH ")\n"
  "  -r, --rule NAME     only this rule (repeat for several)\n"
  "      --now TIME      decide as of this ISO 8601 instant instead of now\n"
  "  -f, --format FMT    text (default), json, csv or html (a printable page)\n"
  "  -o, --output FILE   write the report to FILE (mode 0600) instead of stdout\n"
CLI_PROGRESS_HELP
  "  -h, --help          show this help\n"
  "\n"
  "Exit status: 0 done, 1 a source could not be scanned, 2 usage or configuration error.\n";

struct plan_opts {
  const char *config;
  const char *output;
  struct strlist rules;
  enum report_format format;
  int64_t now;
};

enum { OPT_NOW = 256 };

static int parse_args(int argc, char **argv, struct plan_opts *o, bool *help)
{
  static const struct option opts[] = {
    { "config", required_argument, NULL, 'c' },
    { "rule", required_argument, NULL, 'r' },
    { "now", required_argument, NULL, OPT_NOW },
    { "format", required_argument, NULL, 'f' },
    { "output", required_argument, NULL, 'o' },
    CLI_PROGRESS_OPTIONS,
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  for(;;) {
    int c = getopt_long(argc, argv, ":c:r:f:o:h", opts, NULL);
    if(c == -1)
      break;
    switch(c) {
    case 'c':
      o->config = optarg;
      break;
    case 'r':
      if(strlist_add(&o->rules, optarg))
        return EXIT_USAGE;
      break;
    case OPT_NOW:
      if(cli_parse_now(optarg, &o->now))
        return EXIT_USAGE;
      break;
    case 'f':
      if(report_parse_format(optarg, &o->format))
        return cli_usage_error("plan", "unknown format '%s' (text, json, csv or html)", optarg);
      break;
    case 'o':
      o->output = optarg;
      break;
    case CLI_OPT_PROGRESS:
    case CLI_OPT_NO_PROGRESS:
      cli_progress_option(c);
      break;
    case 'h':
      *help = true;
      return EXIT_DONE;
    default:
      return cli_option_error("plan", c, argv);
    }
  }
  if(optind < argc)
    return cli_usage_error("plan", "unexpected argument '%s'", argv[optind]);
  return EXIT_DONE;
}

/* A report of a large share is tens of megabytes: out in large blocks,
 * unless a person is reading it as it comes. (glibc ignores the size asked
 * of setvbuf without a buffer; one report per process, so one buffer.) */
static FILE *large_blocks(FILE *f)
{
  static char buffer[1024 * 1024];
  if(!isatty(fileno(f)))
    setvbuf(f, buffer, _IOFBF, sizeof(buffer));
  return f;
}

/* The report names personal data, so it is created private (0600). */
static FILE *open_output(const char *path)
{
  int fd;
  FILE *f;
  if(!path)
    return large_blocks(stdout);
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if(fd < 0 || fchmod(fd, 0600)) {
    log_msg(LOG_ERR, "%s: cannot write the report: %s", path, strerror(errno));
    if(fd >= 0)
      close(fd);
    return NULL;
  }
  f = fdopen(fd, "w");
  if(!f) {
    close(fd);
    return NULL;
  }
  return large_blocks(f);
}

static int report_rule_errors(const struct plan *p)
{
  int status = EXIT_DONE;
  for(size_t i = 0; i < p->n_rules; i++) {
    if(p->rules[i].error) {
      log_msg(LOG_ERR, "rule %s: %s", p->rules[i].rule->name, p->rules[i].error);
      status = EXIT_SOME_FAILED;
    }
  }
  return status;
}

static int plan_and_report(const struct ruleset *rs, struct plan_opts *o)
{
  struct plan p;
  struct lethe_err err = { 0 };
  lethe_rc rc = plan_init(&p, o->now, &err);
  int status;
  FILE *out;

  if(rc) {
    /* Not a source that failed: there is no plan to report at all. */
    log_msg(LOG_ERR, "%s", err.msg);
    plan_release(&p);
    return EXIT_SOME_FAILED;
  }
  report_prepare(&p, o->format);
  rc = planner_run(rs, &o->rules, &p, &err);
  if(rc && rc != LETHE_E_IO) {
    log_msg(LOG_ERR, "%s", err.msg);
    plan_release(&p);
    return cli_status(rc);
  }
  status = report_rule_errors(&p);
  out = open_output(o->output);
  if(!out) {
    plan_release(&p);
    return EXIT_SOME_FAILED;
  }
  rc = report_write(&p, o->format, out);
  if(out != stdout && fclose(out))
    rc = LETHE_E_IO;
  else if(out == stdout && fflush(stdout))
    rc = LETHE_E_IO;
  if(rc) {
    log_msg(LOG_ERR, "cannot write the report: %s", lethe_strerror(rc));
    status = EXIT_SOME_FAILED;
  }
  plan_release(&p);
  return status;
}

int cmd_plan(int argc, char **argv, struct cmd_env *env)
{
  struct plan_opts o = { .now = cli_now() };
  bool help = false;
  int status = parse_args(argc, argv, &o, &help);

  if(status == EXIT_DONE && help)
    fputs(usage, stdout);
  else if(status == EXIT_DONE)
    status = cli_prepare(env, o.config, false);
  if(status == EXIT_DONE && !help)
    status = plan_and_report(&env->rs, &o);
  strlist_release(&o.rules);
  return status;
}

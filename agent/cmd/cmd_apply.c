/* lethe apply: delete what a plan says, from a saved plan (--plan FILE) or a
 * fresh one (all rules, or --rule NAME...). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "log.h"
#include "plan_load.h"
#include "planner.h"
#include "runner.h"
#include "text.h"

static const char usage[] =
  "Usage: lethe apply [-c CONFIG] [--plan FILE | --rule NAME...] [--yes] [--wait]\n"
  "\n"
  "Delete the items a plan decided to delete, each only if it is still the\n"
  "very file that was planned and not held, journalling every deletion.\n"
  "\n"
  "  -c, --config FILE   configuration (default $LETHE_CONFIG or " CONFIG_DEFAULT_PATH ")\n"
  "  -p, --plan FILE     apply this saved plan (lethe plan --format json -o FILE);\n"
  "                      rules with review = required run only this way\n"
  "  -r, --rule NAME     plan afresh and apply only this rule (repeat for several)\n"
  "  -y, --yes           do not ask for confirmation\n"
  "      --wait          wait for another lethe to release the state directory\n"
CLI_PROGRESS_HELP
  "  -h, --help          show this help\n"
  "\n"
  "Without --yes, apply asks on the terminal before deleting, and refuses\n"
  "when there is no terminal to ask.\n"
  "\n"
  "Exit status: 0 done, 1 some items failed, 2 usage or configuration error,\n"
  "3 refused (max-delete exceeded, state directory locked, every item changed).\n";

struct apply_args {
  const char *config;
  const char *plan;
  struct strlist rules;
  bool yes;
  bool wait;
};

enum { OPT_WAIT = 256 };

static int parse_args(int argc, char **argv, struct apply_args *a, bool *help)
{
  static const struct option opts[] = {
    { "config", required_argument, NULL, 'c' }, { "plan", required_argument, NULL, 'p' },
    { "rule", required_argument, NULL, 'r' },   { "yes", no_argument, NULL, 'y' },
    { "wait", no_argument, NULL, OPT_WAIT },    { "help", no_argument, NULL, 'h' },
    CLI_PROGRESS_OPTIONS,
    { 0 },
  };
  for(;;) {
    int c = getopt_long(argc, argv, ":c:p:r:yh", opts, NULL);
    if(c == -1)
      break;
    switch(c) {
    case 'c':
      a->config = optarg;
      break;
    case 'p':
      a->plan = optarg;
      break;
    case 'r':
      if(strlist_add(&a->rules, optarg))
        return EXIT_USAGE;
      break;
    case 'y':
      a->yes = true;
      break;
    case OPT_WAIT:
      a->wait = true;
      break;
    case CLI_OPT_PROGRESS:
    case CLI_OPT_NO_PROGRESS:
      cli_progress_option(c);
      break;
    case 'h':
      *help = true;
      return EXIT_DONE;
    default:
      return cli_option_error("apply", c, argv);
    }
  }
  if(optind < argc)
    return cli_usage_error("apply", "unexpected argument '%s'", argv[optind]);
  if(a->plan && a->rules.n)
    return cli_usage_error("apply", "--plan and --rule exclude each other");
  return EXIT_DONE;
}

/* A saved plan may not be made for a future instant: apply would then
 * delete what is not yet due. */
#define PLAN_CLOCK_SKEW 300

/* Refuse before asking anyone: a question whose answer cannot be acted on
 * only holds the lock. */
static int check_limits(const struct plan *p, bool reviewed)
{
  struct lethe_err err = { 0 };
  if(apply_check_limits(p, reviewed, &err)) {
    log_msg(LOG_ERR, "refused: %s", err.msg);
    return EXIT_REFUSED;
  }
  return EXIT_DONE;
}

static int make_plan(const struct apply_args *a, const struct ruleset *rs, int64_t now,
                     struct plan *p, bool *scan_failed)
{
  struct lethe_err err = { 0 };
  lethe_rc rc;
  if(a->plan) {
    rc = plan_load(a->plan, rs, p, &err);
    if(!rc && p->now > now + PLAN_CLOCK_SKEW)
      rc = err_set(&err, LETHE_E_UNSAFE, "%s was made for a future instant; make a plan "
                   "for now", a->plan);
  }
  else {
    rc = plan_init(p, now, &err);
    if(rc) {
      log_msg(LOG_ERR, "%s", err.msg);
      return EXIT_SOME_FAILED;
    }
    rc = planner_run(rs, &a->rules, p, &err);
    if(rc == LETHE_E_IO) {
      for(size_t i = 0; i < p->n_rules; i++)
        if(p->rules[i].error)
          log_msg(LOG_ERR, "rule %s: %s", p->rules[i].rule->name, p->rules[i].error);
      *scan_failed = true;
      rc = LETHE_OK; /* the other rules go on */
    }
  }
  if(rc) {
    log_msg(LOG_ERR, "%s", err.msg);
    return cli_status(rc);
  }
  return EXIT_DONE;
}

static int confirm(const struct plan *p, bool yes, bool reviewed)
{
  char bytes[16], answer[16] = "";
  uint64_t n = runner_count_deletions(p, reviewed), size = 0;
  if(yes || !n)
    return EXIT_DONE;
  if(!isatty(STDIN_FILENO)) {
    log_msg(LOG_ERR, "refusing to delete %llu item%s without confirmation: not on a "
            "terminal; pass --yes", (unsigned long long)n, n == 1 ? "" : "s");
    return EXIT_USAGE;
  }
  for(size_t i = 0; i < p->n_rules; i++) {
    if(p->rules[i].rule->review_required && !reviewed)
      continue;
    size += p->rules[i].bytes[DECISION_DELETE];
    fprintf(stderr, "  %-24s %llu item%s\n", p->rules[i].rule->name,
            (unsigned long long)p->rules[i].count[DECISION_DELETE],
            p->rules[i].count[DECISION_DELETE] == 1 ? "" : "s");
  }
  text_size(size, bytes);
  fprintf(stderr, "Delete %llu item%s (%s)? [y/N] ", (unsigned long long)n, n == 1 ? "" : "s",
          bytes);
  if(!fgets(answer, sizeof(answer), stdin) || (answer[0] != 'y' && answer[0] != 'Y')) {
    fputs("Nothing deleted.\n", stderr);
    return EXIT_REFUSED;
  }
  return EXIT_DONE;
}

static int apply_with(const struct config *cfg, const struct ruleset *rs, struct apply_args *a)
{
  struct apply_opts opts = { .reviewed = a->plan != NULL, .now = cli_now() };
  struct plan p = { 0 };
  bool scan_failed = false;
  int status = make_plan(a, rs, opts.now, &p, &scan_failed);
  if(status == EXIT_DONE)
    status = check_limits(&p, opts.reviewed);
  if(status == EXIT_DONE)
    status = confirm(&p, a->yes, opts.reviewed);
  if(status == EXIT_DONE)
    status = runner_apply(cfg, rs, &p, &opts);
  if(status == EXIT_DONE && scan_failed)
    status = EXIT_SOME_FAILED;
  plan_release(&p);
  return status;
}

int cmd_apply(int argc, char **argv, struct cmd_env *env)
{
  struct apply_args a = { 0 };
  bool help = false;
  int status = parse_args(argc, argv, &a, &help);

  if(status == EXIT_DONE && help)
    fputs(usage, stdout);
  else if(status == EXIT_DONE)
    status = cli_prepare(env, a.config, a.wait);
  if(status == EXIT_DONE && !help)
    status = apply_with(&env->cfg, &env->rs, &a);
  strlist_release(&a.rules);
  return status;
}

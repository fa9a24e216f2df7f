/* lethe run: what the systemd timer runs. Recover what a stopped run left,
 * apply the plans people approved (lethe approve), then plan and apply
 * every rule that is due by its cadence. Rules with review = required are
 * deleted from only by an approved plan (or by `lethe apply --plan`). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "approve_prune.h"
#include "cadence.h"
#include "cli.h"
#include "commands.h"
#include "log.h"
#include "planner.h"
#include "prune.h"
#include "run_approved.h"
#include "run_notices.h"
#include "runner.h"

static const char usage[] =
  "Usage: lethe run [-c CONFIG] [--wait]\n"
  "\n"
  "Recover any run that stopped early, apply the plans approved with\n"
  "'lethe approve' that have every approval they need, then plan and apply\n"
  "each rule that is due (rules with 'every' run once per period; the others\n"
  "every time; rules with review = required only from an approved plan), then\n"
  "remove the journals of runs certified more than keep-journals ago.\n"
  "This is what lethe.timer runs; it never asks for confirmation.\n"
  "After the deletions, rules with 'notify' e-mail their items entering grace\n"
  "(each item once per due date).\n"
  "\n"
  "  -c, --config FILE   configuration (default $LETHE_CONFIG or " CONFIG_DEFAULT_PATH ")\n"
  "      --wait          wait for another lethe to release the state directory\n"
  "  -h, --help          show this help\n"
  "\n"
  "Exit status: 0 done, 1 some items failed, a source could not be scanned or a\n"
  "notice could not be sent, 2 configuration error, 3 refused (max-delete\n"
  "exceeded, state directory locked).\n";

enum { OPT_WAIT = 256 };

static int parse_args(int argc, char **argv, const char **config, bool *wait, bool *help)
{
  static const struct option opts[] = {
    { "config", required_argument, NULL, 'c' },
    { "wait", no_argument, NULL, OPT_WAIT },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  for(;;) {
    int c = getopt_long(argc, argv, ":c:h", opts, NULL);
    if(c == -1)
      break;
    if(c == 'c')
      *config = optarg;
    else if(c == OPT_WAIT)
      *wait = true;
    else if(c == 'h')
      *help = true;
    else
      return cli_option_error("run", c, argv);
  }
  if(optind < argc)
    return cli_usage_error("run", "unexpected argument '%s'", argv[optind]);
  return EXIT_DONE;
}

static lethe_rc due_rules(const struct ruleset *rs, const struct cadence *c, int64_t now,
                          struct strlist *due)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < rs->n_rules && !rc; i++)
    if(cadence_due(c, rs->rules[i], now))
      rc = strlist_add(due, rs->rules[i]->name);
  return rc;
}

/* A rule has had its run when it was scanned and applied without failure
 * (whatever it deleted); a rule awaiting review has not. A run that failed is
 * not recorded, so the next timer tries again instead of a period later. */
static void mark_ran(struct cadence *c, const struct plan *p, int64_t now)
{
  for(size_t i = 0; i < p->n_rules; i++) {
    const struct plan_rule *pr = &p->rules[i];
    if(pr->error || (pr->rule->review_required && pr->count[DECISION_DELETE]))
      continue;
    if(cadence_mark(c, pr->rule->name, now))
      log_msg(LOG_ERR, "out of memory recording the cadence");
  }
}

static int plan_due(const struct config *cfg, const struct ruleset *rs, struct cadence *c,
                    struct plan *p, int64_t now)
{
  struct lethe_err err = { 0 };
  struct strlist due = { 0 };
  int status = EXIT_DONE;
  lethe_rc rc = cadence_load(cfg->state_dir, c, &err);
  if(!rc)
    rc = due_rules(rs, c, now, &due);
  if(!rc && !due.n) {
    log_msg(LOG_INFO, "no rule is due");
    strlist_release(&due);
    return EXIT_DONE;
  }
  if(!rc) {
    rc = plan_init(p, now, &err);
    if(rc) {
      log_msg(LOG_ERR, "%s", err.msg);
      strlist_release(&due);
      return EXIT_SOME_FAILED;
    }
  }
  if(!rc)
    rc = planner_run(rs, &due, p, &err);
  if(rc == LETHE_E_IO) {
    for(size_t i = 0; i < p->n_rules; i++)
      if(p->rules[i].error)
        log_msg(LOG_ERR, "rule %s: %s", p->rules[i].rule->name, p->rules[i].error);
    status = EXIT_SOME_FAILED;
    rc = LETHE_OK;
  }
  if(rc) {
    log_msg(LOG_ERR, "%s", err.msg[0] ? err.msg : lethe_strerror(rc));
    status = EXIT_SOME_FAILED;
  }
  strlist_release(&due);
  return status;
}

static int run_due(const struct config *cfg, const struct ruleset *rs)
{
  struct apply_opts opts = { .now = cli_now() };
  struct lethe_err err = { 0 };
  struct cadence c = { 0 };
  struct plan p = { 0 };
  int applied;
  /* Approved plans first: the fresh plan then sees what they left. */
  int approved = run_approved(cfg, rs, opts.now);
  int status = plan_due(cfg, rs, &c, &p, opts.now);
  if(status <= EXIT_SOME_FAILED && p.n_rules) {
    applied = runner_apply(cfg, rs, &p, &opts);
    if(applied == EXIT_DONE) {
      mark_ran(&c, &p, opts.now);
      if(cadence_save(cfg->state_dir, &c, &err))
        log_msg(LOG_ERR, "%s", err.msg);
    }
    if(applied > status)
      status = applied;
  }
  if(p.n_rules) {
    /* after the deletions, which never wait for a mail server */
    int notified = run_notices(cfg, &p);
    if(notified > status)
      status = notified;
  }
  cadence_release(&c);
  plan_release(&p);
  return approved > status ? approved : status;
}

/* The journals of runs certified more than keep-journals ago go, and the
 * approved plans applied as long ago: they name what was deleted, and the
 * ledger's certificates keep the record. A failure here is said, and
 * changes nothing else. */
static int prune_journals(const struct config *cfg)
{
  struct lethe_err err = { 0 };
  char keep[DURATION_TEXT_LEN];
  unsigned removed = 0, plans = 0;
  int status = EXIT_DONE;
  duration_format(&cfg->keep_journals, keep);
  if(prune_certified_journals(cfg->state_dir, &cfg->keep_journals, cli_now(), &removed,
                              &err)) {
    log_msg(LOG_ERR, "pruning journals: %s", err.msg);
    status = EXIT_SOME_FAILED;
  }
  else if(removed) {
    log_msg(LOG_INFO, "removed %u journal%s of runs certified more than %s ago "
            "(keep-journals)", removed, removed == 1 ? "" : "s", keep);
  }
  memset(&err, 0, sizeof(err));
  if(approve_prune_applied(cfg->state_dir, &cfg->keep_journals, cli_now(), &plans, &err)) {
    log_msg(LOG_ERR, "pruning applied plans: %s", err.msg);
    status = EXIT_SOME_FAILED;
  }
  if(plans)
    log_msg(LOG_INFO, "removed %u approved plan%s applied more than %s ago (keep-journals)",
            plans, plans == 1 ? "" : "s", keep);
  return status;
}

int cmd_run(int argc, char **argv, struct cmd_env *env)
{
  const char *config = NULL;
  bool wait = false, help = false;
  int status = parse_args(argc, argv, &config, &wait, &help);

  if(status == EXIT_DONE && help)
    fputs(usage, stdout);
  else if(status == EXIT_DONE)
    status = cli_prepare(env, config, wait);
  if(status == EXIT_DONE && !help) {
    int pruned;
    status = run_due(&env->cfg, &env->rs);
    pruned = prune_journals(&env->cfg);
    if(pruned > status)
      status = pruned;
  }
  return status;
}

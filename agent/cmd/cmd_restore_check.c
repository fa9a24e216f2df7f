/* lethe restore-check: before a backup is restored (a tape loaded back onto
 * a server), list the entries that belong to subjects the ledger certifies
 * as deleted, by the rules with a clock deleted:RULE; with --purge, purge
 * them through the rule's plugin and certify it, as lethe apply would. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "log.h"
#include "plan_entry.h"
#include "planner.h"
#include "restore_rules.h"
#include "runner.h"

static const char usage[] =
  "Usage: lethe restore-check [-c CONFIG] [--rule NAME] [--purge [--wait]] ARCHIVE...\n"
  "\n"
  "List the entries of each ARCHIVE (or of the archives in a directory, such\n"
  "as a mounted tape) that belong to subjects the ledger certifies as deleted,\n"
  "judged by each rule with a clock deleted:RULE (or the one --rule names).\n"
  "With --purge, purge them through the rule's plugin and certify it.\n"
  "\n"
  "  -c, --config FILE   configuration (default $LETHE_CONFIG or " CONFIG_DEFAULT_PATH ")\n"
  "  -r, --rule NAME     judge by this rule only\n"
  "      --purge         purge what is listed (journalled and certified)\n"
  "      --wait          with --purge: wait for another lethe to release the state\n"
  "                      directory\n"
  "  -h, --help          show this help\n"
  "\n"
  "Exit status: 0 nothing of a deleted subject is in the archives (or it was all\n"
  "purged), 1 some could not be read or purged, 2 usage or configuration error,\n"
  "3 the archives hold data of deleted subjects: do not restore them.\n";

enum { OPT_PURGE = 256, OPT_WAIT };

struct rc_args {
  const char *config, *rule;
  bool purge, wait, help;
};

static int parse_args(int argc, char **argv, struct rc_args *a)
{
  static const struct option opts[] = {
    { "config", required_argument, NULL, 'c' },
    { "rule", required_argument, NULL, 'r' },
    { "purge", no_argument, NULL, OPT_PURGE },
    { "wait", no_argument, NULL, OPT_WAIT },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  for(;;) {
    int c = getopt_long(argc, argv, ":c:r:h", opts, NULL);
    if(c == -1)
      break;
    if(c == 'c')
      a->config = optarg;
    else if(c == 'r')
      a->rule = optarg;
    else if(c == OPT_PURGE)
      a->purge = true;
    else if(c == OPT_WAIT)
      a->wait = true;
    else if(c == 'h')
      a->help = true;
    else
      return cli_option_error("restore-check", c, argv);
  }
  if(!a->help && optind >= argc)
    return cli_usage_error("restore-check", "name at least one ARCHIVE");
  return EXIT_DONE;
}

/* One line per entry to purge; every archive that could not be read. */
static lethe_rc list_entry(void *ctx, const struct plan_entry *e)
{
  uint64_t *found = ctx;
  if(e->decision == DECISION_DELETE) {
    printf("%s\n  %s\n", e->uri, e->reason);
    (*found)++;
  }
  else if(e->decision == DECISION_SKIP && e->kind == ITEM_OTHER) {
    log_msg(LOG_ERR, "%s: %s", e->uri, e->reason);
  }
  return LETHE_OK;
}

static int list(struct plan *p, uint64_t *found)
{
  int status = EXIT_DONE;
  for(size_t i = 0; i < p->n_rules; i++) {
    if(p->rules[i].error) {
      log_msg(LOG_ERR, "rule %s: %s", p->rules[i].rule->name, p->rules[i].error);
      status = EXIT_SOME_FAILED;
    }
    if(plan_each(p, i, list_entry, found))
      status = EXIT_SOME_FAILED;
  }
  return status;
}

static int check(struct cmd_env *env, const struct rc_args *a, char *const *paths, size_t n)
{
  struct apply_opts opts = { .reviewed = true, .now = cli_now() };
  struct restore_set set;
  struct lethe_err err = { 0 };
  struct plan p = { 0 };
  uint64_t found = 0;
  int status;
  lethe_rc rc = restore_targets(&env->rs, a->rule, paths, n, &set, &err);
  if(!rc)
    rc = plan_init(&p, opts.now, &err);
  if(!rc && (rc = planner_run(&set.ruleset, NULL, &p, &err)) == LETHE_E_IO)
    rc = LETHE_OK; /* an unreadable source is the rule's error, listed below */
  status = rc ? cli_status(rc) : list(&p, &found);
  if(rc)
    log_msg(LOG_ERR, "%s", err.msg);
  if(!rc && found && a->purge)
    status = runner_apply(&env->cfg, &set.ruleset, &p, &opts);
  else if(!rc && found)
    log_msg(LOG_WARNING, "%llu entries of deleted subjects: do not restore these archives "
            "before purging them (lethe restore-check --purge)", (unsigned long long)found);
  if(!rc && found && !a->purge && status == EXIT_DONE)
    status = EXIT_REFUSED;
  plan_release(&p);
  restore_targets_release(&set);
  return status;
}

int cmd_restore_check(int argc, char **argv, struct cmd_env *env)
{
  struct rc_args a = { 0 };
  int status = parse_args(argc, argv, &a);
  if(status != EXIT_DONE || a.help) {
    if(a.help)
      fputs(usage, stdout);
    return status;
  }
  if(a.purge)
    env->needs = NEEDS_LOCK; /* purging journals and certifies, as apply does */
  status = cli_prepare(env, a.config, a.wait);
  if(status == EXIT_DONE)
    status = check(env, &a, argv + optind, (size_t)(argc - optind));
  return status;
}

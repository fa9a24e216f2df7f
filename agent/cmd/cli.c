#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "approvers.h"
#include "isotime.h"
#include "log.h"
#include "progress.h"
#include "history.h"
#include "lock.h"
#include "plugin_check.h"
#include "runner.h"
#include "sources.h"

int cli_status(lethe_rc rc)
{
  switch(rc) {
  case LETHE_OK:
    return EXIT_DONE;
  case LETHE_E_USAGE:
  case LETHE_E_CONFIG:
  case LETHE_E_PARSE:
    return EXIT_USAGE;
  case LETHE_E_UNSAFE:
  case LETHE_E_LOCKED:
  case LETHE_E_CHANGED:
  case LETHE_E_HELD:
    return EXIT_REFUSED;
  default:
    return EXIT_SOME_FAILED;
  }
}

/* Print what loading found, and the summary line when it failed. */
static void report_diag(struct diag *d, lethe_rc rc)
{
  log_lines(rc ? LOG_ERR : LOG_WARNING, db_str(&d->text));
  if(rc == LETHE_E_NOMEM)
    log_msg(LOG_ERR, "out of memory while reading the configuration");
  else if(rc && d->errors)
    log_msg(LOG_ERR, "%u error%s in the configuration; nothing was done", d->errors,
            d->errors == 1 ? "" : "s");
  else if(rc)
    log_msg(LOG_ERR, "cannot read the configuration: %s", lethe_strerror(rc));
}

/* The rule files, each rule's store, each rule's plugin: every problem in
 * one pass, even when the rule files had errors of their own. */
static lethe_rc load_rules(struct cmd_env *env, struct diag *d)
{
  lethe_rc rc = rules_load(&env->cfg, &env->rs, d), bound, checked, approvers;
  if(rc && rc != LETHE_E_CONFIG)
    return rc;
  bound = sources_bind(&env->rs, d);
  checked = bound == LETHE_E_NOMEM ? bound : plugins_check_rules(&env->cfg, &env->rs, d);
  approvers = approvers_check_rules(&env->rs, d);
  return rc ? rc : bound ? bound : checked ? checked : approvers;
}

/* The ledger's history of deletions behind each clock deleted:RULE. */
static lethe_rc load_histories(struct cmd_env *env, struct diag *d)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < env->rs.n_rules && rc != LETHE_E_NOMEM; i++) {
    struct rule *r = env->rs.rules[i];
    struct lethe_err err = { 0 };
    if(r->clock != CLOCK_DELETED || !r->deleted_by || r->events)
      continue;
    if(!rules_find(&env->rs, r->deleted_by))
      diag_warn(d, r->file, r->line, "[rule %s]: clock deleted:%s names no rule configured "
                "here; the ledger's history of it is used", r->name, r->deleted_by);
    rc = history_deletions(env->cfg.ledger_dir, r->deleted_by, &r->events, &err);
    if(rc && rc != LETHE_E_NOMEM)
      diag_error(d, r->file, r->line, "[rule %s]: clock deleted:%s: %s", r->name,
                 r->deleted_by, err.msg);
  }
  return rc == LETHE_E_NOMEM ? rc : d->errors ? LETHE_E_CONFIG : LETHE_OK;
}

static int load(struct cmd_env *env, const char *config_path)
{
  const char *path = config_choose_path(config_path);
  struct diag d;
  lethe_rc rc;
  if(env->config_optional && !config_path && access(path, F_OK) && errno == ENOENT)
    return EXIT_DONE; /* with nothing configured, the command goes on without */
  diag_init(&d);
  rc = config_load(path, &env->cfg, &d);
  env->has_config = !rc;
  if(!rc && (env->needs & NEEDS_RULES) == NEEDS_RULES)
    rc = load_rules(env, &d);
  if(!rc && (env->needs & NEEDS_RULES) == NEEDS_RULES)
    rc = load_histories(env, &d);
  report_diag(&d, rc);
  diag_release(&d);
  return rc ? EXIT_USAGE : EXIT_DONE;
}

int cli_prepare(struct cmd_env *env, const char *config_path, bool wait)
{
  int status = EXIT_DONE;
  if(env->needs & NEEDS_CONFIG)
    status = load(env, config_path);
  if(status == EXIT_DONE && (env->needs & NEEDS_LOCK) == NEEDS_LOCK)
    status = runner_prepare(&env->cfg, &env->rs, wait, &env->lockfd);
  return status;
}

void cli_release(struct cmd_env *env)
{
  lock_release(env->lockfd);
  env->lockfd = -1;
  ruleset_release(&env->rs);
  config_release(&env->cfg);
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
    int c = getopt_long(argc, argv, ":c:h", opts, NULL);
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
      return cli_option_error(cmd, c, argv);
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

int cli_option_error(const char *cmd, int c, char **argv)
{
  const char *arg = optind > 0 ? argv[optind - 1] : "?";
  if(c == ':')
    return cli_usage_error(cmd, "option '%s' needs a value", arg);
  if(optopt && optopt != '?')
    return cli_usage_error(cmd, "unknown option '-%c'", optopt);
  return cli_usage_error(cmd, "unknown option '%s'", arg);
}

void cli_progress_option(int c)
{
  progress_setup(c == CLI_OPT_PROGRESS ? PROGRESS_ALWAYS : PROGRESS_NEVER);
}

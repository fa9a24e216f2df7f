/* lethe check: validate the configuration and rules, one line per rule. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "dynbuf.h"
#include "commands.h"
#include "isotime.h"
#include "ledger.h"
#include "log.h"
#include "source.h"
#include "sshsig.h"
#include "unit_sandbox.h"

static const char usage[] =
  "Usage: lethe check [-c CONFIG]\n"
  "\n"
  "Validate the configuration and every rule file, report every error as\n"
  "FILE:LINE: message, and print one line per rule and hold.\n"
  "\n"
  "  -c, --config FILE   configuration (default $LETHE_CONFIG or " CONFIG_DEFAULT_PATH ")\n"
  "  -h, --help          show this help\n"
  "\n"
  "Exit status: 0 valid, 2 invalid.\n";

static void print_rule(const struct rule *r)
{
  char settings[1024];
  rule_describe(r, settings, sizeof(settings));
  printf("rule %s  %s  %s\n", r->name, r->source, settings);
}

static void print_hold(const struct hold *h)
{
  char until[ISOTIME_LEN] = "";
  if(h->has_until)
    isotime_format(h->until, until);
  printf("hold %s  %zu pattern%s%s%s  %s\n", h->name, h->match.n, h->match.n == 1 ? "" : "s",
         h->has_until ? ", until " : "", until, h->reason);
}

/* What would stop a run though the rules are valid: a share not mounted now
 * (a warning: it may be by then), a credentials file a run cannot use (an
 * error: the run would fail). */
static void check_sources(const struct ruleset *rs, struct diag *d)
{
  for(size_t i = 0; i < rs->n_rules; i++)
    if(source_of(rs->rules[i])->check)
      source_of(rs->rules[i])->check(rs->rules[i], d);
}

/* Without a signing key, runs refuse to delete (or, with certificates =
 * may-wait, delete and their certificates wait): a warning, since keygen
 * makes one. A key that is there but cannot be used is an error. */
static void check_key(const struct config *cfg, struct diag *d)
{
  struct sshsig_key *key = NULL;
  struct lethe_err err = { 0 };
  struct stat st;
  if(fstatat(AT_FDCWD, cfg->key_path, &st, AT_SYMLINK_NOFOLLOW)) {
    if(cfg->certificates_may_wait)
      diag_warn(d, cfg->path, 0, "no signing key at %s: deletions will not be certified until "
                "'lethe keygen' makes one", cfg->key_path);
    else
      diag_warn(d, cfg->path, 0, "no signing key at %s: lethe apply and lethe run will refuse "
                "to delete until 'lethe keygen' makes one", cfg->key_path);
    return;
  }
  if(sshsig_load(cfg->key_path, &key, &err))
    diag_error(d, cfg->path, 0, "the signing key cannot be used: %s", err.msg);
  sshsig_free(key);
}

/* A ledger that is there must open as one (a run could not certify into
 * it); a missing one is made by the first run. Read only. */
static void check_ledger(const struct config *cfg, struct diag *d)
{
  struct ledger l;
  struct lethe_err err = { 0 };
  struct stat st;
  if(stat(cfg->ledger_dir, &st))
    return;
  if(ledger_open(&l, cfg->ledger_dir, false, &err))
    diag_error(d, cfg->path, 0, "ledger: %s", err.msg);
  ledger_close(&l);
}

/* The paths lethe.service cannot write, each said once (a path below one
 * already listed is covered by it). */
struct unit_check {
  struct unit_sandbox u;
  struct strlist blocked;
};

static bool below_blocked(const struct unit_check *c, const char *path)
{
  for(size_t i = 0; i < c->blocked.n; i++) {
    size_t n = strlen(c->blocked.v[i]);
    if(!strncmp(path, c->blocked.v[i], n) && (path[n] == '\0' || path[n] == '/'))
      return true;
  }
  return false;
}

static void unit_warn(struct unit_check *c, const char *where, const char *what,
                      const char *path)
{
  const char *why;
  if(!path || path[0] != '/' || below_blocked(c, path) ||
     unit_sandbox_writable(&c->u, path, &why))
    return;
  log_msg(LOG_WARNING, "%s: warning: %s %s is read-only under lethe.service (%s, not in "
          "ReadWritePaths=): lethe run from the timer would fail there", where, what, path,
          why);
  if(strlist_add(&c->blocked, path))
    return;
}

/* Where the timer's run must write, against what lethe.service (if it is
 * installed here) lets it: the state and ledger, every local source (it
 * deletes there) and every archive directory; then the drop-in that
 * allows them all. */
static void check_unit(const struct config *cfg, const struct ruleset *rs)
{
  struct unit_check c = { .blocked = { 0 } };
  struct dynbuf line;
  if(!unit_sandbox_read("lethe.service", &c.u))
    return;
  unit_warn(&c, cfg->path, "state directory", cfg->state_dir);
  unit_warn(&c, cfg->path, "ledger", cfg->ledger_dir);
  for(size_t i = 0; i < rs->n_rules; i++) {
    const struct rule *r = rs->rules[i];
    char where[PATH_MAX + 64], what[160];
    snprintf(where, sizeof(where), "%s:%d", r->file, r->line);
    snprintf(what, sizeof(what), "[rule %s] source", r->name);
    if(source_of(r)->local)
      unit_warn(&c, where, what, r->root);
    snprintf(what, sizeof(what), "[rule %s] archive-dir", r->name);
    unit_warn(&c, where, what, rule_setting(r, "archive-dir"));
  }
  db_init(&line, 1024 * 1024);
  for(size_t i = 0; i < c.blocked.n; i++)
    if(db_adds(&line, i ? " " : "  ReadWritePaths=") || db_adds(&line, c.blocked.v[i]))
      break;
  if(c.blocked.n) {
    log_msg(LOG_WARNING, "to allow them, run 'systemctl edit lethe.service' and add:");
    log_lines(LOG_WARNING, "  [Service]");
    log_lines(LOG_WARNING, db_str(&line));
  }
  db_release(&line);
  strlist_release(&c.blocked);
  unit_sandbox_release(&c.u);
}

int cmd_check(int argc, char **argv, struct cmd_env *env)
{
  const char *config = NULL;
  bool help = false;
  struct diag d;
  int status = cli_parse_config_only(argc, argv, "check", usage, &config, &help);

  if(status != EXIT_DONE || help)
    return status;
  status = cli_prepare(env, config, false);
  if(status == EXIT_DONE) {
    for(size_t i = 0; i < env->rs.n_rules; i++)
      print_rule(env->rs.rules[i]);
    for(size_t i = 0; i < env->rs.n_holds; i++)
      print_hold(env->rs.holds[i]);
    diag_init(&d);
    check_sources(&env->rs, &d);
    check_key(&env->cfg, &d);
    check_ledger(&env->cfg, &d);
    smtp_settings_check_credentials(&env->cfg.smtp, env->cfg.path, &d);
    log_lines(d.errors ? LOG_ERR : LOG_WARNING, db_str(&d.text));
    if(d.errors) {
      log_msg(LOG_ERR, "%u error%s: a run would fail", d.errors, d.errors == 1 ? "" : "s");
      status = EXIT_USAGE;
    }
    diag_release(&d);
    check_unit(&env->cfg, &env->rs);
  }
  return status;
}

#include "runner.h"

#include <stdio.h>

#include "certify.h"
#include "lazy.h"
#include "cli.h"
#include "ledger.h"
#include "lock.h"
#include "log.h"
#include "recover.h"
#include "sshsig.h"

/* A push that failed in runner_prepare is not tried again by runner_apply
 * in the same process; it still makes that run's status 1. */
static bool push_failed;

static void report_certified(void *ctx, const struct certify_report *r)
{
  const struct certificate *c = r->cert;
  (void)ctx;
  if(r->already)
    log_msg(LOG_NOTICE, "run %s: its certificate was already in the ledger (%s)", c->id,
            r->path);
  else
    log_msg(LOG_NOTICE, "certified run %s%s: %llu deleted, %llu failed, %llu skipped, %llu "
            "held (%s, commit %.12s)", c->id, c->recovered ? " (recovered)" : "",
            (unsigned long long)c->deleted, (unsigned long long)c->failed,
            (unsigned long long)c->skipped, (unsigned long long)c->held, r->path, r->commit);
  if(r->warning)
    log_msg(LOG_WARNING, "%s", r->warning);
}

static void push(const struct config *cfg)
{
  struct lethe_err err = { 0 };
  char shown[512];
  bool pushed = false;
  if(push_failed)
    return;
  if(certify_push(cfg, &pushed, &err)) {
    log_msg(LOG_ERR, "ledger: %s; the next run pushes again", err.msg);
    push_failed = true;
  }
  else if(pushed) {
    ledger_redact_url(cfg->remote, shown, sizeof(shown));
    log_msg(LOG_NOTICE, "ledger pushed to %s", shown);
  }
}

/* Certify what finished runs left, then push the ledger. False when a
 * journal could not be certified (it stays for the next run). */
static bool certify(const struct config *cfg)
{
  struct certify_counts n;
  struct lethe_err err = { 0 };
  bool ok = true;
  if(certify_pending(cfg, report_certified, NULL, &n, &err)) {
    log_msg(LOG_ERR, "certification failed: %s; the journal stays and the next run "
            "certifies it", err.msg);
    ok = false;
  }
  else if(n.no_key) {
    log_msg(LOG_WARNING, "%u finished run%s not certified: no signing key at %s (create it "
            "with 'lethe keygen')", n.waiting, n.waiting == 1 ? "" : "s", cfg->key_path);
  }
  push(cfg);
  return ok;
}

static void log_recovery(const struct recovery_stats *rs)
{
  if(rs->journals)
    log_msg(LOG_NOTICE, "recovered %u interrupted run%s: %llu item%s gone, %llu still "
            "present%s", rs->journals, rs->journals == 1 ? "" : "s",
            (unsigned long long)rs->deleted, rs->deleted == 1 ? "" : "s",
            (unsigned long long)rs->present,
            rs->finished < rs->journals ? "; some could not be checked yet" : "");
}

/* A run that stopped part way (a plugin gave up, a source went away) left
 * its journal open: recovery judges the items it was about to delete, so
 * that what it did is certified now rather than at the next run. */
static void finish_stopped_run(const struct config *cfg, const struct ruleset *rules)
{
  struct lethe_err err = { 0 };
  struct recovery_stats rs;
  if(recover_journals(cfg, rules, &rs, &err))
    log_msg(LOG_ERR, "recovery of the stopped run failed: %s; the next run tries again",
            err.msg);
  else
    log_recovery(&rs);
}

int runner_prepare(const struct config *cfg, const struct ruleset *rules, bool wait,
                   int *lockfd)
{
  struct lethe_err err = { 0 };
  struct recovery_stats rs;
  *lockfd = lock_state(cfg->state_dir, wait, &err);
  if(*lockfd < 0) {
    log_msg(LOG_ERR, "%s", err.msg);
    return err.rc == LETHE_E_LOCKED ? EXIT_REFUSED : EXIT_SOME_FAILED;
  }
  if(recover_journals(cfg, rules, &rs, &err)) {
    log_msg(LOG_ERR, "recovery failed: %s", err.msg);
    lock_release(*lockfd);
    *lockfd = -1;
    return EXIT_SOME_FAILED;
  }
  log_recovery(&rs);
  if(!certify(cfg)) {
    lock_release(*lockfd);
    *lockfd = -1;
    return EXIT_SOME_FAILED;
  }
  return EXIT_DONE;
}

uint64_t runner_count_deletions(const struct plan *p, bool reviewed)
{
  uint64_t n = 0;
  for(size_t i = 0; i < p->n_rules; i++)
    if(reviewed || !p->rules[i].rule->review_required)
      n += p->rules[i].count[DECISION_DELETE];
  return n;
}

static int status_of(const struct apply_stats *s)
{
  if(s->failed)
    return EXIT_SOME_FAILED;
  if(s->attempted && !s->deleted && s->skipped == s->attempted)
    return EXIT_REFUSED; /* every item changed since it was planned */
  return EXIT_DONE;
}

/* No deletion without a certificate: the signing key must load before
 * anything is deleted, unless the configuration lets certificates wait. */
bool runner_can_certify(const struct config *cfg, const struct plan *p, bool reviewed)
{
  struct sshsig_key *key = NULL;
  struct lethe_err err = { 0 };
  char why[512];
  if(!runner_count_deletions(p, reviewed))
    return true;
  /* The ledger's library is loaded on first use (lib/lazy): load it now,
   * not after the deletions, when a broken installation could only stop. */
  if(!lazy_load(&lethe_lazy_git2, why, sizeof(why))) {
    log_msg(LOG_ERR, "refused: nothing is deleted without a certificate, and %s", why);
    return false;
  }
  if(cfg->certificates_may_wait)
    return true;
  if(!sshsig_load(cfg->key_path, &key, &err)) {
    sshsig_free(key);
    return true;
  }
  log_msg(LOG_ERR, "refused: nothing is deleted without a certificate, and the signing key "
          "cannot be used: %s. Make one with 'lethe keygen -c %s', or set 'certificates = "
          "may-wait' in its [agent] section to delete now and certify once there is a key",
          err.msg, cfg->path);
  return false;
}

int runner_apply(const struct config *cfg, const struct ruleset *rs, struct plan *p,
                 const struct apply_opts *opts)
{
  struct apply_stats stats;
  struct lethe_err err = { 0 };
  lethe_rc rc = apply_check_limits(p, opts->reviewed, &err);
  if(rc) {
    log_msg(LOG_ERR, "refused: %s", err.msg);
    return EXIT_REFUSED;
  }
  if(!runner_can_certify(cfg, p, opts->reviewed))
    return EXIT_REFUSED;
  rc = apply_plan(cfg, rs, p, opts, &stats, &err);
  if(rc) {
    log_msg(LOG_ERR, "%s", err.msg);
    finish_stopped_run(cfg, rs);
    certify(cfg);
    return EXIT_SOME_FAILED;
  }
  log_msg(LOG_NOTICE, "run %s: %llu deleted, %llu failed, %llu skipped (changed), %llu held, "
          "%llu empty director%s removed", stats.run_id, (unsigned long long)stats.deleted,
          (unsigned long long)stats.failed, (unsigned long long)stats.skipped,
          (unsigned long long)stats.held, (unsigned long long)stats.dirs_removed,
          stats.dirs_removed == 1 ? "y" : "ies");
  if(!certify(cfg) || push_failed)
    return EXIT_SOME_FAILED > status_of(&stats) ? EXIT_SOME_FAILED : status_of(&stats);
  return status_of(&stats);
}

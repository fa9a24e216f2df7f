#include "runner.h"

#include <stdio.h>

#include "cli.h"
#include "lock.h"
#include "log.h"
#include "recover.h"

int runner_prepare(const struct config *cfg, bool wait, int *lockfd)
{
  struct lethe_err err = { 0 };
  struct recovery_stats rs;
  *lockfd = lock_state(cfg->state_dir, wait, &err);
  if(*lockfd < 0) {
    log_msg(LOG_ERR, "%s", err.msg);
    return err.rc == LETHE_E_LOCKED ? EXIT_REFUSED : EXIT_SOME_FAILED;
  }
  if(recover_journals(cfg, &rs, &err)) {
    log_msg(LOG_ERR, "recovery failed: %s", err.msg);
    lock_release(*lockfd);
    *lockfd = -1;
    return EXIT_SOME_FAILED;
  }
  if(rs.journals)
    log_msg(LOG_NOTICE, "recovered %u interrupted run%s: %llu item%s gone, %llu still "
            "present%s", rs.journals, rs.journals == 1 ? "" : "s",
            (unsigned long long)rs.deleted, rs.deleted == 1 ? "" : "s",
            (unsigned long long)rs.present,
            rs.finished < rs.journals ? "; some could not be checked yet" : "");
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
  rc = apply_plan(cfg, rs, p, opts, &stats, &err);
  if(rc) {
    log_msg(LOG_ERR, "%s", err.msg);
    return EXIT_SOME_FAILED;
  }
  log_msg(LOG_NOTICE, "run %s: %llu deleted, %llu failed, %llu skipped (changed), %llu held, "
          "%llu empty director%s removed", stats.run_id, (unsigned long long)stats.deleted,
          (unsigned long long)stats.failed, (unsigned long long)stats.skipped,
          (unsigned long long)stats.held, (unsigned long long)stats.dirs_removed,
          stats.dirs_removed == 1 ? "y" : "ies");
  return status_of(&stats);
}

/* Applying a plan: delete the items it decided to delete, each only while it
 * is still the very thing that was planned and not held, journalling the
 * intent before and the outcome after every deletion. */
#ifndef LETHE_APPLY_H
#define LETHE_APPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "journal_record.h"
#include "plan.h"
#include "rules.h"

struct apply_opts {
  bool reviewed;        /* the plan came from a file an operator reviewed:
                           rules with review = required may run */
  int64_t now;          /* the real time, for re-checking holds */
  const struct journal_approval *approvals; /* who approved the plan (lethe approve), */
  size_t n_approvals;   /* journalled after "begin" for the certificate */
};

struct apply_stats {
  uint64_t attempted;   /* items tried: handed to a plugin, or found changed first */
  uint64_t deleted;
  uint64_t failed;
  uint64_t skipped;     /* changed since planned, or gone */
  uint64_t held;        /* held at apply time */
  uint64_t dirs_removed;
  uint64_t needs_review; /* items of review = required rules not applied */
  char run_id[40];
};

/* Check the max-delete of every rule that will delete in this run (review =
 * required rules only when reviewed) against the plan. On excess return
 * LETHE_E_UNSAFE with a message naming the rule, the count and the limit;
 * nothing may then be deleted. */
lethe_rc apply_check_limits(const struct plan *p, bool reviewed, struct lethe_err *err) WUR;

/* Apply plan p (finished) under cfg and rs. The caller holds the state lock.
 * Per-item problems are counted in stats and journalled; the return is
 * non-zero only when the run could not go on (journal, plugin load). */
lethe_rc apply_plan(const struct config *cfg, const struct ruleset *rs, struct plan *p,
                    const struct apply_opts *opts, struct apply_stats *stats,
                    struct lethe_err *err) WUR;

#endif

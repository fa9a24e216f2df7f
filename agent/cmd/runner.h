/* What `lethe apply` and `lethe run` share: take the lock, recover what a
 * stopped run left, apply a plan with the safety belts, report. */
#ifndef LETHE_RUNNER_H
#define LETHE_RUNNER_H

#include <stdbool.h>
#include "apply.h"
#include "config.h"

/* Take the state lock (waiting when wait) and recover unfinished journals
 * (rules: the configured rules, to ask mailbox servers about messages).
 * Returns an exit status; on EXIT_DONE *lockfd holds the lock. */
int runner_prepare(const struct config *cfg, const struct ruleset *rules, bool wait,
                   int *lockfd);

/* Check max-delete, then apply p and print a summary. Returns the exit
 * status: 0 done, 1 some items failed, 3 refused (circuit breaker, or every
 * item changed since planned). */
int runner_apply(const struct config *cfg, const struct ruleset *rs, struct plan *p,
                 const struct apply_opts *opts);

/* Whether p's deletions can be certified: the signing key loads, or the
 * configuration lets certificates wait; if not, say so (logged). */
bool runner_can_certify(const struct config *cfg, const struct plan *p, bool reviewed);

/* Items the plan would delete in this run, over every rule (rules with
 * review = required count only when the plan was reviewed). */
uint64_t runner_count_deletions(const struct plan *p, bool reviewed);

#endif

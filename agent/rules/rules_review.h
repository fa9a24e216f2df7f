/* The keys of a rule whose deletions wait for people's approval (review =
 * required, lethe-approve(1)): who may approve (approvers = an
 * allowed_signers file), how many must (approvals = N) and for how long an
 * approval stands (approval-valid = a period). Whether the approvers file
 * reads as one is checked where signatures are known (approve_check_rules). */
#ifndef LETHE_RULES_REVIEW_H
#define LETHE_RULES_REVIEW_H

#include <stdbool.h>

#include "rules.h"

/* How long an approval stands when the rule does not say. */
#define REVIEW_VALID_DAYS 14

/* If key is one of the review keys, take its value into r (errors, as
 * "FILE:LINE: message", to d; out of memory in *oom) and return true. */
bool rules_review_key(struct rule *r, const char *file, const char *key, const char *value,
                      int line, struct diag *d, lethe_rc *oom);

/* Once the rule is read: the keys only mean something with review =
 * required, and the defaults are filled in. */
void rules_review_finish(struct rule *r, struct diag *d);

/* The approvals the rule needs (approvals =, else 1). */
unsigned rules_approvals_needed(const struct rule *r);

#endif

/* Judging a plan kept for approval (STATE/approvals/HEX, approval.h)
 * against the rules as they are now: it is ready when every rule it
 * deletes from needs review and has as many approvals as it asks for,
 * each signed (approval@lethe) by a distinct key of its approvers file,
 * over this very plan, and not expired. */
#ifndef LETHE_APPROVED_H
#define LETHE_APPROVED_H

#include <stdbool.h>

#include "journal_record.h"
#include "plan.h"
#include "rules.h"
#include "strlist.h"

/* How one rule of the plan stands. */
struct approved_count {
  const struct rule *rule;
  unsigned have, need;
};

struct approved_plan {
  char *dir;                  /* STATE/approvals/HEX */
  struct plan plan;           /* loaded and its hash checked (when loaded) */
  bool loaded;
  struct approved_count *counts;      /* the rules the plan deletes from */
  size_t n_counts;
  struct journal_approval *approvals; /* the approvals that count, for the journal */
  size_t n_approvals;
  struct strlist why;         /* what does not count, or is missing: one message
                                 a line, each naming its file */
  bool ready;                 /* the run may apply it */
};

/* Judge the plan in dir (STATE/approvals/HEX) under rs at now. Problems with
 * the plan or its approvals are in out->why, not errors; the return is
 * LETHE_E_NOMEM or LETHE_OK. Release out with approved_release. */
lethe_rc approved_judge(const char *dir, const struct ruleset *rs, int64_t now,
                        struct approved_plan *out) WUR;

void approved_release(struct approved_plan *a);

#endif

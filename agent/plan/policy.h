/* The retention decision for one item: delete, held, grace, skip, or keep.
 *
 * Pure: it reads the rule, the holds, the item and the instant "now", and
 * touches nothing, so a dry run and an apply decide alike. */
#ifndef LETHE_POLICY_H
#define LETHE_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include "isotime.h"
#include "item.h"
#include "rules.h"

enum decision {
  DECISION_KEEP,    /* not due yet: not listed in a plan */
  DECISION_DELETE,  /* expired, past any grace, not held */
  DECISION_HELD,    /* expired (or unjudgeable) but under a hold */
  DECISION_GRACE,   /* expired, inside its notice period */
  DECISION_SKIP,    /* cannot be judged (clock unreadable, not a subject ...) */
  DECISION_REPORT,  /* action = report: due, listed, never deleted */
};

/* "delete", "held", "grace", "skip", "report" or "keep". */
const char *decision_name(enum decision d);

/* The decision decision_name gives name; false if none does. */
bool decision_parse(const char *name, enum decision *out);

struct verdict {
  enum decision decision;
  bool has_clock;
  int64_t clock;           /* when the retention clock started */
  bool has_expires;
  int64_t expires;         /* clock + retain */
  int64_t due;             /* expires + grace: the earliest deletion */
  const char *hold;        /* the hold's name, or ".lethe-hold" */
  const char *hold_reason;  /* NULL when hold is a whole phrase (a store-side hold) */
  char reason[768];        /* for people: the arithmetic, or why not */
  /* clock and expires as isotime_format writes them, when the decision
   * needed them ("" otherwise): a plan entry shows the same text. */
  char clock_text[ISOTIME_LEN];
  char expires_text[ISOTIME_LEN];
};

/* Decide for item it, selected by rule r, at instant now. uri is the item's
 * URI unencoded (what [hold] match patterns see); subj may be NULL when the
 * rule has no subject. Holds in rs are consulted; a hold with an 'until' in
 * the past no longer holds. */
void policy_decide(const struct rule *r, const struct ruleset *rs, const struct item *it,
                   const char *uri, size_t uri_len, const struct subject_info *subj,
                   int64_t now, struct verdict *out);

/* The [hold] of rs that holds uri at now, or NULL. */
const struct hold *policy_find_hold(const struct ruleset *rs, const char *uri, size_t uri_len,
                                    int64_t now);

#endif

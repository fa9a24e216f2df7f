/* Planning: scan each chosen rule's source and decide every item. The same
 * code serves `lethe plan` and `lethe apply`, so a dry run reports exactly
 * what an apply would do at that instant. */
#ifndef LETHE_PLANNER_H
#define LETHE_PLANNER_H

#include "plan.h"
#include "rules.h"
#include "strlist.h"

/* Fill p (initialised with plan_init) with the rules of rs named in only (all
 * rules when only is empty). A rule whose source cannot be scanned gets its
 * error recorded in its summary, and the others go on; the result is then
 * LETHE_E_IO. Unknown names in only give LETHE_E_USAGE before any scan. */
lethe_rc planner_run(const struct ruleset *rs, const struct strlist *only, struct plan *p,
                     struct lethe_err *err) WUR;

#endif

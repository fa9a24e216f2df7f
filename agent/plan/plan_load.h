/* Reading a saved plan (lethe plan --format json -o FILE) back for
 * `lethe apply --plan FILE`. The plan's hash is recomputed from its entries:
 * a plan edited after it was made, or made for rules that have changed since,
 * is refused. */
#ifndef LETHE_PLAN_LOAD_H
#define LETHE_PLAN_LOAD_H

#include "plan.h"
#include "rules.h"

/* Load path into p (not initialised yet) against the current rules rs. */
lethe_rc plan_load(const char *path, const struct ruleset *rs, struct plan *p,
                   struct lethe_err *err) WUR;

#endif

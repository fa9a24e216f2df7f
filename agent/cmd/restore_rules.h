/* The rules lethe restore-check judges archives by (restore_rules.c). */
#ifndef LETHE_RESTORE_RULES_H
#define LETHE_RESTORE_RULES_H

#include "rules.h"

struct restore_target {
  struct rule rule;           /* a copy of the configured rule, looking elsewhere */
  char *glob;                 /* its `inside` when it looks at one archive */
};

struct restore_set {
  struct restore_target *v;
  struct rule **rules;        /* &v[i].rule, for the ruleset */
  size_t n;
  struct ruleset ruleset;     /* the copies, with the configured holds */
};

/* For each path (an archive, or a directory holding archives) and each
 * rule of rs with a clock deleted:RULE (only the one named only, unless
 * NULL): a copy of the rule that looks at that path. LETHE_E_USAGE when a
 * path does not exist or there is no such rule. */
lethe_rc restore_targets(const struct ruleset *rs, const char *only, char *const *paths,
                         size_t n_paths, struct restore_set *out, struct lethe_err *err) WUR;

void restore_targets_release(struct restore_set *s);

#endif

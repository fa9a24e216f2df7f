/* Cadence: rules with `every` run at most once per period. The time each rule
 * last ran is kept in STATE/cadence, one "NAME ISO8601" line per rule,
 * replaced atomically. */
#ifndef LETHE_CADENCE_H
#define LETHE_CADENCE_H

#include <stdbool.h>
#include <stdint.h>
#include "rules.h"
#include "strlist.h"

struct cadence {
  struct strlist names;
  int64_t *last;        /* parallel to names */
};

/* Read STATE/cadence (a missing file is an empty cadence). */
lethe_rc cadence_load(const char *state_dir, struct cadence *c, struct lethe_err *err) WUR;

/* Whether r is due at now: always without `every`; else when it never ran or
 * last + every <= now. */
bool cadence_due(const struct cadence *c, const struct rule *r, int64_t now);

/* Record that r ran at now. */
lethe_rc cadence_mark(struct cadence *c, const char *rule, int64_t now) WUR;

/* Write STATE/cadence (temporary file, fsync, rename). */
lethe_rc cadence_save(const char *state_dir, const struct cadence *c,
                      struct lethe_err *err) WUR;

void cadence_release(struct cadence *c);

#endif

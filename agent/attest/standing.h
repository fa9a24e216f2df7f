/* Where each person on the roster stands: their last accepted
 * confirmation, when the next is due, and whether that is soon or past.
 *
 * One standing per obligation, that is per e-mail address and scope (a
 * person with two keys has one obligation per scope, met by either key).
 * For scope "all", an attestation counts when it names no project; for a
 * project's scope, when it names that project or none (a confirmation that
 * covers everything covers the project too). The next confirmation is due
 * one cadence after the last; before the first, one cadence after the
 * row's "since", or at once without it. */
#ifndef LETHE_STANDING_H
#define LETHE_STANDING_H

#include <stdbool.h>
#include <stdint.h>

#include "collect.h"
#include "duration.h"
#include "roster.h"

enum standing_state {
  STANDING_OK,
  STANDING_DUE_SOON,       /* due within the reminder window */
  STANDING_OVERDUE,
};

struct standing {
  const struct roster_row *row;       /* its first row in the roster */
  const struct attest_found *last;    /* the latest attestation that counts, or NULL */
  bool has_due;                       /* false: never confirmed, no "since": due at once */
  int64_t due;
  enum standing_state state;
};

/* The standing of every obligation of r at now, in roster order, with
 * STANDING_DUE_SOON for a due date within `within` of now. *out is
 * allocated (free it). */
lethe_rc standing_compute(const struct roster *r, const struct attest_set *set, int64_t now,
                          const struct duration *within, struct standing **out,
                          size_t *n) WUR;

/* "ok", "due soon", "overdue". */
const char *standing_state_name(enum standing_state s);

#endif

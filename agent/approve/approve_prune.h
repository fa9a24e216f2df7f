/* A plan a run applied stays in STATE/approvals/applied/HEX/ with its
 * approvals, for a person investigating the run; it names every file it
 * deleted, personal data as a journal is, so it goes as the run's journal
 * does: keep-journals after it was applied (lethe.ini(5)). */
#ifndef LETHE_APPROVE_PRUNE_H
#define LETHE_APPROVE_PRUNE_H

#include <stdint.h>

#include "duration.h"
#include "err.h"

/* Remove each applied plan's directory applied at least keep before now
 * (the run that applied it dated the directory), with the plan and
 * approvals in it; one holding anything else is left, as is everything
 * that is not such a directory. *removed counts the plans removed. No
 * approvals directory is no error. */
lethe_rc approve_prune_applied(const char *state_dir, const struct duration *keep,
                               int64_t now, unsigned *removed, struct lethe_err *err) WUR;

#endif

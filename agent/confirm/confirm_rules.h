/* The rules lethe confirm deletes with: made in memory from the files the
 * owner chose to delete, one rule per folder, each selecting exactly those
 * files (their names escaped as glob literals), retain 0, action shred (or
 * the configuration's). They go through the very planner, plugins, journal
 * and certificates as a server's rules, so each deletion is re-checked,
 * journalled and certified. */
#ifndef LETHE_CONFIRM_RULES_H
#define LETHE_CONFIRM_RULES_H

#include "confirm_config.h"
#include "diag.h"
#include "rules.h"
#include "sweep.h"

/* Fill rs with a rule per folder holding a file marked SWEEP_DELETE, bind
 * each to its store and check its plugin as a run would. Problems go to d;
 * LETHE_E_CONFIG when there was any. */
lethe_rc confirm_rules_make(const struct confirm_config *c, const struct sweep *s,
                            struct ruleset *rs, struct diag *d) WUR;

/* path with the glob's special characters (\ * ? [ ]) escaped, so that the
 * pattern matches exactly that path. Appended to out. */
lethe_rc confirm_glob_literal(const char *path, struct dynbuf *out) WUR;

#endif

/* A rule's approvers: its allowed_signers file (approvers =), read when
 * needed, so that a key taken out of it no longer counts even for an
 * approval it gave before. */
#ifndef LETHE_APPROVERS_H
#define LETHE_APPROVERS_H

#include "diag.h"
#include "rules.h"
#include "verify.h"

/* Read r's approvers file into s. Errors name the file (and its line). */
lethe_rc approvers_load(const struct rule *r, struct signers *s, struct lethe_err *err) WUR;

/* The approvers of every rule that names them: readable, parseable, and
 * holding at least as many Ed25519 keys as approvals needs; each problem
 * as "RULEFILE:LINE: ..." at the rule's approvers line. LETHE_E_CONFIG
 * when there was one. */
lethe_rc approvers_check_rules(const struct ruleset *rs, struct diag *d) WUR;

#endif

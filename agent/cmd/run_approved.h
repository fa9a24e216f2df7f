/* lethe run's part for approved plans (lethe-approve(1)). */
#ifndef LETHE_RUN_APPROVED_H
#define LETHE_RUN_APPROVED_H

#include <stdint.h>

#include "config.h"
#include "rules.h"

/* Judge every plan kept in STATE/approvals at now. A plan whose rules all
 * have the approvals they need is moved to STATE/approvals/applied/ and
 * applied exactly, as lethe apply --plan would (each item re-checked, only
 * those still as planned deleted), its approvals journalled for the
 * certificate; the others delete nothing, and the run says why. The caller
 * holds the state lock. Returns an exit status (as runner_apply's, the
 * worst over the plans). */
int run_approved(const struct config *cfg, const struct ruleset *rs, int64_t now);

#endif

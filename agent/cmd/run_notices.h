/* lethe run's notices before deletion (notify.h), said in its log. */
#ifndef LETHE_RUN_NOTICES_H
#define LETHE_RUN_NOTICES_H

#include "config.h"
#include "plan.h"

/* Send the notices plan p owes and log each message and the totals.
 * Returns EXIT_DONE, or EXIT_SOME_FAILED when a message was not sent or
 * the state could not be kept. */
int run_notices(const struct config *cfg, struct plan *p);

#endif

/* What the ledger certifies was deleted: the history behind the clock
 * deleted:RULE, which purges from backups the subjects (clients) that RULE
 * deleted from the share. Certificates are the source of truth, so this
 * works on any machine with a clone of the ledger. */
#ifndef LETHE_HISTORY_H
#define LETHE_HISTORY_H

#include "events.h"

/* Verify the ledger at ledger_dir (lethe verify's checks), then gather the
 * subjects that the rule named rule deleted, per every certificate in it:
 * the last component of each subject (the client's folder name, which a
 * share's subject "Acme Ltd" and a backup's "Clients/Acme Ltd" share) and
 * the latest time it was deleted, into *out (an events table; events_free
 * it). No ledger yet is an empty table. A ledger that does not verify is
 * LETHE_E_UNSAFE with why in err: no clock starts from unsigned history. */
lethe_rc history_deletions(const char *ledger_dir, const char *rule, struct events **out,
                           struct lethe_err *err) WUR;

#endif

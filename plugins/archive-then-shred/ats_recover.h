/* archive-then-shred after a crash: find the archive an interrupted run
 * made for a batch of journalled items, and remove the unverified ones it
 * left. The plugin names each archive "...-RUN8-FIRST-LAST.EXT" after the
 * first and last items of its batch (RUN8 the run id's first eight
 * characters, FIRST and LAST their journal sequence numbers) and gives it
 * that name only once it is verified (".partial-" before); the host knows
 * none of this and calls these as the plugin ABI's recovery hooks. */
#ifndef LETHE_ATS_RECOVER_H
#define LETHE_ATS_RECOVER_H

#include "lethe/plugin.h"

/* When the rule's archive-dir holds the verified archive of the batch that
 * held item (by rule->run_id and item->seq), write {"archive": PATH,
 * "sha256": HEX} into out->detail: the certificate must name every archive
 * holding data it certifies. */
lethe_rc ats_recover_detail(const struct lethe_rule_info *rule, const struct lethe_item *item,
                            struct lethe_outcome *out);

/* Remove the unverified ".partial-" archives run rule->run_id left. */
lethe_rc ats_recover_clean(const struct lethe_rule_info *rule);

#endif

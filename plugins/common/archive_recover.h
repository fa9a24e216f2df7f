/* The archiving plugins after a crash (archive-then-shred,
 * archive-then-expunge): find the archive an interrupted run made for a
 * batch of journalled items, and remove the unverified ones it left. Each
 * plugin names an archive "...-RUN8-FIRST-LAST.EXT" after the first and
 * last items of its batch (RUN8 the run id's first eight characters, FIRST
 * and LAST their journal sequence numbers: archive_batch_tag) and gives it
 * that name only once it is verified (".partial-" before); the host knows
 * none of this and calls the plugin's recovery hooks, which call these with
 * the name of the plugin's archive directory setting. */
#ifndef LETHE_ARCHIVE_RECOVER_H
#define LETHE_ARCHIVE_RECOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lethe/plugin.h"

/* "RUN8-FIRST-LAST" into tag (n bytes); false, and tag untouched, when the
 * host gave no run id or no sequence numbers (the caller picks another
 * unique part). */
bool archive_batch_tag(char *tag, size_t n, const char *run_id, uint64_t first, uint64_t last);

/* When the directory of setting key holds the verified archive of the
 * batch that held item (by rule->run_id and item->seq), add "archive": PATH
 * and sha_key: HEX (its SHA-256) to the JSON object in out->detail, or
 * write that object when the detail is empty: the certificate must name
 * every archive holding data it certifies. */
lethe_rc archive_recover_detail(const struct lethe_rule_info *rule, const char *key,
                                const char *sha_key, const struct lethe_item *item,
                                struct lethe_outcome *out);

/* Remove the unverified ".partial-" archives run rule->run_id left in the
 * directory of setting key. */
lethe_rc archive_recover_clean(const struct lethe_rule_info *rule, const char *key);

#endif

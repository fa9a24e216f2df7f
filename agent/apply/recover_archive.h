/* What recovery needs to know of archive-then-shred: the archive a crashed
 * run made for a batch of journalled items. The plugin names each archive
 * "...-RUN8-FIRST-LAST.EXT" after the first and last items of its batch
 * (RUN8 the run id's first eight characters, FIRST and LAST their journal
 * sequence numbers) and gives it that name only once it is verified
 * (".partial-" before). */
#ifndef LETHE_RECOVER_ARCHIVE_H
#define LETHE_RECOVER_ARCHIVE_H

#include <json-c/json.h>
#include <stdint.h>

/* A detail object {"archive": PATH, "sha256": HEX} for the item with journal
 * sequence seq of run run8, when dir holds the verified archive of its batch
 * (FIRST <= seq <= LAST); NULL otherwise. */
struct json_object *recover_archive_detail(const char *dir, const char *run8, uint64_t seq);

/* Remove the unverified ".partial-" archives run run8 left in dir. */
void recover_archive_clean(const char *dir, const char *run8);

#endif

/* What recovery needs to know of archive-then-shred: the archive a crashed
 * run made for a batch of journalled items. The plugin names each archive
 * "...-RUN8-FIRST-LAST.EXT" after the first and last items of its batch
 * (RUN8 the run id's first eight characters, FIRST and LAST their journal
 * sequence numbers) and gives it that name only once it is verified
 * (".partial-" before). */
#ifndef LETHE_RECOVER_ARCHIVE_H
#define LETHE_RECOVER_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Write the detail object {"archive":PATH,"sha256":HEX} of the item with
 * journal sequence seq of run run8 into buf (n bytes) and return true, when
 * dir holds the verified archive of its batch (FIRST <= seq <= LAST). */
bool recover_archive_detail(const char *dir, const char *run8, uint64_t seq, char *buf,
                            size_t n);

/* Remove the unverified ".partial-" archives run run8 left in dir. */
void recover_archive_clean(const char *dir, const char *run8);

#endif

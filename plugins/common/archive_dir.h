/* The archive directory of the archiving mail plugins (archive-then-expunge,
 * archive-then-graph-delete), named by their archive-path setting, and the
 * safe parts of the archive names they write into it. */
#ifndef LETHE_ARCHIVE_DIR_H
#define LETHE_ARCHIVE_DIR_H

#include <stddef.h>

#include "err.h"

/* Open path as the archive directory: an absolute path of at most max
 * bytes without quotes or backslashes (it is written into outcome details),
 * not a symbolic link, not writable by group or others, and owned by this
 * user. Its fd into *dirfd, a copy of path into *dir; LETHE_E_CONFIG naming
 * the archive-path setting otherwise (*dirfd may then be open: the caller
 * closes what it holds, as for any state). */
lethe_rc archive_dir_open(const char *path, size_t max, int *dirfd, char **dir,
                          struct lethe_err *err);

/* Letters, digits, '.', '-' and '_' of s, the rest '_', at most max bytes,
 * into out (max + 1 bytes): a part of an archive's file name. */
void archive_name_part(char *out, const char *s, size_t max);

#endif

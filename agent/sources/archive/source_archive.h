/* The archive store: entries inside archives, as items of their own. A
 * file:// rule with `inside = GLOB` (repeatable; matched against paths
 * relative to the source, as select is) walks its tree as the file store
 * does, treats each regular file a pattern matches as a container, and
 * yields the container's entries, read with libarchive (every format and
 * filter it reads itself): select, except and subject then match entry
 * paths, the clock is the entry's mtime (or a date in the archive's name,
 * the ledger's deletions, an events file), and an entry's identity is the
 * archive's (dev, ino, size, mtime_ns, ctime_ns) with the entry's size and
 * mtime. A directory entry belongs to the subject it names.
 *
 * An archive that cannot be read to its end (corrupt, truncated, not an
 * archive) is yielded as one item that cannot be judged, with libarchive's
 * error and the offset reached: none of its entries is, never half of it.
 *
 * An entry's URI is the archive's file:// URI, '#', and the entry's path,
 * each percent-encoded: file:///srv/backups/2024-06.tar.zst#Clients/Acme%20Ltd/a.xlsx;
 * the plan's path is the archive's path, '#', the entry's. */
#ifndef LETHE_SOURCE_ARCHIVE_H
#define LETHE_SOURCE_ARCHIVE_H

#include "source.h"

extern const struct source_ops source_archive_ops;

/* Split a plan's path "ARCHIVE#ENTRY" (each percent-encoded, so the first
 * '#' is the separator) into the archive's path and the entry's, both
 * decoded, into the caller's buffers. LETHE_E_PARSE when there is no '#'. */
lethe_rc source_archive_split(const char *path, struct dynbuf *archive,
                              struct dynbuf *entry) WUR;

/* The store's presence check for recovery (archive_presence.c). */
lethe_rc source_archive_presence(const struct rule *r, const char *const *identities,
                                 const char *const *paths, size_t n,
                                 enum source_presence *out, struct lethe_err *err) WUR;

#endif

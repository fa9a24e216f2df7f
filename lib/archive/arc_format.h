/* The table of archive formats and filters: which ones Lethe reads, which
 * ones it can write back, and what metadata each writer keeps.
 *
 * Reading registers every format libarchive reads by itself except mtree
 * (whose reader opens the files an mtree names, outside the archive) and
 * raw/empty (not archives of entries), and every filter libarchive
 * decompresses by itself: a filter that this libarchive would only run
 * through an external program (lzop, lrzip, grzip without the library) is
 * not registered, so reading an archive never runs a program.
 *
 * A purge writes an archive back in the format it was read in (for tar, the
 * variant read: ustar, pax, GNU, v7) through the same filter chain. The
 * table says for each format whether libarchive writes it, with which writer,
 * and the metadata that writer keeps (ARC_KEEP_*), so that a rewrite which
 * would lose something is refused or reported before anything is written. */
#ifndef LETHE_ARC_FORMAT_H
#define LETHE_ARC_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "arc_err.h"

struct archive;
struct archive_entry;

/* Metadata an entry carries and a writer may or may not keep. */
enum arc_keep {
  ARC_KEEP_NSEC = 1 << 0,       /* sub-second modification time */
  ARC_KEEP_ATIME = 1 << 1,      /* access time */
  ARC_KEEP_CTIME = 1 << 2,      /* change time */
  ARC_KEEP_BIRTHTIME = 1 << 3,  /* creation time */
  ARC_KEEP_IDS = 1 << 4,        /* numeric owner and group */
  ARC_KEEP_NAMES = 1 << 5,      /* owner and group names */
  ARC_KEEP_XATTR = 1 << 6,      /* extended attributes */
  ARC_KEEP_ACL = 1 << 7,        /* access control lists */
  ARC_KEEP_FFLAGS = 1 << 8,     /* file flags (chattr/chflags) */
  ARC_KEEP_SPARSE = 1 << 9,     /* holes of sparse files */
  ARC_KEEP_HARDLINK = 1 << 10,  /* hard links */
  ARC_KEEP_SYMLINK = 1 << 11,   /* symbolic links */
  ARC_KEEP_DEVICE = 1 << 12,    /* device, fifo and socket entries */
  ARC_KEEP_LONGNAME = 1 << 13,  /* names or link targets over 100 bytes */
};

/* Losing these is refused (they are the data, who may read it, or what it
 * points at); losing the others is reported, since the data stays whole. */
#define ARC_KEEP_MUST (ARC_KEEP_IDS | ARC_KEEP_NAMES | ARC_KEEP_XATTR | ARC_KEEP_ACL | \
                       ARC_KEEP_FFLAGS | ARC_KEEP_SPARSE | ARC_KEEP_HARDLINK | \
                       ARC_KEEP_SYMLINK | ARC_KEEP_DEVICE | ARC_KEEP_LONGNAME)

struct arc_format {
  int code;               /* ARCHIVE_FORMAT_* as archive_format() reports it */
  const char *name;       /* "tar (GNU)" */
  int (*set_writer)(struct archive *);  /* NULL: cannot be written back */
  const char *why_not;    /* when set_writer is NULL: why */
  unsigned keeps;         /* ARC_KEEP_* the writer keeps */
  int upgrade;            /* a format code whose writer keeps more and that
                           * readers of this one read (GNU -> pax), or 0 */
  const char *options;    /* writer options ("key=value"), or NULL */
};

struct arc_filter {
  int code;               /* ARCHIVE_FILTER_* */
  const char *name;       /* "gzip" */
  int (*add_reader)(struct archive *);
  int (*add_writer)(struct archive *);  /* NULL: cannot be written back */
  const char *options;    /* write options ("compression-level=6"), or NULL */
};

/* The entry for a format code: the exact code, else the family
 * (code & ARCHIVE_FORMAT_BASE_MASK) when the family has one entry. NULL when
 * the table does not know the format. */
const struct arc_format *arc_format_find(int code);

/* The entry for a filter code, or NULL. */
const struct arc_filter *arc_filter_find(int code);

/* Register every format and filter of the table on a read handle (see
 * above). LETHE_E_NOMEM or LETHE_E_PLUGIN (with libarchive's message) when
 * libarchive refuses one that it should have. */
lethe_rc arc_format_setup_read(struct archive *a, struct arc_err *err) ARC_WUR;

/* The metadata kept by f's writer that e has ("has" meaning: would be lost
 * if not kept), as ARC_KEEP_* bits. */
unsigned arc_format_entry_needs(struct archive_entry *e);

/* ", "-separated names of the ARC_KEEP_* bits in flags ("extended attributes,
 * access time") into out (outlen bytes). */
void arc_keep_names(unsigned flags, char *out, size_t outlen);

#endif

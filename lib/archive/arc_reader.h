/* Reading the entries of an archive, one at a time, without extracting
 * anything: an entry's name ("../../etc/passwd", "/etc/passwd") is only ever
 * a string here.
 *
 * An archive is opened relative to a directory fd with
 * O_RDONLY|O_NOFOLLOW|O_CLOEXEC and must be a regular file. Its identity
 * (arc_id) is taken from the open descriptor, so it describes the very file
 * that is read.
 *
 * Names are the archive's bytes: a tar, cpio or zip name that is not valid
 * UTF-8 comes back byte for byte, a pax or zip UTF-8 name as its UTF-8, a 7-Zip
 * (UTF-16) name as UTF-8. The reader converts names in a thread-local UTF-8
 * locale (C.UTF-8) whatever the process locale is, so that nothing is
 * replaced by '?' in the C locale.
 *
 * Errors: a corrupt or truncated archive makes arc_reader_next() or
 * arc_reader_data() fail with LETHE_E_PARSE and a message holding
 * libarchive's reason and the byte offset reached in the file (and in the
 * decompressed stream). Whatever entries were seen before are then not a
 * listing of the archive: the caller must treat the archive as not judged.
 *
 *   struct arc_reader r;
 *   struct archive_entry *e;
 *   rc = arc_reader_open(&r, dirfd, "backup.tar.zst", false, &err);
 *   if(rc) return rc;
 *   while(!(rc = arc_reader_next(&r, &e, &err)) && e) {
 *     struct arc_entry_info info;
 *     arc_entry_info_get(e, &info);
 *     ...
 *   }
 *   arc_reader_close(&r);
 */
#ifndef LETHE_ARC_READER_H
#define LETHE_ARC_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "arc_err.h"
#include "arc_source.h"

struct archive;
struct archive_entry;

enum arc_type {
  ARC_T_FILE, ARC_T_DIR, ARC_T_SYMLINK, ARC_T_HARDLINK, ARC_T_CHAR, ARC_T_BLOCK,
  ARC_T_FIFO, ARC_T_SOCKET, ARC_T_OTHER
};

/* One entry as the agent sees it. The strings point into the libarchive
 * entry and stay valid until the next arc_reader_next() or the close. */
struct arc_entry_info {
  const char *path;        /* raw bytes, NUL-terminated */
  size_t path_len;
  enum arc_type type;      /* ARC_T_HARDLINK when the entry links to another */
  int64_t size;            /* bytes of data (0 for a hard link in tar) */
  bool size_known;         /* false when the format did not say (some zips) */
  int64_t mtime;           /* seconds since the epoch */
  long mtime_ns;           /* 0..999999999 */
  bool mtime_known;
  uint32_t mode;           /* permission bits and file type, as stat's st_mode */
  const char *symlink;     /* target of a symbolic link, or NULL */
  const char *hardlink;    /* the entry this one is a hard link to, or NULL */
  bool encrypted;          /* data or metadata encrypted */
  bool sparse;             /* has holes */
};

struct arc_reader {
  struct archive *a;
  struct arc_source src;
  struct arc_id id;
  int fd;
  bool own_fd;
  bool broken;             /* an error was returned: no more entries */
  int64_t data_pos;        /* logical offset reached in the entry's data */
  int64_t data_size;       /* the entry's size, or -1 if unknown */
  const void *pending;     /* a data block held back behind a hole */
  size_t pending_len;
  int64_t pending_off;
  bool data_done;          /* the data read reached its end */
  bool sparse;             /* the current entry has a sparse map */
  struct archive_entry *cur;  /* the current entry, or NULL */
  uint64_t entries;        /* entries returned so far */
  char warning[256];       /* libarchive's warning about the current entry's
                            * header, or "" (see arc_reader_next) */
  char label[ARC_QUOTE_MAX];  /* the archive's name, quoted, for messages */
};

/* Open name in dirfd (O_RDONLY|O_NOFOLLOW|O_CLOEXEC; a regular file only,
 * else LETHE_E_UNSAFE) and start reading it. With hash, the file's SHA-256
 * is computed on the way (arc_reader_sha256). LETHE_E_NOTFOUND if name does
 * not exist, LETHE_E_IO, LETHE_E_PARSE when libarchive does not recognise a
 * format it reads. */
lethe_rc arc_reader_open(struct arc_reader *r, int dirfd, const char *name, bool hash,
                         struct arc_err *err) ARC_WUR;

/* Start reading an archive already open as fd (not closed by the reader).
 * label names it in messages. Several readers may share one fd. */
lethe_rc arc_reader_open_fd(struct arc_reader *r, int fd, const char *label, bool hash,
                            struct arc_err *err) ARC_WUR;

/* The next entry in *entry, or NULL at the end of the archive. LETHE_E_PARSE
 * on a corrupt or truncated archive (see above). The entry belongs to the
 * reader and is valid until the next call. Its data is skipped unless read
 * with arc_reader_data() first. When libarchive read the header with a
 * warning, r->warning holds it: a name kept as raw bytes because it could not
 * be converted is harmless (arc_warning_is_benign), anything else (a damaged
 * tar header skipped) means entries may be missing. */
lethe_rc arc_reader_next(struct arc_reader *r, struct archive_entry **entry,
                         struct arc_err *err) ARC_WUR;

/* A piece of the current entry's data: the logical contents in order, with
 * each hole of a sparse entry given as a piece with *hole set and *buf NULL
 * (the caller supplies zeros if it needs them), up to the entry's size.
 * *len is 0 at the end. LETHE_E_PARSE on a read error (corrupt data, a
 * wrong password, an unsupported compression method), with the entry's name
 * and the offset. */
lethe_rc arc_reader_data(struct arc_reader *r, const void **buf, size_t *len, bool *hole,
                         struct arc_err *err) ARC_WUR;

/* Stop reading; close the fd if the reader opened it. Safe to call twice and
 * on a reader whose open failed. */
void arc_reader_close(struct arc_reader *r);

/* The SHA-256 of the archive file's bytes (the reader must have been opened
 * with hash); reads what libarchive skipped. */
lethe_rc arc_reader_sha256(struct arc_reader *r, unsigned char out[ARC_SHA256_LEN],
                           struct arc_err *err) ARC_WUR;

/* The format code (archive_format) and a name for it, after the first
 * arc_reader_next(). */
int arc_reader_format(struct arc_reader *r);

/* The filter codes from the one next to the format outwards ("tar.gz": gzip,
 * then none) into codes (up to max); returns how many, "none" not counted. */
size_t arc_reader_filters(struct arc_reader *r, int *codes, size_t max);

/* The warning is libarchive's note that a name, link target or owner name
 * was kept as raw bytes, which loses nothing. */
bool arc_warning_is_benign(const char *warning);

/* Fill info from e (see struct arc_entry_info). */
void arc_entry_info_get(struct archive_entry *e, struct arc_entry_info *info);

/* "file", "dir", "symlink", "hardlink", "char", "block", "fifo", "socket",
 * "other". */
const char *arc_type_name(enum arc_type t);

#endif

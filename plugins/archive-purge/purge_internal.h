/* Internals shared by the files of the archive-purge engine. */
#ifndef LETHE_PURGE_INTERNAL_H
#define LETHE_PURGE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "purge.h"

struct archive;
struct archive_entry;

/* Entries copied between two fault points in the copy and verify loops. */
#define PURGE_FAULT_EVERY 16

/* --- purge_set.c: the paths asked for --- */

void purge_set_init(struct purge_set *s);
void purge_set_release(struct purge_set *s);

/* Add a path (trailing slashes dropped). LETHE_E_USAGE if empty, NOMEM. */
lethe_rc purge_set_add(struct purge_set *s, const char *path, size_t len,
                       const struct purge_expect *expect, bool exact, struct arc_err *err) ARC_WUR;

/* The target path (len bytes) falls under: the same path, or a directory
 * above it. NULL when it is kept. */
struct purge_target *purge_set_match(struct purge_set *s, const char *path, size_t len);

/* --- purge_buf.c: a growable byte buffer --- */

struct purge_buf {
  unsigned char *p;
  size_t len;
  size_t cap;
};

void purge_buf_init(struct purge_buf *b);
void purge_buf_release(struct purge_buf *b);
/* Append n bytes. LETHE_E_NOMEM, LETHE_E_RANGE. */
lethe_rc purge_buf_add(struct purge_buf *b, const void *data, size_t n) ARC_WUR;

/* Make room for n bytes in all (len unchanged). */
lethe_rc purge_buf_reserve(struct purge_buf *b, size_t n) ARC_WUR;

/* --- purge_record.c: what verification compares, entry by entry --- */

/* The canonical record of an entry as written: its name, type, size, mode,
 * times, owner, link targets, device, extended attributes, ACLs, flags,
 * sparse map, and the SHA-256 of its data. keeps (ARC_KEEP_*) says which
 * optional fields the writer keeps: the others are left out. */
lethe_rc purge_record_make(struct purge_buf *out, struct archive_entry *e, unsigned keeps,
                           const unsigned char sha[ARC_SHA256_LEN]) ARC_WUR;

/* Append a record to the spill file (length first). LETHE_E_IO. */
lethe_rc purge_record_spill(FILE *spill, const struct purge_buf *rec,
                            struct arc_err *err) ARC_WUR;

/* Read the next record from the spill file into out. LETHE_E_NOTFOUND at the
 * end, LETHE_E_IO. */
lethe_rc purge_record_unspill(FILE *spill, struct purge_buf *out,
                              struct arc_err *err) ARC_WUR;

/* Compare the record expected with the one read back. Returns 0 when equal;
 * else the ARC_KEEP_* bit of the first field that differs when it is one of
 * the fields whose loss is only reported, or -1 when it is a field whose
 * loss is refused, with its name in what (whatlen bytes). */
int purge_record_diff(const struct purge_buf *want, const struct purge_buf *got, char *what,
                      size_t whatlen);

/* A spill file: unnamed, beside the archive (O_TMPFILE) or else in TMPDIR.
 * NULL with err set. */
FILE *purge_spill_open(int dirfd, struct arc_err *err);

/* --- purge_data.c: entry data and the written file --- */

/* Read the current entry's data from r to its end, feeding each piece to w
 * (when not NULL; holes as zeros, which sparse-aware writers drop) and its
 * logical contents to the SHA-256 in sha. *size gets the logical size.
 * LETHE_E_PARSE from the reader, LETHE_E_IO from the writer. */
lethe_rc purge_data_copy(struct arc_reader *r, struct archive *w,
                         unsigned char sha[ARC_SHA256_LEN], int64_t *size,
                         struct arc_err *err) ARC_WUR;

/* Where a writer's bytes go: a file, hashed and counted on the way. */
struct purge_out {
  int fd;
  void *sha;        /* EVP_MD_CTX */
  uint64_t bytes;
};

/* Open w on out (archive_write_open with callbacks writing to out->fd).
 * Returns libarchive's status. */
int purge_out_open(struct purge_out *out, struct archive *w);

/* The SHA-256 of what was written, into hex. Frees the hash state. */
void purge_out_finish(struct purge_out *out, char hex[ARC_SHA256_HEX]);

/* --- purge_links.c: hard links whose first entry is purged --- */

struct purge_alias {
  char *from;       /* a purged entry that carried data */
  char *to;         /* the kept link that carries it now */
};

struct purge_links {
  struct arc_reader side;   /* a second reader on the original */
  bool side_open;
  int fd;
  const char *label;
  struct purge_alias *v;
  size_t n;
  size_t cap;
};

void purge_links_init(struct purge_links *l, int fd, const char *label);
void purge_links_release(struct purge_links *l);

/* e is a kept entry that is a hard link. If its target was renamed (an
 * earlier link took over purged data) point it at the new name; if its
 * target is purged, make e a regular entry carrying the target's data and
 * set *carrier to the side reader, positioned at that data (else NULL).
 * LETHE_E_PARSE if the target cannot be found in the original. */
lethe_rc purge_links_fix(struct purge_links *l, struct purge_set *set,
                         struct archive_entry *e, struct arc_reader **carrier,
                         struct arc_err *err) ARC_WUR;

/* --- purge_report.c --- */

void purge_report_init(struct purge_report *r, const char *archive);
void purge_report_release(struct purge_report *r);
lethe_rc purge_report_removed(struct purge_report *r, const char *path, size_t len,
                              enum arc_type type, int64_t size,
                              const unsigned char *sha) ARC_WUR;

/* Count an entry whose metadata flag (one ARC_KEEP_* bit) was not kept. */
lethe_rc purge_report_lost(struct purge_report *r, unsigned flag, const char *path,
                           size_t len) ARC_WUR;

/* A remark on the whole archive. */
lethe_rc purge_report_remark(struct purge_report *r, const char *fmt, ...)
    ARC_PRINTF(2, 3) ARC_WUR;

/* A writer's warning (kept apart from what was not kept). */
lethe_rc purge_report_warning(struct purge_report *r, const char *fmt, ...)
    ARC_PRINTF(2, 3) ARC_WUR;

/* --- purge_write.c / purge_verify.c helpers --- */

/* Unlink job->partial if it exists (errors ignored: used on failure paths). */
void purge_drop_partial(struct purge_job *job);

/* A read handle's filter chain as text ("gzip", "uuencode+gzip", ""). */
void purge_filters_text(const int *codes, size_t n, char *out, size_t outlen);

/* The temporary names of a purge tagged run and seq. LETHE_E_USAGE. */
lethe_rc purge_tmpnames(const char *run, const char *seq, char partial[PURGE_TMPNAME_MAX],
                        char old[PURGE_TMPNAME_MAX], struct arc_err *err) ARC_WUR;

/* Dispose of old in dirfd through hook (the default if NULL), then fsync
 * dirfd. Shared by purge_dispose() and purge_recover(). */
lethe_rc purge_dispose_old(int dirfd, const char *old, const struct arc_id *expect,
                           const struct purge_dispose_hook *hook, char *level,
                           size_t levellen, char *method, size_t methodlen,
                           struct arc_err *err) ARC_WUR;

/* Move the job to state s (and say so in the report). */
void purge_set_state(struct purge_job *job, enum purge_state s);

/* fsync the directory. LETHE_E_IO. */
lethe_rc purge_fsync_dir(int dirfd, struct arc_err *err) ARC_WUR;

#endif

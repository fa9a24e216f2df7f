/* archive-then-shred internals: archive formats, writing an archive with
 * libarchive and reading it back to verify it (ats_archive.c). The plugin
 * itself (archive_then_shred.c) only deletes originals once ats_verify has
 * accepted the archive. */
#ifndef LETHE_ATS_H
#define LETHE_ATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

#define ATS_SHA256_LEN 32
/* An archive format the rule may name in archive-format. */
struct ats_format {
  const char *name;  /* "tar.zst": also the file name extension */
  int filter;        /* ARCHIVE_FILTER_* applied on top of the format */
  bool zip;          /* zip instead of (pax) tar */
};

/* The format called name ("tar.zst", "tar.gz", "tar.xz", "zip"), or NULL. */
const struct ats_format *ats_format_find(const char *name);

/* Whether this libarchive can write and read f with its own code (not an
 * external program). LETHE_E_CONFIG with the reason otherwise. */
lethe_rc ats_format_check(const struct ats_format *f, struct lethe_err *err) WUR;

/* One entry as written: what verification expects to read back. */
struct ats_entry {
  const char *path;                    /* entry name: the item's path */
  bool symlink;
  char *target;                        /* symlink target (malloc'd), else NULL */
  uint64_t size;                       /* regular file: bytes of data */
  unsigned char sha256[ATS_SHA256_LEN]; /* regular file: digest of the data */
  size_t item;                         /* the caller's index, unused here */
};

/* An archive being written to an fd. */
struct ats_writer {
  struct archive *a;
  bool zip;
};

/* Start writing format f to fd (which stays the caller's). */
lethe_rc ats_writer_open(struct ats_writer *w, int fd, const struct ats_format *f,
                         struct lethe_err *err) WUR;

/* Add a regular file entry e->path with mode and mtime, its data read from
 * fd: exactly e->size bytes, else LETHE_E_CHANGED (the archive is then
 * unusable). Sets e->sha256. */
lethe_rc ats_writer_add_file(struct ats_writer *w, struct ats_entry *e, int fd, mode_t mode,
                             int64_t mtime_ns, struct lethe_err *err) WUR;

/* Add a symlink entry e->path pointing at e->target. */
lethe_rc ats_writer_add_symlink(struct ats_writer *w, const struct ats_entry *e, mode_t mode,
                                int64_t mtime_ns, struct lethe_err *err) WUR;

/* Finish the archive (trailer, compression flush) and free the writer. */
lethe_rc ats_writer_close(struct ats_writer *w, struct lethe_err *err) WUR;

/* Free the writer without finishing the archive. Safe on a closed writer. */
void ats_writer_abort(struct ats_writer *w);

/* Read the archive on fd (positioned anywhere; read from offset 0) back
 * completely as format f and check that it holds exactly the n entries, in
 * order, each with its name, type, size and SHA-256 (or symlink target).
 * Also writes the SHA-256 of the whole archive file into whole.
 * LETHE_E_UNSAFE naming the first difference; LETHE_E_IO on read errors. */
lethe_rc ats_verify(int fd, const struct ats_format *f, const struct ats_entry *entries,
                    size_t n, unsigned char whole[ATS_SHA256_LEN], struct lethe_err *err) WUR;

/* Lower-case hex of a digest into hex (2 * ATS_SHA256_LEN + 1 bytes). */
void ats_hex(const unsigned char digest[ATS_SHA256_LEN], char *hex);

#endif

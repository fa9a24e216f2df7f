/* An archive file as libarchive reads it: a file descriptor read with
 * pread(), so that several readers can share one open file (the purge reads
 * the original twice at once when it repairs a hard link), each with its own
 * position, and never through a name that could have been swapped since it
 * was opened.
 *
 * The identity of the file is taken from the open descriptor with statx:
 * (dev, ino, size, mtime_ns, ctime_ns), as the agent's file identity is.
 *
 * A source can also hash the file's bytes (SHA-256) as libarchive reads
 * them, which costs nothing when they are read once in order (tar and cpio
 * streams, compressed or not); arc_source_sha256() hashes whatever was not
 * read in order with one more pass. */
#ifndef LETHE_ARC_SOURCE_H
#define LETHE_ARC_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "arc_err.h"

#define ARC_SHA256_LEN 32
#define ARC_SHA256_HEX (2 * ARC_SHA256_LEN + 1)

struct archive;

/* What proves an archive is still the file that was listed. */
struct arc_id {
  uint64_t dev;
  uint64_t ino;
  uint64_t size;
  int64_t mtime_ns;
  int64_t ctime_ns;
  uint32_t nlink;    /* recorded, not compared */
  uint32_t mode;     /* recorded, not compared: st_mode of the file */
  uint32_t uid;      /* recorded, not compared */
  uint32_t gid;      /* recorded, not compared */
};

/* The identity of an open file (statx with AT_EMPTY_PATH). LETHE_E_IO with
 * the system's reason on failure. */
lethe_rc arc_id_of_fd(int fd, struct arc_id *out, struct arc_err *err) ARC_WUR;

/* The identity of name in dirfd, not following a symlink (statx with
 * AT_SYMLINK_NOFOLLOW). LETHE_E_NOTFOUND if it does not exist, LETHE_E_IO. */
lethe_rc arc_id_of_name(int dirfd, const char *name, struct arc_id *out,
                        struct arc_err *err) ARC_WUR;

/* Same dev and ino: the same file, whatever its contents now. */
bool arc_id_same_inode(const struct arc_id *a, const struct arc_id *b);

/* dev, ino, size, mtime_ns and ctime_ns all equal. */
bool arc_id_equal(const struct arc_id *a, const struct arc_id *b);

/* "dev=.. ino=.. size=.. mtime_ns=.. ctime_ns=.." into out (160 bytes). */
void arc_id_format(const struct arc_id *id, char out[160]);

struct arc_source {
  int fd;                 /* not owned: the caller closes it */
  int64_t size;           /* the file's size when the source was set up */
  int64_t pos;            /* next offset this reader reads */
  unsigned char *buf;     /* read buffer */
  size_t buflen;
  void *sha;              /* EVP_MD_CTX while hashing, else NULL */
  int64_t hashed;         /* bytes [0, hashed) are in sha */
};

/* Set up a source reading fd (whose size is size) from offset 0. With hash,
 * the file's SHA-256 is computed on the way (see arc_source_sha256).
 * LETHE_E_NOMEM. */
lethe_rc arc_source_init(struct arc_source *s, int fd, int64_t size, bool hash) ARC_WUR;

/* Free the buffer and the hash state (never closes fd). */
void arc_source_release(struct arc_source *s);

/* Open a libarchive read handle on the source: read, seek and (unless the
 * source hashes) skip callbacks over pread(). Returns the libarchive status
 * of archive_read_open1(). */
int arc_source_open(struct arc_source *s, struct archive *a);

/* The SHA-256 of the whole file, reading with pread() whatever libarchive did
 * not read in order. The source must have been set up with hash. LETHE_E_IO
 * on a read error, LETHE_E_CHANGED if the file is no longer size bytes. */
lethe_rc arc_source_sha256(struct arc_source *s, unsigned char out[ARC_SHA256_LEN],
                           struct arc_err *err) ARC_WUR;

/* Lower-case hex of a digest, NUL-terminated, into hex (ARC_SHA256_HEX). */
void arc_sha256_hex(const unsigned char digest[ARC_SHA256_LEN], char hex[ARC_SHA256_HEX]);

#endif

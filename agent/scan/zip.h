/* Reading a zip container with bounds: the decompressed size of each member
 * and of all members together, and the number of entries. Only the central
 * directory is trusted (libarchive's seekable zip reader), so a truncated
 * file is an error rather than a guess. */
#ifndef LETHE_SCAN_ZIP_H
#define LETHE_SCAN_ZIP_H

#include <stddef.h>
#include <stdint.h>
#include "formats.h"

struct archive;

struct zip {
  struct archive *a;
  const struct scan_input *in;
  const struct scan_limits *lim;
  unsigned char *io;       /* read callback buffer */
  uint64_t pos;            /* input offset of the next read */
  uint64_t total;          /* decompressed bytes so far, all members */
  uint64_t member_bytes;   /* of the current member */
  unsigned entries;
  char member[256];        /* the current member's name */
};

/* Open the container (from its start; twice is fine). */
lethe_rc zip_open(struct zip *z, const struct scan_input *in, const struct scan_limits *lim,
                  char *err, size_t errlen) WUR;

/* Move to the next member: *name is its path, or NULL past the last. */
lethe_rc zip_next(struct zip *z, const char **name, char *err, size_t errlen) WUR;

/* Read up to n decompressed bytes of the current member; *got = 0 at its
 * end. LETHE_E_RANGE past a bound, LETHE_E_PARSE for a corrupt member. */
lethe_rc zip_read(struct zip *z, void *buf, size_t n, size_t *got, char *err,
                  size_t errlen) WUR;

/* Close and free (safe on a zip that failed to open). */
void zip_close(struct zip *z);

#endif

/* The plan's spool: an unnamed temporary file (O_TMPFILE in $TMPDIR, gone
 * with the process) that holds what a plan lists until its report is
 * written, so a plan of millions of items costs disk, not memory.
 *
 * Bytes are appended through a buffer and written in large blocks, and read
 * back by byte range in large blocks: a plan writes and reads tens of
 * megabytes, and line-sized system calls cost it more than the bytes. */
#ifndef LETHE_SPOOL_H
#define LETHE_SPOOL_H

#include <stdint.h>
#include <stdio.h>

#include "dynbuf.h"

/* The size of the blocks the spool writes and reads. */
#define SPOOL_BLOCK (256 * 1024)

struct spool {
  int fd;
  struct dynbuf block;    /* appended, not yet written */
  uint64_t written;       /* bytes in the file */
};

/* Create the file in $TMPDIR (or /tmp); LETHE_E_IO with the directory named
 * in err when it cannot be made. */
lethe_rc spool_open(struct spool *s, struct lethe_err *err) WUR;

/* Append n bytes (written once a block is full; a large piece arriving at
 * an empty block is written at once, without a copy). */
lethe_rc spool_add(struct spool *s, const void *data, size_t n) WUR;

/* Where the next byte appended will be. */
uint64_t spool_tell(const struct spool *s);

/* Write what is buffered. */
lethe_rc spool_flush(struct spool *s) WUR;

/* Call fn with each '\n'-terminated line of the bytes [begin, end), without
 * its '\n'; lines may be up to max_line bytes. A line cut short by end, or
 * longer than max_line, is LETHE_E_IO. */
typedef lethe_rc (*spool_line_fn)(void *ctx, const char *line, size_t len);
lethe_rc spool_each_line(struct spool *s, uint64_t begin, uint64_t end, size_t max_line,
                         spool_line_fn fn, void *ctx) WUR;

/* Write the bytes [begin, end) to out as they are. */
lethe_rc spool_copy(struct spool *s, uint64_t begin, uint64_t end, FILE *out) WUR;

void spool_close(struct spool *s);

#endif

/* The sweep: every regular file below the folders lethe confirm looks in,
 * read by the personal-data scanner (scan.h). The walk is the agent's own
 * (walk.h): symlinks are never followed, other file systems never
 * entered. Files that hold nothing are forgotten as soon as they are read;
 * the sweep keeps the files with findings, and those it could not read
 * with why. */
#ifndef LETHE_SWEEP_H
#define LETHE_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "scan.h"

/* What becomes of a file with findings. */
enum sweep_fate {
  SWEEP_UNDECIDED,
  SWEEP_DELETE,
  SWEEP_KEEP,                 /* an exception, with its reason */
};

struct sweep_file {
  char *path;                 /* absolute */
  char *shown;                /* relative to the home directory when below it */
  size_t folder;              /* index of the folder it was found in */
  char *rel;                  /* relative to that folder */
  uint64_t size;
  struct scan_findings f;
  enum sweep_fate fate;
  char *reason;               /* SWEEP_KEEP: why */
};

struct sweep_unread {
  char *shown;
  char *why;
};

struct sweep {
  struct sweep_file *files;   /* with findings, in walk order */
  size_t n;
  struct sweep_unread *unread; /* could not be read: errors, refusals */
  size_t n_unread;
  uint64_t scanned;           /* files the scanner read */
  uint64_t not_read;          /* formats it does not read (binary, plain zip) */
};

/* Sweep each of the n folders (absolute paths) with rules; paths below home
 * are shown relative to it. A folder that does not exist is skipped (its
 * absence is no finding); one that cannot be opened is an error. */
lethe_rc sweep_run(struct sweep *s, const struct scan_rules *rules, const char *const *folders,
                   size_t n, const char *home, struct lethe_err *err) WUR;

/* Scan one file again (after deletions: what is left), by its absolute
 * path. *gone when it no longer exists. */
lethe_rc sweep_rescan(const struct scan_rules *rules, const struct sweep_file *f,
                      struct scan_findings *out, bool *gone) WUR;

void sweep_release(struct sweep *s);

#endif

/* archive-purge: delete entries from an archive by rewriting it.
 *
 * The archive is never changed in place. A purge copies every entry it keeps
 * into a new archive beside the original, in the same format (for tar, the
 * same variant) through the same compression, the way `bsdtar -cf new @old`
 * copies, then reads the new archive back and checks it, then swaps it in
 * under the archive's name and disposes of the old data. Each step is its own
 * function, so that the host can journal between them:
 *
 *   struct purge_job job;
 *   purge_job_init(&job, dirfd, "backup-2019.tar.zst", "RUN8", "SEQ", &planned_id);
 *   rc = purge_job_add(&job, "Clients/ACME", 12, NULL, &err);      (repeat)
 *   rc = purge_write(&job, &err);      a. write .lethe-purge-RUN-SEQ.partial, fsync
 *   rc = purge_verify(&job, &err);     b. read it back and compare
 *   rc = purge_swap(&job, &err);       c. link the original to .old, swap names, fsync
 *   rc = purge_dispose(&job, &hook, &err);  d. overwrite and unlink .old
 *   purge_report_json(&job.report, stdout);
 *   purge_job_release(&job);
 *
 * After a crash, purge_recover() with the same names finishes or undoes what
 * was left, so that the file under the archive's name is always either the
 * original or the verified purged archive.
 *
 * Any step that fails leaves the original archive as it was and removes what
 * the purge had made; the error names the reason: the archive changed since
 * it was listed (LETHE_E_CHANGED), it is corrupt or truncated
 * (LETHE_E_PARSE), or the purge refuses it (LETHE_E_UNSAFE): encrypted
 * entries, a format or filter libarchive cannot write back, an entry whose
 * metadata the format's writer would lose (named), a multiply-linked archive
 * (its other names would keep the data). */
#ifndef LETHE_PURGE_H
#define LETHE_PURGE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arc_err.h"
#include "arc_reader.h"
#include "arc_source.h"

/* RUN and SEQ: 1..32 characters of [A-Za-z0-9_-]. */
#define PURGE_TAG_MAX 32
#define PURGE_TMPNAME_MAX (PURGE_TAG_MAX * 2 + 32)

/* What the caller expects of an entry it asks to purge (the item's identity
 * in the plan). A mismatch is LETHE_E_CHANGED. */
struct purge_expect {
  int64_t size;
  int64_t mtime;     /* seconds */
};

/* One path asked for: the entry with this name, or a directory: it and
 * everything below it. */
struct purge_target {
  char *path;        /* raw bytes, trailing '/' removed, NUL-terminated */
  size_t len;
  bool has_expect;
  struct purge_expect expect;
  bool exact;        /* only the entry of this name, not what lies below it */
  uint64_t matched;  /* entries it matched in the archive */
};

/* The paths to purge, sorted for lookup. */
struct purge_set {
  struct purge_target *v;
  size_t n;
  size_t cap;
  bool sorted;
};

/* An entry removed, for the report. */
struct purge_removed {
  char *path;        /* raw bytes, NUL-terminated */
  size_t len;
  enum arc_type type;
  int64_t size;      /* logical size (holes included) */
  char sha256[ARC_SHA256_HEX];  /* of the logical contents; "" if no data */
};

/* Metadata the rewrite did not keep for some entries (one per ARC_KEEP_*
 * bit), or a remark on the whole archive. */
struct purge_note {
  unsigned flag;     /* ARC_KEEP_* bit, or 0 for a remark */
  bool warning;      /* a writer's warning about something verification
                      * then found intact (a name stored as raw bytes) */
  uint64_t count;    /* entries concerned */
  char text[512];    /* what, and the first entry concerned */
};

struct purge_report {
  char archive[NAME_MAX + 1];  /* the archive's name in its directory */
  char format[64];             /* "tar (GNU)" */
  char filters[64];            /* "zstd", "gzip", "" */
  char written_as[64];         /* format written, when not the one read */
  uint64_t old_size;
  char old_sha256[ARC_SHA256_HEX];
  uint64_t new_size;
  char new_sha256[ARC_SHA256_HEX];
  uint64_t entries;            /* entries in the original */
  uint64_t kept;               /* entries copied */
  uint64_t links_repaired;     /* hard links that took over purged data */
  struct purge_removed *removed;
  size_t n_removed;
  size_t cap_removed;
  struct purge_note *notes;
  size_t n_notes;
  size_t cap_notes;
  char level[64];              /* sanitization level of the old data */
  char method[256];            /* how it was disposed of */
  char state[32];              /* see purge_state_name() */
};

/* Disposing of the old archive's data (step d). The hook receives the
 * directory and the name of the old data (.lethe-purge-RUN-SEQ.old) and the
 * identity it must still have; it overwrites it as it honestly can, unlinks
 * it, and writes the sanitization level ("clear", "logical-delete") and a
 * short method into level and method. Lethe's shred core plugs in here. */
struct purge_dispose_hook {
  lethe_rc (*dispose)(void *ctx, int dirfd, const char *name, const struct arc_id *expect,
                      char *level, size_t levellen, char *method, size_t methodlen,
                      struct arc_err *err);
  void *ctx;
};

/* The default hook: unlinkat (after checking dev and ino), level
 * "logical-delete". */
extern const struct purge_dispose_hook purge_dispose_unlink;

/* Where a purge stands; purge_recover() says which state it found. */
enum purge_state {
  PURGE_ST_NEW,          /* nothing done */
  PURGE_ST_WRITTEN,      /* .partial written and fsynced */
  PURGE_ST_VERIFIED,     /* .partial read back and checked */
  PURGE_ST_SWAPPED,      /* purged archive under the name, old data in .old */
  PURGE_ST_DONE,         /* old data disposed of */
  PURGE_ST_ROLLED_BACK,  /* recovery: the original is kept, leftovers removed */
  PURGE_ST_CLEAN,        /* recovery: nothing was left to do */
};

struct purge_job {
  int dirfd;                        /* not owned */
  char name[NAME_MAX + 1];
  char partial[PURGE_TMPNAME_MAX];  /* .lethe-purge-RUN-SEQ.partial */
  char old[PURGE_TMPNAME_MAX];      /* .lethe-purge-RUN-SEQ.old */
  struct arc_id expect;             /* the archive as planned */
  bool has_expect;
  struct arc_id orig;               /* the archive as read by purge_write */
  struct arc_id written;            /* the .partial as written */
  struct purge_set set;
  enum purge_state state;
  int write_format;                 /* ARCHIVE_FORMAT_* written */
  int filters[8];                   /* filter codes, next to the format first */
  size_t n_filters;
  FILE *spill;                      /* records of the kept entries */
  bool made_partial;                /* .partial is ours to remove on failure */
  struct purge_report report;
};

/* Set up a job for the archive name in dirfd. run and seq name the temporary
 * files; expect is the archive's identity as planned (NULL: whatever it is
 * when purge_write opens it). LETHE_E_USAGE for a bad name or tag. */
lethe_rc purge_job_init(struct purge_job *job, int dirfd, const char *name, const char *run,
                        const char *seq, const struct arc_id *expect,
                        struct arc_err *err) ARC_WUR;

/* Ask for the entry path (len bytes, raw) to be purged: the entry of that
 * name, or if it is a directory, it and everything below it. expect may be
 * NULL. LETHE_E_USAGE for an empty path. */
lethe_rc purge_job_add(struct purge_job *job, const char *path, size_t len,
                       const struct purge_expect *expect, struct arc_err *err) ARC_WUR;

/* Like purge_job_add, but the entry of that name only: a directory entry
 * goes, what lies below it is left to its own requests (Lethe asks for each
 * entry a rule selects, so that an entry the rule excepts is never purged
 * with its folder). */
lethe_rc purge_job_add_exact(struct purge_job *job, const char *path, size_t len,
                             const struct purge_expect *expect, struct arc_err *err) ARC_WUR;

/* Free everything the job holds (never closes dirfd). */
void purge_job_release(struct purge_job *job);

/* Step a: copy the kept entries into .partial and fsync it. Every path asked
 * for must match at least one entry (else LETHE_E_CHANGED, nothing left
 * behind). */
lethe_rc purge_write(struct purge_job *job, struct arc_err *err) ARC_WUR;

/* Step b: read .partial back: same format and filters, the kept entries in
 * the same order with the same metadata and data (SHA-256), none of the
 * purged ones. On failure .partial is removed. */
lethe_rc purge_verify(struct purge_job *job, struct arc_err *err) ARC_WUR;

/* Step c: check that the archive is still the one planned and read, keep its
 * data reachable as .old, swap .partial in under its name and fsync the
 * directory. LETHE_E_CHANGED (and nothing changed) if the archive changed. */
lethe_rc purge_swap(struct purge_job *job, struct arc_err *err) ARC_WUR;

/* Step d: dispose of .old through hook (purge_dispose_unlink if NULL), fsync
 * the directory, and record the level and method in the report. */
lethe_rc purge_dispose(struct purge_job *job, const struct purge_dispose_hook *hook,
                       struct arc_err *err) ARC_WUR;

/* Steps a to d in turn; on failure the state tells how far it went. */
lethe_rc purge_run(struct purge_job *job, const struct purge_dispose_hook *hook,
                   struct arc_err *err) ARC_WUR;

/* Step e: after a crash, find what a purge of name with tags run and seq
 * left in dirfd and finish or undo it: a .partial alone is removed (the
 * original was never touched); purged archive swapped in and .old present:
 * .old is disposed of through hook; .old linked but not swapped: the links
 * are removed and the original stays. *state says which (PURGE_ST_DONE,
 * PURGE_ST_ROLLED_BACK or PURGE_ST_CLEAN); level and method (may be NULL)
 * receive the hook's when it ran. LETHE_E_CHANGED when the name holds a file
 * that is neither (left alone). */
lethe_rc purge_recover(int dirfd, const char *name, const char *run, const char *seq,
                       const struct purge_dispose_hook *hook, enum purge_state *state,
                       char *level, size_t levellen, struct arc_err *err) ARC_WUR;

/* "new", "written", "verified", "swapped", "done", "rolled-back", "clean". */
const char *purge_state_name(enum purge_state s);

/* Write the report as one JSON object and a newline:
 * {"archive","format","filters","written_as","old":{"size","sha256"},
 *  "new":{"size","sha256"},"entries","kept","links_repaired",
 *  "removed":[{"path","type","size","sha256"}],"not_kept":[TEXT],"warnings":[TEXT],
 *  "level","method","state"}.
 * Paths are percent-encoded (bytes outside printable ASCII, '%' and '"' and
 * '\\' as %XX), so the JSON is ASCII whatever the names. LETHE_E_IO if out
 * fails. */
lethe_rc purge_report_json(const struct purge_report *r, FILE *out) ARC_WUR;

/* Test builds (LETHE_FAULT_INJECTION): count calls, and when the count
 * reaches $LETHE_TEST_KILL_AT, print where to stderr and SIGKILL the
 * process. A no-op otherwise. */
void purge_fault_point(const char *where);

#endif

/* archive-then-graph-delete internals: the state of a rule, and the two
 * archive hooks of the Graph deletion engine (../common/gdel.h), one for
 * mail (atgd_mail.c: each message's MIME text, GET .../$value, staged into
 * an mbox archive) and one for drive items (atgd_drive.c: each file's
 * content, through the pre-authenticated download URL its /content answers
 * with, into a tar). Either archive is fsynced and read back before the
 * engine deletes anything in it. */
#ifndef LETHE_ATGD_H
#define LETHE_ATGD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdel.h"
#include "mbox_archive.h"

#define ATGD_PATH_MAX 400             /* keeps an outcome's detail readable */
#define ATGD_MESSAGE_MAX ((size_t)128 << 20)
#define ATGD_STAGE_MAX ((size_t)256 << 20)

struct atgd_state {
  struct gdel_session s;
  char *dir;                  /* archive-path */
  int dirfd;
  const struct mbox_format *fmt;
  char rule[65];              /* sanitised names for archive files */
  char where[65];
  char name[256];             /* the archive being written, in dir */
  char partial[270];          /* ".partial-" + name, until verified */
  char run_id[64];            /* the host's run id: names archives for recovery */
  uint64_t first, last;       /* the batch's journal numbers (atgd_batch) */
  char path[ATGD_PATH_MAX + 260]; /* dir/name, for outcomes */
  char method[1024];          /* for certificates */
};

/* The archive hooks (gdel_archive_fn). */
lethe_rc atgd_mail(void *ctx, struct gdel_session *s, struct gdel_target *t, size_t n,
                   const struct lethe_item *const *items, struct lethe_outcome *const *outs,
                   struct lethe_err *err);
lethe_rc atgd_drive(void *ctx, struct gdel_session *s, struct gdel_target *t, size_t n,
                    const struct lethe_item *const *items, struct lethe_outcome *const *outs,
                    struct lethe_err *err);

/* Create a new archive file in st->dir, named RULE-WHERE-STAMP-TAG.EXT
 * (st->name, st->path; TAG: RUN8-FIRST-LAST of atgd_batch, or random hex
 * digits) but created as ".partial-" + that name until atgd_commit, open
 * for reading and writing. */
lethe_rc atgd_create(struct atgd_state *st, int *fd, struct lethe_err *err) WUR;

/* Note the journal numbers of the chosen targets of a batch: the name of
 * its archive carries them, for recovery (../common/archive_recover.h). */
void atgd_batch(struct atgd_state *st, const struct gdel_target *t, size_t n,
                const struct lethe_item *const *items);

/* Give the archive written and verified through fd (closed by the caller)
 * its name, never replacing a file, and fsync the directory. */
lethe_rc atgd_commit(struct atgd_state *st, struct lethe_err *err) WUR;

/* Remove the archive being written (after a failure). */
void atgd_discard(struct atgd_state *st);

/* Clear chosen on every target still chosen, with a FAILED outcome saying
 * it was not archived and why. */
void atgd_refuse(struct gdel_target *t, size_t n, struct lethe_outcome *const *outs,
                 const char *why);

/* Mark the chosen targets as held by the archive just written (its whole
 * SHA-256 in hex). */
void atgd_archived(struct atgd_state *st, struct gdel_target *t, size_t n, const char *hex);

#endif

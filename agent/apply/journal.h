/* The write-ahead journal of a run: an append-only file of JSON lines in
 * STATE/journal/RUN.jsonl. Before any item is deleted, its intent is on disk
 * (fdatasync'd); after, its outcome. Records are buffered and made durable in
 * groups by journal_commit(), so a batch of intents costs one fdatasync.
 *
 * Records (journal_record.h): begin, rule, intent, outcome, skip, end. A
 * journal without "end" belongs to a run that stopped early; recovery
 * completes it.
 *
 * A crash can leave the last line torn (no newline, or not JSON): readers
 * ignore such a final line, which by construction recorded nothing that had
 * happened yet. A bad line anywhere else is corruption and an error. */
#ifndef LETHE_JOURNAL_H
#define LETHE_JOURNAL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "dynbuf.h"
#include "journal_record.h"
#include "uuid.h"

#define JOURNAL_DIR "journal"

struct journal {
  int fd;
  int dirfd;                 /* STATE/journal */
  char run_id[UUID_TEXT_LEN];
  uint64_t next_seq;
  struct dynbuf pending;     /* records not yet written */
  unsigned long commits;     /* for the test fault hook */
};

/* Create STATE/journal (0700) if needed, and open it as a directory fd.
 * Returns the fd or -1 with err set. */
int journal_open_dir(const char *state_dir, struct lethe_err *err);

/* Start a new journal for a run applying the plan named plan_hash, and
 * write and sync its "begin" record. */
lethe_rc journal_begin(struct journal *j, const char *state_dir, const char *plan_hash,
                       struct lethe_err *err) WUR;

/* Reopen an existing unfinished journal for appending (recovery). */
lethe_rc journal_reopen(struct journal *j, int dirfd, const char *name,
                        struct lethe_err *err) WUR;

/* Buffer one record (see journal_record.h). */
lethe_rc journal_append(struct journal *j, const struct journal_record *rec) WUR;

/* Write every buffered record and fdatasync the file. */
lethe_rc journal_commit(struct journal *j, struct lethe_err *err) WUR;

/* Add an "end" record, commit, and close. */
lethe_rc journal_end(struct journal *j, const char *status, struct lethe_err *err) WUR;

/* Close without an "end" record (the run stops early; recovery will finish). */
void journal_close(struct journal *j);

/* Call fn on every complete record of the journal file name in dirfd, in
 * order; line numbers start at 1. A torn final line is skipped, and when
 * torn_at is not NULL its byte offset is stored there (-1: none), so that
 * recovery can cut it off before appending; any other unparsable line, or a
 * line that is no record, is LETHE_E_PARSE naming it. The record's strings
 * live until fn returns. */
typedef lethe_rc (*journal_record_fn)(void *ctx, const struct journal_record *rec, int line);
lethe_rc journal_read(int dirfd, const char *name, journal_record_fn fn, void *ctx,
                      long *torn_at, struct lethe_err *err) WUR;

/* What a journal's first and last lines say, read without the lines
 * between (a finished run's journal can be large): started, the "begin"
 * record's time ("" without one), and ended, whether its last complete
 * record is "end" (lethe writes nothing after it). */
struct journal_peek {
  bool ended;
  char started[32];
};
lethe_rc journal_peek(int dirfd, const char *name, struct journal_peek *out,
                      struct lethe_err *err) WUR;

/* Parse journal text already in memory (for tests and journal_read). */
lethe_rc journal_parse(const char *text, size_t len, const char *name, journal_record_fn fn,
                       void *ctx, long *torn_at, struct lethe_err *err) WUR;

/* Test-only fault hook, compiled in only with -Dfault_injection (never in
 * a release build): if $LETHE_TEST_KILL_AT is N, the N-th call of this
 * function in the process (counted over every fault point) kills the
 * process with SIGKILL, imitating a crash at that instant. */
void journal_fault_point(void);

#endif

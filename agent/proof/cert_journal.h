/* A run's journal read for its certificate, as it streams: first what the
 * run was (cert_run_read: begin, rules, end), then its items one by one in
 * journal order (cert_journal_items), each intent joined with its outcome.
 * Memory holds only the intents whose outcomes are still to come: a batch
 * (apply writes a batch's intents, then their outcomes), never the run. */
#ifndef LETHE_CERT_JOURNAL_H
#define LETHE_CERT_JOURNAL_H

#include <stdbool.h>

#include "certificate.h"
#include "journal.h"

/* Where a journal is: the file name in dirfd, or (tests) text in memory,
 * which name then only names in messages. */
struct cert_journal {
  int dirfd;
  const char *name;
  const char *text;
  size_t len;
};

/* A person's approval of the run's plan, from an "approval" record. */
struct cert_approval {
  char *principal, *fingerprint, *approved_at, *message, *signature;
};

/* What the journal says of its run. Strings are owned (NULL: not given). */
struct cert_run {
  char id[UUID_TEXT_LEN];     /* the begin record's run, else the file name's */
  bool ended;                 /* it has its "end" record */
  bool recovered;             /* its status is "recovered" */
  char *plan, *started, *finished, *status;
  struct journal_rule_copy *rules;
  size_t n_rules;
  struct cert_approval *approvals;
  size_t n_approvals;
};

/* Read j's begin, rule, approval and end records into run. LETHE_E_PARSE when the
 * journal gives no run id. */
lethe_rc cert_run_read(const struct cert_journal *j, struct cert_run *run,
                       struct lethe_err *err) WUR;

void cert_run_release(struct cert_run *run);

/* Call fn on each item of j, in the order of its intent and skip records:
 * the result normalised to deleted, failed, skipped or held; an intent with
 * no outcome is failed ("no outcome recorded in the journal"); the
 * plugin's detail in canonical form. The item's strings live until fn
 * returns. */
lethe_rc cert_journal_items(const struct cert_journal *j, cert_item_fn fn, void *ctx,
                            struct lethe_err *err) WUR;

#endif

/* Making lethe confirm's attestation: the header from the configuration
 * and the scan, the tallies before and after, the certificates the ledger
 * holds since the last attestation, the exceptions and the files that
 * could not be read; then its canonical bytes and signature. */
#ifndef LETHE_CONFIRM_ATTEST_H
#define LETHE_CONFIRM_ATTEST_H

#include "attestation.h"
#include "confirm_config.h"
#include "confirm_ledger.h"
#include "sshsig.h"
#include "sweep.h"

/* The words signed when the configuration gives none. */
#define CONFIRM_DEFAULT_STATEMENT \
  "I confirm that I hold no personal data or confidential information of the " \
  "organisation or its clients on this computer or elsewhere, other than the " \
  "exceptions listed here with their reasons. The folders listed were scanned for " \
  "personal data; every file found was deleted, as the certificates listed prove, " \
  "or kept as a listed exception."

struct confirm_attest_in {
  const struct confirm_config *c;
  const struct sweep *s;
  const struct scan_rules *rules;
  const struct confirm_history *h;
  const struct sshsig_key *key;
  const char *project;            /* --project, or NULL */
  int64_t now;
};

/* The signed attestation, ready to commit. */
struct confirm_attest_out {
  char id[UUID_TEXT_LEN];
  char path[128];
  struct dynbuf json;
  struct dynbuf sig;
  uint64_t remaining;             /* values left after, in kept files */
};

/* Build and sign. out's buffers are initialised here. */
lethe_rc confirm_attest_make(const struct confirm_attest_in *in, struct confirm_attest_out *out,
                             struct lethe_err *err) WUR;

void confirm_attest_release(struct confirm_attest_out *out);

#endif

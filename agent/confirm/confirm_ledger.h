/* lethe confirm and the trainer's own ledger: what it certified since the
 * last attestation, committing the new attestation, and pushing the
 * ledger to the central one, on the trainer's own branch there.
 *
 * The ledger is the same git ledger servers keep (ledger.h,
 * lethe-certificate(5)); an attestation is one signed commit adding
 * attestations/YYYY/MM/ID.json and ID.json.sig, and allowed_signers is
 * given a line for the trainer's key (principal: their e-mail address,
 * namespaces git, certificate@lethe and attestation@lethe) when it has
 * none. */
#ifndef LETHE_CONFIRM_LEDGER_H
#define LETHE_CONFIRM_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include "certificate.h"
#include "confirm_config.h"
#include "sshsig.h"

struct confirm_cert {
  char id[UUID_TEXT_LEN];
  char path[128];
  char sha256[SHA256_HEX_LEN];
  uint64_t deleted;
  uint64_t failed;
};

/* What the ledger holds since the last attestation. */
struct confirm_history {
  struct confirm_cert *certs;     /* oldest first */
  size_t n;
  bool has_last;                  /* an attestation before */
  int64_t last_attested_at;
};

/* Read the history of the ledger at dir (an absent ledger has none). */
lethe_rc confirm_history_read(const char *dir, struct confirm_history *h,
                              struct lethe_err *err) WUR;

void confirm_history_release(struct confirm_history *h);

/* One attestation to commit. */
struct confirm_record {
  const char *path;               /* attestations/YYYY/MM/ID.json */
  const struct dynbuf *json;
  const struct dynbuf *sig;
  const char *id;
};

/* Commit the attestation to c's ledger, signed with key. The commit's id
 * goes to hex (GIT_OID_HEXSZ + 1 bytes). */
lethe_rc confirm_ledger_commit(const struct confirm_config *c, const struct sshsig_key *key,
                               const struct confirm_record *rec, char *hex,
                               struct lethe_err *err) WUR;

/* Push the ledger to c's remote, on its branch there. *pushed false (and
 * LETHE_OK) without a remote or a ledger. */
lethe_rc confirm_ledger_push(const struct confirm_config *c, bool *pushed,
                             struct lethe_err *err) WUR;

#endif

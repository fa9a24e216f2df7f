/* Checking a ledger: every certificate's signature, the chain of
 * previous-certificate hashes, every commit's signature and what it
 * changes, and that history only grew since the head verified last. Also
 * the allowed_signers file both lethe verify and certification read. */
#ifndef LETHE_VERIFY_H
#define LETHE_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "dynbuf.h"
#include "sshsig.h"

#define VERIFIED_HEAD_FILE "ledger-verified-head"

/* One line of an allowed_signers file (ssh-keygen(1), ALLOWED SIGNERS)
 * with an Ed25519 key. */
struct signer {
  struct sshsig_key *key;
  char *principals;
  char *namespaces;           /* the namespaces="..." option, or NULL: any */
};

struct signers {
  struct signer *v;
  size_t n;
};

/* Parse allowed_signers text. Lines with other key types or the
 * cert-authority option are left out (lethe never signs with them); a line
 * that is not of the form at all is LETHE_E_PARSE naming name and line. */
lethe_rc signers_parse(struct signers *s, const char *text, size_t len, const char *name,
                       struct lethe_err *err) WUR;

/* The entry for key that allows namespace ns, or NULL. */
const struct signer *signers_find(const struct signers *s, const struct sshsig_key *key,
                                  const char *ns);

void signers_release(struct signers *s);

struct verify_opts {
  const char *ledger_dir;
  const char *state_dir;       /* holds VERIFIED_HEAD_FILE; NULL: no append-only check */
  char *const *certs;          /* certificate files to check as well */
  size_t n_certs;
};

/* Progress lines ("ok: ..."), for the front end to print. */
typedef void (*verify_note_fn)(void *ctx, const char *line);

/* Verify the ledger (and the certificate files named). LETHE_OK when all
 * holds, and then the head is recorded in state_dir; LETHE_E_UNSAFE with
 * the first failure named in err when something does not; other codes when
 * the ledger cannot be read at all. */
lethe_rc verify_ledger(const struct verify_opts *o, verify_note_fn note, void *ctx,
                       struct lethe_err *err) WUR;

#endif

/* Finding every attestation in the central ledger and judging it against
 * the roster.
 *
 * The central ledger is a git repository (bare or not) that servers and
 * trainers push to, each on a branch of its own. Every branch
 * (refs/heads/) and remote-tracking branch (refs/remotes/) is read: the
 * files attestations/YYYY/MM/ID.json at its tip, each with ID.json.sig.
 * The same file reached from several branches counts once.
 *
 * An attestation is accepted when its signature verifies in namespace
 * attestation@lethe, the signing key is in the roster, and the attestation
 * names that key's owner (e-mail address and key fingerprint); otherwise
 * it is rejected, with the reason. Reading only: nothing is written. */
#ifndef LETHE_COLLECT_H
#define LETHE_COLLECT_H

#include <stddef.h>

#include "attestation.h"
#include "roster.h"

struct attest_found {
  struct attest_summary s;
  const struct roster_row *row;   /* the roster row of the signing key */
  char *ref;                      /* the first branch it was found on */
  char *path;
};

struct attest_rejected {
  char *ref;
  char *path;
  char *why;
};

struct attest_set {
  struct attest_found *ok;
  size_t n_ok;
  struct attest_rejected *bad;
  size_t n_bad;
  size_t branches;                /* branches read */
};

/* Read and judge every attestation in the repository at dir. An error only
 * when the repository cannot be read at all (LETHE_E_NOTFOUND: not a git
 * repository); a bad attestation is a rejection, not an error. */
lethe_rc attest_collect(const char *dir, const struct roster *r, struct attest_set *out,
                        struct lethe_err *err) WUR;

void attest_set_release(struct attest_set *s);

#endif

/* Shared by verify.c, verify_commits.c and verify_certs.c: the state of one
 * verification and the helpers that report on it. Not a public interface. */
#ifndef LETHE_VERIFY_INTERNAL_H
#define LETHE_VERIFY_INTERNAL_H

#include <git2.h>
#include <stdbool.h>

#include "certificate.h"
#include "ledger.h"
#include "verify.h"

struct cert {
  char *path;                 /* certificates/YYYY/MM/ID.json */
  git_oid json, sig;
  bool has_sig;
  size_t order;               /* when history added it */
};

struct verifier {
  const struct verify_opts *o;
  verify_note_fn note;
  void *ctx;
  struct lethe_err *err;
  struct ledger l;
  git_oid head;
  git_oid *commits;           /* first-parent line, oldest first */
  size_t n_commits;
  struct signers signers;     /* allowed_signers at HEAD */
  struct cert *certs;
  size_t n_certs;
  char **strays;              /* files that do not belong */
  size_t n_strays;
  size_t next_order;
  char commit_failure[1024];  /* the first problem of any commit */
  struct signers commit_signers; /* trusted for the commit being checked */
  git_oid commit_signers_blob;
  bool have_commit_signers;
};

/* Report a note through the caller's callback. */
void verify_note(struct verifier *v, const char *fmt, ...) PRINTF(2, 3);

/* Record the first failure (LETHE_E_UNSAFE) and return its code. */
lethe_rc verify_fail(struct verifier *v, const char *fmt, ...) PRINTF(2, 3);

/* The first 12 hex digits of id, in buf (13 bytes). */
const char *verify_short_id(const git_oid *id, char *buf);

/* The reason part of an error message. */
const char *verify_why_not(const char *msg);

/* Read the blob id from the ledger into out. */
lethe_rc verify_read_blob(struct verifier *v, const git_oid *id, struct dynbuf *out);

/* True if s ends with suffix. */
bool verify_has_suffix(const char *s, const char *suffix);

/* True if path lies below certificates/. */
bool verify_under_certificates(const char *path);

/* Scan every commit (what it changes), judge its signature and message. */
lethe_rc verify_scan_commits(struct verifier *v);

/* Check each certificate's form and signature; its hash goes to hashes[i]. */
lethe_rc verify_check_certificates(struct verifier *v, char (*hashes)[SHA256_HEX_LEN]);

/* Check the chain of previous-certificate hashes. */
lethe_rc verify_check_chain(struct verifier *v, char (*hashes)[SHA256_HEX_LEN]);

/* Check the signature over json with the ledger's signers; what names it. */
lethe_rc verify_check_signature(struct verifier *v, const char *what, const struct dynbuf *json,
                                const struct dynbuf *sig);

#endif

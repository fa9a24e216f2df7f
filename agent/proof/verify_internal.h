/* Shared by verify.c, verify_files.c, verify_commits.c, verify_certs.c,
 * verify_parts.c, verify_named.c and verify_attest.c: the state of one verification and the
 * helpers that report on it. Not a public interface. */
#ifndef LETHE_VERIFY_INTERNAL_H
#define LETHE_VERIFY_INTERNAL_H

#include <git2.h>
#include <stdbool.h>

#include "cert_read.h"
#include "certificate.h"
#include "ledger.h"
#include "verify.h"

/* A certificate at HEAD (certificates/YYYY/MM/ID.json). */
struct cert {
  char *path;
  git_oid json, sig;
  bool has_sig;
  size_t order;               /* when history added it */
  char hash[SHA256_HEX_LEN];  /* of its bytes, once checked */
  char previous[SHA256_HEX_LEN]; /* its "previous", "" for null */
};

/* A part at HEAD (certificates/YYYY/MM/ID.part-NNNN.json). */
struct cert_part {
  char *path;
  git_oid json, sig;
  bool has_sig;
  bool listed;                /* a certificate lists it */
  char hash[SHA256_HEX_LEN];
};

/* A commit whose message must give the SHA-256 of the certificate it adds,
 * checked once the certificates are hashed. */
struct msg_check {
  size_t commit;              /* index into commits */
  git_oid blob;               /* the certificate it adds */
  char claimed[SHA256_HEX_LEN]; /* what its message gives, "" none */
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
  struct cert_part *parts;
  size_t n_parts;
  char **strays;              /* files that do not belong */
  size_t n_strays;
  size_t next_order;
  char commit_failure[1024];  /* the first problem of any commit */
  size_t commit_failure_at;   /* its commit's index, SIZE_MAX none */
  struct msg_check *msg_checks;
  size_t n_msg_checks;
  struct signers commit_signers; /* trusted for the commit being checked */
  git_oid commit_signers_blob;
  bool have_commit_signers;
};

/* An attestation's file (verify_attest.c): attestations/YYYY/MM/ID.json,
 * its signature, or neither. */
enum attest_file { ATTEST_NONE, ATTEST_JSON, ATTEST_SIG };
enum attest_file verify_attestation_file(const char *path);

/* Check the attestation blob json against its signature sig and the keys
 * trusted; what is wrong (if anything) into problem (n bytes). */
void verify_attestation(struct verifier *v, const git_oid *json, const git_oid *sig,
                        const struct signers *trusted, char *problem, size_t n);

/* Report a note through the caller's callback. */
void verify_note(struct verifier *v, const char *fmt, ...) PRINTF(2, 3);

/* Record the first failure (LETHE_E_UNSAFE) and return its code. */
lethe_rc verify_fail(struct verifier *v, const char *fmt, ...) PRINTF(2, 3);

/* The first 12 hex digits of id, in buf (13 bytes). */
const char *verify_short_id(const git_oid *id, char *buf);

/* The reason part of an error message. */
const char *verify_why_not(const char *msg);

/* Read the blob id from the ledger into out (small files: allowed_signers,
 * signatures). */
lethe_rc verify_read_blob(struct verifier *v, const git_oid *id, struct dynbuf *out);

/* True if path lies below certificates/. */
bool verify_under_certificates(const char *path);

/* List the files at HEAD: certificates, parts, signatures, strays. */
lethe_rc verify_list_files(struct verifier *v);

/* Scan every commit (what it changes), judge its signature; the messages
 * wait for verify_check_messages. */
lethe_rc verify_scan_commits(struct verifier *v);

/* Check each certificate's signature, form and parts, keeping its hash and
 * previous. */
lethe_rc verify_check_certificates(struct verifier *v);

/* Check the chain of previous-certificate hashes. */
lethe_rc verify_check_chain(struct verifier *v);

/* Check the commit messages against the certificates' hashes; the first
 * commit with a problem (of any kind) is then named. */
lethe_rc verify_check_messages(struct verifier *v);

/* Check the certificate files named on the command line. */
lethe_rc verify_check_named(struct verifier *v, const char *file);

/* ---- one file, read once for all its checks (verify_parts.c) ---- */

/* A file read as it streams: its signature, its SHA-256 and (when reader
 * is set) its form, all in the one pass. */
struct file_check {
  struct sshsig_check *sig;   /* NULL once ended */
  void *sha;                  /* EVP_MD_CTX */
  struct cert_reader *reader;
  lethe_rc read_rc;           /* the reader's first error */
  struct lethe_err sig_err;   /* why the signature was refused */
};

/* Begin: the armored signature text, and a strict reader or NULL. An
 * unreadable signature is kept in fc->sig_err for verify_file_end. */
lethe_rc verify_file_begin(struct file_check *fc, const struct dynbuf *armored,
                           struct cert_reader *reader);

/* Feed the next bytes (a ledger_bytes_fn). */
lethe_rc verify_file_feed(void *fc, const void *data, size_t n);

/* The verdict on the signature (by a key allowed for certificates), named
 * by what; the file's hash into hash. The reader's verdict is in
 * fc->read_rc (finish it with cert_reader_finish first). */
lethe_rc verify_file_end(struct verifier *v, struct file_check *fc, const char *what,
                         char hash[SHA256_HEX_LEN]);

/* A certificate file of the ledger (its head or a part) at path, blob json
 * with its signature blob sig (has_sig false: none), read once as it
 * streams into r (a strict reader the caller set up and releases): its
 * signature by a key allowed for certificates, its hash into hash, its
 * canonical form. The first failure is recorded (verify_fail); r holds
 * what was read, for the caller's checks of the content. */
lethe_rc verify_signed_file(struct verifier *v, const char *path, bool has_sig,
                            const git_oid *json, const git_oid *sig, struct cert_reader *r,
                            char hash[SHA256_HEX_LEN]);

/* Check the parts a certificate lists (its reader's "parts"): each is at
 * HEAD beside it, signed, canonical, of that certificate and position, with
 * the listed hash and count; *items gets their rows. */
lethe_rc verify_check_parts(struct verifier *v, const struct cert *c,
                            const struct cert_reader *head, uint64_t *items);

#endif

/* The ledger: a git repository (libgit2) in which each certificate is one
 * SSH-signed commit adding certificates/YYYY/MM/ID.json and ID.json.sig,
 * with allowed_signers at the root. The branch only ever moves forward, by
 * compare-and-swap, so a concurrent writer cannot make a commit disappear;
 * the work tree and index follow, so `git status` stays clean.
 *
 * Layout and commit form: lethe-certificate(5). */
#ifndef LETHE_LEDGER_H
#define LETHE_LEDGER_H

#include <git2.h>
#include <stdbool.h>
#include <sys/uio.h>

#include "dynbuf.h"
#include "sshsig.h"

#define LEDGER_ALLOWED_SIGNERS "allowed_signers"
#define LEDGER_SIG_SUFFIX ".sig"

/* Beside certificates, a trainer's ledger holds the attestations of lethe
 * confirm (their format: agent/attest/attestation.h), each signed in
 * namespace SSHSIG_NS_ATTESTATION. */
#define ATTESTATION_DIR "attestations"
#define ATTESTATION_SCHEMA "lethe-attestation/1"

struct ledger {
  git_repository *repo;
  char *dir;
  char branch[256];     /* "refs/heads/main": where HEAD points */
  char warning[512];    /* set by ledger_append when the work tree lagged */
  int writer_fd;        /* a writer's lock on the directory, or -1 */
};

/* Open the repository at dir (never a parent's). With create (a writer),
 * first wait for the writer lock on dir (held until ledger_close: other
 * lethe writers of the same ledger, from other configurations, wait), then
 * remove git lock files a killed writer left (ledger_clear_stale_locks),
 * then make the repository (non-bare, branch main) if it does not exist. */
lethe_rc ledger_open(struct ledger *l, const char *dir, bool create,
                     struct lethe_err *err) WUR;

void ledger_close(struct ledger *l);

/* Remove *.lock files in dir/.git and below dir/.git/refs, each with a
 * warning (ledger_locks.c): only for a writer holding the ledger's lock. */
void ledger_clear_stale_locks(const char *dir);

/* The commit the branch points at; *unborn true (and head zeroed) when the
 * branch has no commit yet. */
lethe_rc ledger_head(struct ledger *l, git_oid *head, bool *unborn,
                     struct lethe_err *err) WUR;

/* Call fn for each path a commit changes against its first parent (the
 * empty tree for a root commit): status 'A' added, 'D' deleted, 'M'
 * modified or any other change; blob is the new content's id (the old for
 * 'D'). */
typedef lethe_rc (*ledger_change_fn)(void *ctx, char status, const char *path,
                                     const git_oid *blob);
lethe_rc ledger_changes(struct ledger *l, git_commit *commit, ledger_change_fn fn, void *ctx,
                        struct lethe_err *err) WUR;

/* The content of path in the tree of commit into out; *found false (and out
 * untouched) when there is no such file. */
lethe_rc ledger_read(struct ledger *l, const git_oid *commit, const char *path,
                     struct dynbuf *out, bool *found, struct lethe_err *err) WUR;

/* The hex SHA-256 of the newest certificate a commit on the branch added,
 * walking back from head; "" when there is none (the first certificate). */
lethe_rc ledger_last_certificate(struct ledger *l, const git_oid *head, char *hex,
                                 struct lethe_err *err) WUR;

/* Whether the tree of head holds a certificate for run id (in any month). */
lethe_rc ledger_find(struct ledger *l, const git_oid *head, const char *id, bool *found,
                     struct lethe_err *err) WUR;

/* A file to commit, its blob already written (ledger_blob_write). */
struct ledger_file {
  char path[256];
  git_oid id;
};

/* One certificate to commit: its files (the certificate, its parts, their
 * signatures), and allowed_signers when it must be added. */
struct ledger_entry {
  const struct ledger_file *files;
  size_t n_files;
  const char *allowed_signers;    /* also commit this at the root, or NULL */
  const char *message;            /* the commit message */
  const char *host;               /* for the author: "Lethe <lethe@HOST>" */
};

/* Write the concatenation of n pieces as a blob, streaming it into the
 * object database; its id into out. */
lethe_rc ledger_blob_write(struct ledger *l, const struct iovec *v, size_t n, git_oid *out,
                           struct lethe_err *err) WUR;

/* Call fn on the bytes of blob id, piece after piece (a packed object,
 * which libgit2 cannot stream, comes in one piece). An error fn returns
 * stops the reading and is returned. */
typedef lethe_rc (*ledger_bytes_fn)(void *ctx, const void *data, size_t n);
lethe_rc ledger_blob_stream(struct ledger *l, const git_oid *id, ledger_bytes_fn fn, void *ctx,
                            struct lethe_err *err) WUR;

/* The hex SHA-256 of blob id's bytes, read as they stream. */
lethe_rc ledger_hash_blob(struct ledger *l, const git_oid *id, char hex[65],
                          struct lethe_err *err) WUR;

/* Whether path is a certificate (certificates/YYYY/MM/ID.json), not one of
 * its parts or signatures. */
bool ledger_is_certificate(const char *path);

/* Commit e on top of expect (on an unborn branch when unborn), sign the
 * commit with key (namespace git, in the gpgsig header), and move the
 * branch to it only if it still points at expect: LETHE_E_CHANGED if it
 * moved meanwhile (nothing is lost: read the head again and retry). The
 * new commit goes to *out. */
lethe_rc ledger_append(struct ledger *l, const git_oid *expect, bool unborn,
                       const struct ledger_entry *e, const struct sshsig_key *key,
                       git_oid *out, struct lethe_err *err) WUR;

/* Push the branch to url (a path, file://, or ssh:// with an agent).
 * A rejection by the remote (not a fast-forward) is LETHE_E_CHANGED with the
 * remote's reason; other failures LETHE_E_IO. */
lethe_rc ledger_push(struct ledger *l, const char *url, struct lethe_err *err) WUR;

/* The same, to the branch dest on the remote ("refs/heads/NAME"): many
 * writers (lethe confirm on each trainer's machine) push to one central
 * ledger, each on a branch of its own. */
lethe_rc ledger_push_to(struct ledger *l, const char *url, const char *dest,
                        struct lethe_err *err) WUR;

/* url with any user:password@ part replaced by "***@", into buf. */
void ledger_redact_url(const char *url, char *buf, size_t size);

/* The message of the last libgit2 error, or "unknown error". */
const char *ledger_git_error(void);

#endif

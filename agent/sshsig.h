/* OpenSSH signatures (PROTOCOL.sshsig) with Ed25519 keys, made and checked
 * in process with OpenSSL, so that `ssh-keygen -Y verify` and
 * `git verify-commit` (gpg.format=ssh) accept what Lethe signs.
 *
 * Key files: the private key is an Ed25519 key in PEM (PKCS#8), mode 0600,
 * refused when group- or world-readable or not owned by the caller or root;
 * its bytes are wiped from memory as soon as OpenSSL has parsed them. */
#ifndef LETHE_SSHSIG_H
#define LETHE_SSHSIG_H

#include <stddef.h>
#include "dynbuf.h"

#define SSHSIG_NS_CERTIFICATE "certificate@lethe"
#define SSHSIG_NS_GIT "git"

struct sshsig_key;  /* an Ed25519 key pair (or a public key only) */

/* Generate a new Ed25519 key and write it to path (created 0600, O_EXCL:
 * an existing file is never overwritten). */
lethe_rc sshsig_generate(const char *path, struct sshsig_key **out,
                         struct lethe_err *err) WUR;

/* Load the private key at path, refusing unsafe permissions. */
lethe_rc sshsig_load(const char *path, struct sshsig_key **out, struct lethe_err *err) WUR;

/* Parse a public key in OpenSSH form ("ssh-ed25519 AAAA... [comment]"). */
lethe_rc sshsig_parse_public(const char *text, struct sshsig_key **out,
                             struct lethe_err *err) WUR;

/* Append "ssh-ed25519 AAAA..." (no comment, no newline) to out. */
lethe_rc sshsig_public_openssh(const struct sshsig_key *key, struct dynbuf *out) WUR;

/* Append the SHA256 fingerprint as ssh-keygen -l prints it ("SHA256:..."). */
lethe_rc sshsig_fingerprint(const struct sshsig_key *key, struct dynbuf *out) WUR;

/* Sign msg[0..len) for namespace (hash sha512) and append the armored
 * signature ("-----BEGIN SSH SIGNATURE-----" ... "-----END SSH SIGNATURE-----\n")
 * to out. */
lethe_rc sshsig_sign(const struct sshsig_key *key, const char *namespace, const void *msg,
                     size_t len, struct dynbuf *out, struct lethe_err *err) WUR;

/* Check an armored signature over msg for namespace. On success, if signer
 * is not NULL, *signer receives the public key that made it (free it); the
 * caller decides whether that key is trusted. LETHE_E_UNSAFE when the
 * signature is malformed, for another namespace, or does not verify. */
lethe_rc sshsig_verify(const char *armored, size_t armored_len, const char *namespace,
                       const void *msg, size_t len, struct sshsig_key **signer,
                       struct lethe_err *err) WUR;

/* True if both keys have the same public key. */
int sshsig_same_public(const struct sshsig_key *a, const struct sshsig_key *b);

void sshsig_free(struct sshsig_key *key);

#endif

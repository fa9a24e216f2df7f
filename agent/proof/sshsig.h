/* OpenSSH signatures (PROTOCOL.sshsig) with Ed25519 keys, made and checked
 * in process with OpenSSL, so that `ssh-keygen -Y verify` and
 * `git verify-commit` (gpg.format=ssh) accept what Lethe signs.
 *
 * Key files: the private key is an Ed25519 key in PEM (PKCS#8), mode 0600,
 * refused when group- or world-readable or not owned by the caller or root;
 * its bytes are wiped from memory as soon as OpenSSL has parsed them.
 * (OpenSSH 9.2's ssh-keygen cannot read this file; it reads KEY.pub.)
 *
 * Every err may be NULL; messages never contain key material. Functions
 * that append to a dynbuf leave it as it was on failure, and return
 * LETHE_E_RANGE when the buffer's max would be exceeded. */
#ifndef LETHE_SSHSIG_H
#define LETHE_SSHSIG_H

#include <stddef.h>
#include <sys/uio.h>
#include "dynbuf.h"

#define SSHSIG_NS_CERTIFICATE "certificate@lethe"
#define SSHSIG_NS_GIT "git"
#define SSHSIG_NS_ATTESTATION "attestation@lethe"
#define SSHSIG_NS_APPROVAL "approval@lethe"   /* lethe approve: a plan's approval */

struct sshsig_key;  /* an Ed25519 key pair (or a public key only) */

/* Generate a new Ed25519 key and write it to path: written to a temporary
 * file (O_CREAT|O_EXCL|O_NOFOLLOW, 0600) in the same directory, fsynced, then
 * hard-linked to path, so that path never holds a partial key and an existing
 * file (or symlink) is never overwritten (LETHE_E_UNSAFE); the directory is
 * fsynced too. LETHE_E_NOTFOUND when the directory does not exist. */
lethe_rc sshsig_generate(const char *path, struct sshsig_key **out,
                         struct lethe_err *err) WUR;

/* Load the private key at path. LETHE_E_NOTFOUND when it does not exist;
 * LETHE_E_UNSAFE for a symlink, a non-regular file, mode & 077, or an owner
 * other than geteuid() or root (the message names the file and its mode);
 * LETHE_E_PARSE when it is not an unencrypted PEM Ed25519 private key. */
lethe_rc sshsig_load(const char *path, struct sshsig_key **out, struct lethe_err *err) WUR;

/* Parse a public key in OpenSSH form ("ssh-ed25519 AAAA... [comment]", one
 * line, a final '\n' allowed), as in KEY.pub. Not an allowed_signers line:
 * skip its principal and options first. LETHE_E_PARSE otherwise. */
lethe_rc sshsig_parse_public(const char *text, struct sshsig_key **out,
                             struct lethe_err *err) WUR;

/* Append "ssh-ed25519 AAAA..." (no comment, no newline) to out. */
lethe_rc sshsig_public_openssh(const struct sshsig_key *key, struct dynbuf *out) WUR;

/* Append the SHA256 fingerprint as ssh-keygen -l prints it ("SHA256:..."). */
lethe_rc sshsig_fingerprint(const struct sshsig_key *key, struct dynbuf *out) WUR;

/* Sign msg[0..len) for namespace (hash sha512) and append the armored
 * signature ("-----BEGIN SSH SIGNATURE-----\n", base64 in lines of 70,
 * "-----END SSH SIGNATURE-----\n", about 300 bytes) to out, exactly as
 * ssh-keygen -Y sign writes it. Ed25519 is deterministic: the same key,
 * namespace and message give the same bytes. LETHE_E_USAGE for a public key
 * only or an empty namespace. */
lethe_rc sshsig_sign(const struct sshsig_key *key, const char *namespace, const void *msg,
                     size_t len, struct dynbuf *out, struct lethe_err *err) WUR;

/* The same over the concatenation of n pieces, which are hashed one after
 * the other: a message never needs to be in memory whole. */
lethe_rc sshsig_sign_iov(const struct sshsig_key *key, const char *namespace,
                         const struct iovec *v, size_t n, struct dynbuf *out,
                         struct lethe_err *err) WUR;

/* Check an armored signature over msg for namespace. On success, if signer
 * is not NULL, *signer receives the public key that made it (free it); the
 * caller decides whether that key is trusted (sshsig_same_public against the
 * configured key, or its allowed_signers line). LETHE_E_UNSAFE when the
 * signature is malformed, for another namespace, not Ed25519, or does not
 * verify. Parsing is strict and bounded (at most 16 KiB of armor): the
 * header first, base64 lines of at most 76 characters, the footer, then at
 * most one '\n' and nothing else. Hash sha512 and sha256 are accepted; the
 * reserved field is ignored, as PROTOCOL.sshsig asks. */
lethe_rc sshsig_verify(const char *armored, size_t armored_len, const char *namespace,
                       const void *msg, size_t len, struct sshsig_key **signer,
                       struct lethe_err *err) WUR;

/* sshsig_verify for a message that comes in pieces: begin reads the
 * signature (the same errors as sshsig_verify for it), update hashes the
 * next piece, end decides (and frees c, as check_free does). */
struct sshsig_check;
lethe_rc sshsig_check_begin(const char *armored, size_t armored_len, const char *namespace,
                            struct sshsig_check **c, struct lethe_err *err) WUR;
void sshsig_check_update(struct sshsig_check *c, const void *data, size_t n);
lethe_rc sshsig_check_end(struct sshsig_check *c, struct sshsig_key **signer,
                          struct lethe_err *err) WUR;
void sshsig_check_free(struct sshsig_check *c);

/* True if both keys have the same public key. */
int sshsig_same_public(const struct sshsig_key *a, const struct sshsig_key *b);

void sshsig_free(struct sshsig_key *key);

#endif

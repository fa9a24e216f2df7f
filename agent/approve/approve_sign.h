/* Signing an approval with the reviewer's own key. */
#ifndef LETHE_APPROVE_SIGN_H
#define LETHE_APPROVE_SIGN_H

#include "dynbuf.h"
#include "sshsig.h"

/* Sign msg[0..len) for SSHSIG_NS_APPROVAL with the key at key_path, append
 * the armored signature to sig, and set *signer to the public key that made
 * it (free it). A key as `lethe keygen --user` writes it (PEM) is used in
 * process; any other (an OpenSSH key, with or without a passphrase, or
 * KEY.pub whose private half is in ssh-agent, or a reviewer's own key read
 * by root through sudo) is handed to `ssh-keygen -Y sign`, which asks for a
 * passphrase on the terminal itself. Either way the
 * signature is checked before it is kept: only Ed25519 signatures are
 * accepted (LETHE_E_UNSAFE otherwise), as lethe run checks no others. */
lethe_rc approve_sign(const char *key_path, const void *msg, size_t len, struct dynbuf *sig,
                      struct sshsig_key **signer, struct lethe_err *err) WUR;

#endif

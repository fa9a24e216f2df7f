/* Shared by sshsig.c (keys in memory, signatures) and sshsig_keyfile.c
 * (key files). Not a public interface. */
#ifndef LETHE_SSHSIG_INTERNAL_H
#define LETHE_SSHSIG_INTERNAL_H

#include <openssl/evp.h>
#include "sshsig.h"

#define PUBKEY_LEN 32
#define KEYFILE_MAX 16384

struct sshsig_key {
  EVP_PKEY *pkey;               /* private key, or public key only */
  int has_private;
  unsigned char pub[PUBKEY_LEN];
};

/* A key from an OpenSSL key (taken over on success). */
lethe_rc sshsig_key_from_pkey(EVP_PKEY *pkey, int has_private, struct sshsig_key **out,
                              struct lethe_err *err);

/* OpenSSL's last error as text, for messages. */
void sshsig_ossl_reason(char *buf, size_t size);

#endif

/* Shared by sshsig.c (keys in memory, wire encoding, signing),
 * sshsig_verify.c (checking) and sshsig_keyfile.c (key files). Not a
 * public interface. */
#ifndef LETHE_SSHSIG_INTERNAL_H
#define LETHE_SSHSIG_INTERNAL_H

#include <stdint.h>
#include <openssl/evp.h>
#include "sshsig.h"

#define PUBKEY_LEN 32
#define KEYFILE_MAX 16384

#define KEYTYPE "ssh-ed25519"
#define KEYTYPE_LEN (sizeof(KEYTYPE) - 1)

#define SIG_LEN 64
/* string(KEYTYPE) string(32 bytes): 4 + 11 + 4 + 32 */
#define PUBBLOB_LEN (4 + KEYTYPE_LEN + 4 + PUBKEY_LEN)
#define MAGIC "SSHSIG"
#define MAGIC_LEN (sizeof(MAGIC) - 1)
#define SIG_VERSION 1
#define ARMOR_BEGIN "-----BEGIN SSH SIGNATURE-----\n"
#define ARMOR_END "-----END SSH SIGNATURE-----"
#define ARMOR_WIDTH 70       /* what ssh-keygen writes */
#define ARMOR_LINE_MAX 76    /* what PROTOCOL.sshsig asks writers to stay under */

/* An Ed25519 signature blob is about 200 bytes plus the namespace; these
 * bounds leave room for long namespaces and refuse anything absurd before it
 * is decoded. */
#define ARMOR_MAX 16384
#define BLOB_MAX 8192
#define NAMESPACE_MAX 1024

#define PUBLIC_TEXT_MAX 8192

struct sshsig_key {
  EVP_PKEY *pkey;               /* private key, or public key only */
  int has_private;
  unsigned char pub[PUBKEY_LEN];
};

/* A cursor over untrusted bytes: every read checks what is left. */
struct sshsig_reader {
  const unsigned char *p;
  size_t left;
};

/* SSH wire encoding: uint32 big-endian, and string = uint32 length + bytes. */
lethe_rc sshsig_put_u32(struct dynbuf *b, uint32_t v);
lethe_rc sshsig_put_string(struct dynbuf *b, const void *s, size_t n);
/* 0, or -1 when the bytes left are too few. */
int sshsig_rd_u32(struct sshsig_reader *r, uint32_t *v);
int sshsig_rd_string(struct sshsig_reader *r, const unsigned char **s, size_t *n);

/* True if s[0..n) is the string want. */
int sshsig_bytes_equal(const unsigned char *s, size_t n, const char *want);

/* Parse string "ssh-ed25519" string key[32], nothing after. */
lethe_rc sshsig_parse_pub_blob(const unsigned char *blob, size_t len,
                               unsigned char pub[PUBKEY_LEN], struct lethe_err *err);

/* A base64 alphabet character (not '='). */
int sshsig_is_b64(unsigned char c);

/* Decode canonical base64 into out (at least n / 4 * 3 bytes): the decoded
 * length, or -1. */
long sshsig_b64_decode(const char *text, size_t n, unsigned char *out);

/* A key from an OpenSSL key (taken over on success). */
lethe_rc sshsig_key_from_pkey(EVP_PKEY *pkey, int has_private, struct sshsig_key **out,
                              struct lethe_err *err);

/* A public-only key from its 32 bytes. */
lethe_rc sshsig_key_from_pub(const unsigned char pub[PUBKEY_LEN], struct sshsig_key **out,
                             struct lethe_err *err);

/* The digest named "sha512" or "sha256", else NULL. */
const EVP_MD *sshsig_hash_by_name(const unsigned char *name, size_t n);

/* What Ed25519 signs: "SSHSIG" string(namespace) string("") string(hash)
 * string(digest of the message). */
lethe_rc sshsig_signed_data(struct dynbuf *out, const unsigned char *ns, size_t ns_len,
                            const char *hash, const unsigned char *digest, size_t digest_len);

/* OpenSSL's last error as text, for messages. */
void sshsig_ossl_reason(char *buf, size_t size);

#endif

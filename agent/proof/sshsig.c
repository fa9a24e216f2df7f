/* OpenSSH signatures (PROTOCOL.sshsig) with Ed25519 keys.
 *
 * The signed data is
 *     "SSHSIG" string(namespace) string(reserved="") string(hash) string(H(msg))
 * and the armored blob is
 *     "SSHSIG" uint32(1) string(publickey) string(namespace) string(reserved)
 *     string(hash) string(signature)
 * with publickey = string("ssh-ed25519") string(32 bytes) and
 * signature = string("ssh-ed25519") string(64 bytes), as RFC 4253 and
 * RFC 8709 encode them. Everything read from outside is bounded and every
 * length is checked before it is used. */
#include "sshsig_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

/* ---- SSH wire encoding ---- */

lethe_rc sshsig_put_u32(struct dynbuf *b, uint32_t v)
{
  unsigned char be[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v };
  return db_add(b, be, sizeof(be));
}

lethe_rc sshsig_put_string(struct dynbuf *b, const void *s, size_t n)
{
  lethe_rc rc;
  if(n > UINT32_MAX)
    return LETHE_E_RANGE;
  rc = sshsig_put_u32(b, (uint32_t)n);
  if(rc)
    return rc;
  return db_add(b, s, n);
}

int sshsig_rd_u32(struct sshsig_reader *r, uint32_t *v)
{
  if(r->left < 4)
    return -1;
  *v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 |
       (uint32_t)r->p[3];
  r->p += 4;
  r->left -= 4;
  return 0;
}

int sshsig_rd_string(struct sshsig_reader *r, const unsigned char **s, size_t *n)
{
  uint32_t len;
  if(sshsig_rd_u32(r, &len) || len > r->left)
    return -1;
  *s = r->p;
  *n = len;
  r->p += len;
  r->left -= len;
  return 0;
}

int sshsig_bytes_equal(const unsigned char *s, size_t n, const char *want)
{
  return n == strlen(want) && !memcmp(s, want, n);
}

/* The public key as SSH encodes it: string "ssh-ed25519", string key. */
static void pub_blob(const struct sshsig_key *key, unsigned char out[PUBBLOB_LEN])
{
  static const unsigned char type_len[4] = { 0, 0, 0, KEYTYPE_LEN };
  static const unsigned char key_len[4] = { 0, 0, 0, PUBKEY_LEN };
  unsigned char *p = out;
  memcpy(p, type_len, 4);
  p += 4;
  memcpy(p, KEYTYPE, KEYTYPE_LEN);
  p += KEYTYPE_LEN;
  memcpy(p, key_len, 4);
  p += 4;
  memcpy(p, key->pub, PUBKEY_LEN);
}

/* Parse string "ssh-ed25519" string key[32], nothing after. */
lethe_rc sshsig_parse_pub_blob(const unsigned char *blob, size_t len,
                               unsigned char pub[PUBKEY_LEN], struct lethe_err *err)
{
  struct sshsig_reader r = { blob, len };
  const unsigned char *type, *k;
  size_t type_len, k_len;
  if(sshsig_rd_string(&r, &type, &type_len) || sshsig_rd_string(&r, &k, &k_len))
    return err_set(err, LETHE_E_PARSE, "truncated public key");
  if(!sshsig_bytes_equal(type, type_len, KEYTYPE))
    return err_set(err, LETHE_E_PARSE, "public key is not of type " KEYTYPE
                   " (only Ed25519 keys are supported)");
  if(k_len != PUBKEY_LEN || r.left)
    return err_set(err, LETHE_E_PARSE, "malformed " KEYTYPE " public key");
  memcpy(pub, k, PUBKEY_LEN);
  return LETHE_OK;
}

/* ---- base64 ---- */

int sshsig_is_b64(unsigned char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '+' || c == '/';
}

/* Append the base64 of data[0..n) to out, without line breaks. */
static lethe_rc b64_encode(struct dynbuf *out, const unsigned char *data, size_t n)
{
  unsigned char chunk[4 * 48 + 1];
  lethe_rc rc;
  /* 144 input bytes at a time: a multiple of 3, so padding only at the end. */
  while(n) {
    size_t take = n > 144 ? 144 : n;
    int k = EVP_EncodeBlock(chunk, data, (int)take);
    rc = db_add(out, chunk, (size_t)k);
    if(rc)
      return rc;
    data += take;
    n -= take;
  }
  return LETHE_OK;
}

/* Decode canonical base64 (alphabet checked, length a multiple of 4, '='
 * only as the last one or two characters) into out, which holds at least
 * n / 4 * 3 bytes. Returns the decoded length, or -1. */
long sshsig_b64_decode(const char *text, size_t n, unsigned char *out)
{
  size_t pad = 0;
  int k;
  if(n == 0 || n % 4 || n > INT32_MAX)
    return -1;
  if(text[n - 1] == '=')
    pad = text[n - 2] == '=' ? 2 : 1;
  for(size_t i = 0; i < n - pad; i++)
    if(!sshsig_is_b64((unsigned char)text[i]))
      return -1;
  k = EVP_DecodeBlock(out, (const unsigned char *)text, (int)n);
  if(k < 0 || (size_t)k != n / 4 * 3)
    return -1;
  /* Unused bits of the last character must be zero, so that one blob has one
   * spelling: re-encode and compare. */
  {
    unsigned char check[5];   /* EVP_EncodeBlock adds a NUL */
    size_t last = n - 4, got = (size_t)k - pad;
    size_t tail = got - last / 4 * 3;
    EVP_EncodeBlock(check, out + last / 4 * 3, (int)tail);
    if(memcmp(check, text + last, 4))
      return -1;
    return (long)got;
  }
}

/* ---- keys ---- */

void sshsig_ossl_reason(char *buf, size_t size)
{
  unsigned long e = ERR_get_error();
  if(e)
    ERR_error_string_n(e, buf, size);
  else
    snprintf(buf, size, "unknown OpenSSL error");
  ERR_clear_error();
}

lethe_rc sshsig_key_from_pkey(EVP_PKEY *pkey, int has_private, struct sshsig_key **out,
                              struct lethe_err *err)
{
  struct sshsig_key *key;
  size_t len = PUBKEY_LEN;
  if(EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(pkey);
    return err_set(err, LETHE_E_PARSE, "not an Ed25519 key");
  }
  key = calloc(1, sizeof(*key));
  if(!key) {
    EVP_PKEY_free(pkey);
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  if(!EVP_PKEY_get_raw_public_key(pkey, key->pub, &len) || len != PUBKEY_LEN) {
    EVP_PKEY_free(pkey);
    free(key);
    ERR_clear_error();
    return err_set(err, LETHE_E_PARSE, "cannot read the Ed25519 public key");
  }
  key->pkey = pkey;
  key->has_private = has_private;
  *out = key;
  return LETHE_OK;
}

lethe_rc sshsig_key_from_pub(const unsigned char pub[PUBKEY_LEN], struct sshsig_key **out,
                             struct lethe_err *err)
{
  EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, PUBKEY_LEN);
  if(!pkey) {
    ERR_clear_error();
    return err_set(err, LETHE_E_PARSE, "invalid Ed25519 public key");
  }
  return sshsig_key_from_pkey(pkey, 0, out, err);
}

void sshsig_free(struct sshsig_key *key)
{
  if(!key)
    return;
  EVP_PKEY_free(key->pkey);
  explicit_bzero(key, sizeof(*key));
  free(key);
}

int sshsig_same_public(const struct sshsig_key *a, const struct sshsig_key *b)
{
  return a && b && !memcmp(a->pub, b->pub, PUBKEY_LEN);
}

lethe_rc sshsig_public_openssh(const struct sshsig_key *key, struct dynbuf *out)
{
  unsigned char blob[PUBBLOB_LEN];
  size_t mark = out->len;
  lethe_rc rc;
  pub_blob(key, blob);
  rc = db_adds(out, KEYTYPE " ");
  if(!rc)
    rc = b64_encode(out, blob, sizeof(blob));
  if(rc)
    db_truncate(out, mark);
  return rc;
}

lethe_rc sshsig_fingerprint(const struct sshsig_key *key, struct dynbuf *out)
{
  unsigned char blob[PUBBLOB_LEN], md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  size_t mark = out->len;
  lethe_rc rc;
  pub_blob(key, blob);
  if(!EVP_Digest(blob, sizeof(blob), md, &md_len, EVP_sha256(), NULL)) {
    ERR_clear_error();
    return LETHE_E_NOMEM;
  }
  rc = db_adds(out, "SHA256:");
  if(!rc)
    rc = b64_encode(out, md, md_len);
  if(rc) {
    db_truncate(out, mark);
    return rc;
  }
  /* ssh-keygen leaves out the padding. */
  while(out->len > mark && out->mem[out->len - 1] == '=')
    db_truncate(out, out->len - 1);
  return LETHE_OK;
}

lethe_rc sshsig_parse_public(const char *text, struct sshsig_key **out, struct lethe_err *err)
{
  unsigned char blob[PUBLIC_TEXT_MAX / 4 * 3], pub[PUBKEY_LEN];
  const char *p = text, *b64;
  size_t n;
  long len;
  lethe_rc rc;
  struct lethe_err local;

  if(!err)
    err = &local;
  *out = NULL;
  if(strnlen(text, PUBLIC_TEXT_MAX + 1) > PUBLIC_TEXT_MAX)
    return err_set(err, LETHE_E_PARSE, "public key line too long");
  if(strncmp(p, KEYTYPE, KEYTYPE_LEN) || (p[KEYTYPE_LEN] != ' ' && p[KEYTYPE_LEN] != '\t'))
    return err_set(err, LETHE_E_PARSE, "not an OpenSSH " KEYTYPE " public key "
                   "(\"" KEYTYPE " AAAA... [comment]\")");
  p += KEYTYPE_LEN;
  while(*p == ' ' || *p == '\t')
    p++;
  b64 = p;
  n = strcspn(p, " \t\r\n");
  p += n;
  /* After the key: nothing, or white space and a comment, on this one line. */
  p = strchr(p, '\n');
  if(p && p[1])
    return err_set(err, LETHE_E_PARSE, "public key: more than one line");
  len = sshsig_b64_decode(b64, n, blob);
  if(len < 0)
    return err_set(err, LETHE_E_PARSE, "public key: invalid base64");
  rc = sshsig_parse_pub_blob(blob, (size_t)len, pub, err);
  if(rc)
    return err_prefix(err, "public key");
  return sshsig_key_from_pub(pub, out, err);
}

/* ---- signatures ---- */

const EVP_MD *sshsig_hash_by_name(const unsigned char *name, size_t n)
{
  if(sshsig_bytes_equal(name, n, "sha512"))
    return EVP_sha512();
  if(sshsig_bytes_equal(name, n, "sha256"))
    return EVP_sha256();
  return NULL;
}

lethe_rc sshsig_signed_data(struct dynbuf *out, const unsigned char *ns, size_t ns_len,
                            const char *hash, const unsigned char *digest, size_t digest_len)
{
  lethe_rc rc = db_add(out, MAGIC, MAGIC_LEN);
  if(!rc)
    rc = sshsig_put_string(out, ns, ns_len);
  if(!rc)
    rc = sshsig_put_string(out, "", 0);
  if(!rc)
    rc = sshsig_put_string(out, hash, strlen(hash));
  if(!rc)
    rc = sshsig_put_string(out, digest, digest_len);
  return rc;
}

static lethe_rc ed25519_sign(EVP_PKEY *pkey, const struct dynbuf *data,
                             unsigned char sig[SIG_LEN])
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  size_t sig_len = SIG_LEN;
  int ok;
  if(!ctx)
    return LETHE_E_NOMEM;
  ok = EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
       EVP_DigestSign(ctx, sig, &sig_len, (const unsigned char *)data->mem, data->len) == 1 &&
       sig_len == SIG_LEN;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  return ok ? LETHE_OK : LETHE_E_IO;
}

static lethe_rc build_blob(const struct sshsig_key *key, const char *ns,
                           const unsigned char sig[SIG_LEN], struct dynbuf *blob)
{
  unsigned char pub[PUBBLOB_LEN];
  lethe_rc rc;
  pub_blob(key, pub);
  rc = db_add(blob, MAGIC, MAGIC_LEN);
  if(!rc)
    rc = sshsig_put_u32(blob, SIG_VERSION);
  if(!rc)
    rc = sshsig_put_string(blob, pub, sizeof(pub));
  if(!rc)
    rc = sshsig_put_string(blob, ns, strlen(ns));
  if(!rc)
    rc = sshsig_put_string(blob, "", 0);
  if(!rc)
    rc = sshsig_put_string(blob, "sha512", 6);
  if(!rc)
    rc = sshsig_put_u32(blob, 4 + KEYTYPE_LEN + 4 + SIG_LEN);
  if(!rc)
    rc = sshsig_put_string(blob, KEYTYPE, KEYTYPE_LEN);
  if(!rc)
    rc = sshsig_put_string(blob, sig, SIG_LEN);
  return rc;
}

static lethe_rc armor(const struct dynbuf *blob, struct dynbuf *out)
{
  struct dynbuf b64;
  lethe_rc rc;
  db_init(&b64, ARMOR_MAX);
  rc = b64_encode(&b64, (const unsigned char *)blob->mem, blob->len);
  if(!rc)
    rc = db_adds(out, ARMOR_BEGIN);
  for(size_t i = 0; !rc && i < b64.len; i += ARMOR_WIDTH) {
    size_t n = b64.len - i < ARMOR_WIDTH ? b64.len - i : ARMOR_WIDTH;
    rc = db_add(out, b64.mem + i, n);
    if(!rc)
      rc = db_add(out, "\n", 1);
  }
  if(!rc)
    rc = db_adds(out, ARMOR_END "\n");
  db_release(&b64);
  return rc;
}

/* SHA-512 of the pieces, as SSHSIG signs it. */
static lethe_rc digest_iov(const struct iovec *v, size_t n, unsigned char md[64])
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  unsigned int len = 0;
  int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha512(), NULL) == 1;
  for(size_t i = 0; ok && i < n; i++)
    ok = EVP_DigestUpdate(ctx, v[i].iov_base, v[i].iov_len) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx, md, &len) == 1 && len == 64;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  return ok ? LETHE_OK : LETHE_E_NOMEM;
}

lethe_rc sshsig_sign_iov(const struct sshsig_key *key, const char *namespace,
                         const struct iovec *v, size_t n, struct dynbuf *out,
                         struct lethe_err *err)
{
  struct dynbuf data, blob;
  unsigned char sig[SIG_LEN], md[64];
  size_t mark = out->len;
  lethe_rc rc;

  if(!key->has_private)
    return err_set(err, LETHE_E_USAGE, "cannot sign with a public key");
  if(!*namespace || strlen(namespace) > NAMESPACE_MAX)
    return err_set(err, LETHE_E_USAGE, "signature namespace empty or too long");
  db_init(&data, BLOB_MAX);
  db_init(&blob, BLOB_MAX);
  rc = digest_iov(v, n, md);
  if(!rc)
    rc = sshsig_signed_data(&data, (const unsigned char *)namespace, strlen(namespace),
                            "sha512", md, sizeof(md));
  if(!rc)
    rc = ed25519_sign(key->pkey, &data, sig);
  if(!rc)
    rc = build_blob(key, namespace, sig, &blob);
  if(!rc)
    rc = armor(&blob, out);
  db_release(&data);
  db_release(&blob);
  if(rc) {
    db_truncate(out, mark);
    return err_set(err, rc, "cannot make the signature: %s", lethe_strerror(rc));
  }
  return LETHE_OK;
}

lethe_rc sshsig_sign(const struct sshsig_key *key, const char *namespace, const void *msg,
                     size_t len, struct dynbuf *out, struct lethe_err *err)
{
  struct iovec v = { .iov_base = (void *)msg, .iov_len = len };
  return sshsig_sign_iov(key, namespace, &v, 1, out, err);
}

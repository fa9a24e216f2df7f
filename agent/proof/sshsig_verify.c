/* Checking OpenSSH signatures (PROTOCOL.sshsig, see sshsig.c): the armor
 * and the blob are read strictly, then the message is hashed as it comes,
 * so that a message of any size is checked in constant memory. */
#include "sshsig_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

/* Collect the base64 between the armor lines. Strict: the header first, then
 * lines of base64 (each at most ARMOR_LINE_MAX, ending in '\n'), then the
 * footer, then at most one '\n' and nothing else. */
static lethe_rc dearmor(const char *text, size_t len, struct dynbuf *b64,
                        struct lethe_err *err)
{
  const char *p = text, *end = text + len;
  size_t line = 1;
  if(len > ARMOR_MAX)
    return err_set(err, LETHE_E_UNSAFE, "signature: longer than %d bytes", ARMOR_MAX);
  if(len < sizeof(ARMOR_BEGIN) - 1 || memcmp(p, ARMOR_BEGIN, sizeof(ARMOR_BEGIN) - 1))
    return err_set(err, LETHE_E_UNSAFE, "signature: does not start with "
                   "\"-----BEGIN SSH SIGNATURE-----\"");
  p += sizeof(ARMOR_BEGIN) - 1;
  for(;;) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    line++;
    if(n == sizeof(ARMOR_END) - 1 && !memcmp(p, ARMOR_END, n)) {
      if(nl && nl + 1 != end)
        return err_set(err, LETHE_E_UNSAFE, "signature: text after the END line");
      break;
    }
    if(!nl)
      return err_set(err, LETHE_E_UNSAFE, "signature: no \"-----END SSH SIGNATURE-----\" "
                     "line");
    if(n == 0 || n > ARMOR_LINE_MAX)
      return err_set(err, LETHE_E_UNSAFE, "signature: line %zu: %s", line,
                     n ? "too long" : "empty");
    for(size_t i = 0; i < n; i++)
      if(!sshsig_is_b64((unsigned char)p[i]) && p[i] != '=')
        return err_set(err, LETHE_E_UNSAFE, "signature: line %zu: not base64", line);
    if(db_add(b64, p, n))
      return err_set(err, LETHE_E_UNSAFE, "signature: too long");
    p = nl + 1;
  }
  if(!b64->len)
    return err_set(err, LETHE_E_UNSAFE, "signature: empty");
  return LETHE_OK;
}

/* The fields of a signature blob, pointing into it. */
struct sig_fields {
  unsigned char pub[PUBKEY_LEN];
  const unsigned char *ns, *hash, *sig;
  size_t ns_len, hash_len;
};

/* Printable ASCII of s[0..n), '?' for other bytes, cut at 64, for messages. */
static void printable(const unsigned char *s, size_t n, char out[68])
{
  size_t i, k = n > 64 ? 64 : n;
  for(i = 0; i < k; i++)
    out[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
  if(n > k) {
    memcpy(out + k, "...", 3);
    k += 3;
  }
  out[k] = '\0';
}

static lethe_rc parse_sig_blob(const unsigned char *blob, size_t len, struct sig_fields *f,
                               struct lethe_err *err)
{
  struct sshsig_reader r = { blob, len }, s;
  const unsigned char *pub, *reserved, *type, *sig_blob;
  size_t pub_len, reserved_len, type_len, sig_blob_len, sig_len;
  uint32_t version;
  char shown[68];

  if(len < MAGIC_LEN || memcmp(blob, MAGIC, MAGIC_LEN))
    return err_set(err, LETHE_E_UNSAFE, "signature: not an SSHSIG blob");
  r.p += MAGIC_LEN;
  r.left -= MAGIC_LEN;
  if(sshsig_rd_u32(&r, &version))
    return err_set(err, LETHE_E_UNSAFE, "signature: truncated");
  if(version != SIG_VERSION)
    return err_set(err, LETHE_E_UNSAFE, "signature: version %u (only %d is known)",
                   (unsigned)version, SIG_VERSION);
  if(sshsig_rd_string(&r, &pub, &pub_len) || sshsig_rd_string(&r, &f->ns, &f->ns_len) ||
     sshsig_rd_string(&r, &reserved, &reserved_len) || sshsig_rd_string(&r, &f->hash, &f->hash_len) ||
     sshsig_rd_string(&r, &sig_blob, &sig_blob_len))
    return err_set(err, LETHE_E_UNSAFE, "signature: truncated");
  if(r.left)
    return err_set(err, LETHE_E_UNSAFE, "signature: %zu bytes after the signature", r.left);
  if(sshsig_parse_pub_blob(pub, pub_len, f->pub, err)) {
    err_prefix(err, "signature");
    err->rc = LETHE_E_UNSAFE;
    return LETHE_E_UNSAFE;
  }
  /* PROTOCOL.sshsig: reserved is ignored when not empty (as ssh-keygen does,
   * which signs over an empty one). */
  (void)reserved;
  s = (struct sshsig_reader){ sig_blob, sig_blob_len };
  if(sshsig_rd_string(&s, &type, &type_len) || sshsig_rd_string(&s, &f->sig, &sig_len))
    return err_set(err, LETHE_E_UNSAFE, "signature: truncated signature field");
  if(!sshsig_bytes_equal(type, type_len, KEYTYPE)) {
    printable(type, type_len, shown);
    return err_set(err, LETHE_E_UNSAFE, "signature: algorithm \"%s\", not " KEYTYPE, shown);
  }
  if(sig_len != SIG_LEN || s.left)
    return err_set(err, LETHE_E_UNSAFE, "signature: malformed " KEYTYPE " signature");
  return LETHE_OK;
}

static lethe_rc check_fields(const struct sig_fields *f, const char *namespace,
                             const EVP_MD **md, struct lethe_err *err)
{
  char shown[68];
  if(!sshsig_bytes_equal(f->ns, f->ns_len, namespace)) {
    printable(f->ns, f->ns_len, shown);
    return err_set(err, LETHE_E_UNSAFE, "signature is for namespace \"%s\", not \"%s\"",
                   shown, namespace);
  }
  *md = sshsig_hash_by_name(f->hash, f->hash_len);
  if(!*md) {
    printable(f->hash, f->hash_len, shown);
    return err_set(err, LETHE_E_UNSAFE, "signature: hash algorithm \"%s\" (sha512 or sha256 "
                   "expected)", shown);
  }
  return LETHE_OK;
}

static lethe_rc ed25519_verify(const struct sig_fields *f, const struct dynbuf *data,
                               struct sshsig_key **signer, struct lethe_err *err)
{
  struct sshsig_key *key = NULL;
  EVP_MD_CTX *ctx;
  int ok;
  lethe_rc rc = sshsig_key_from_pub(f->pub, &key, err);
  if(rc)
    return err_set(err, LETHE_E_UNSAFE, "signature: invalid Ed25519 public key");
  ctx = EVP_MD_CTX_new();
  if(!ctx) {
    sshsig_free(key);
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key->pkey) == 1 &&
       EVP_DigestVerify(ctx, f->sig, SIG_LEN, (const unsigned char *)data->mem,
                        data->len) == 1;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  if(!ok) {
    sshsig_free(key);
    return err_set(err, LETHE_E_UNSAFE, "signature does not verify: the data or the "
                   "signature was changed");
  }
  if(signer)
    *signer = key;
  else
    sshsig_free(key);
  return LETHE_OK;
}

/* A signature read, waiting for the message's bytes. */
struct sshsig_check {
  unsigned char blob[BLOB_MAX / 4 * 3 + 3];
  struct sig_fields f;
  char hash[8];
  EVP_MD_CTX *md;
};

void sshsig_check_free(struct sshsig_check *c)
{
  if(!c)
    return;
  EVP_MD_CTX_free(c->md);
  free(c);
}

static lethe_rc read_signature(struct sshsig_check *c, const char *armored, size_t armored_len,
                               const char *namespace, struct lethe_err *err)
{
  struct dynbuf b64;
  const EVP_MD *md = NULL;
  long blob_len = 0;
  lethe_rc rc;
  db_init(&b64, BLOB_MAX);
  rc = dearmor(armored, armored_len, &b64, err);
  if(!rc) {
    blob_len = sshsig_b64_decode(b64.mem, b64.len, c->blob);
    if(blob_len < 0)
      rc = err_set(err, LETHE_E_UNSAFE, "signature: invalid base64");
  }
  db_release(&b64);
  if(!rc)
    rc = parse_sig_blob(c->blob, (size_t)blob_len, &c->f, err);
  if(!rc)
    rc = check_fields(&c->f, namespace, &md, err);
  if(rc)
    return rc;
  memcpy(c->hash, c->f.hash, c->f.hash_len);
  c->hash[c->f.hash_len] = '\0';
  c->md = EVP_MD_CTX_new();
  if(!c->md || EVP_DigestInit_ex(c->md, md, NULL) != 1) {
    ERR_clear_error();
    return err_set(err, LETHE_E_NOMEM, "cannot check the signature: out of memory");
  }
  return LETHE_OK;
}

lethe_rc sshsig_check_begin(const char *armored, size_t armored_len, const char *namespace,
                            struct sshsig_check **out, struct lethe_err *err)
{
  struct sshsig_check *c;
  lethe_rc rc;
  struct lethe_err local;
  if(!err)
    err = &local;
  *out = NULL;
  if(!namespace || !*namespace)
    return err_set(err, LETHE_E_USAGE, "no signature namespace given");
  c = calloc(1, sizeof(*c));
  if(!c)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  rc = read_signature(c, armored, armored_len, namespace, err);
  if(rc) {
    sshsig_check_free(c);
    return rc;
  }
  *out = c;
  return LETHE_OK;
}

void sshsig_check_update(struct sshsig_check *c, const void *data, size_t n)
{
  if(c && n && EVP_DigestUpdate(c->md, data, n) != 1)
    ERR_clear_error(); /* cannot fail for a digest in memory; the end would not verify */
}

lethe_rc sshsig_check_end(struct sshsig_check *c, struct sshsig_key **signer,
                          struct lethe_err *err)
{
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  struct dynbuf data;
  lethe_rc rc = LETHE_OK;
  struct lethe_err local;
  if(!err)
    err = &local;
  if(signer)
    *signer = NULL;
  db_init(&data, BLOB_MAX);
  if(EVP_DigestFinal_ex(c->md, digest, &digest_len) != 1) {
    ERR_clear_error();
    rc = err_set(err, LETHE_E_NOMEM, "cannot check the signature: out of memory");
  }
  if(!rc && sshsig_signed_data(&data, c->f.ns, c->f.ns_len, c->hash, digest, digest_len))
    rc = err_set(err, LETHE_E_NOMEM, "cannot check the signature: out of memory");
  if(!rc)
    rc = ed25519_verify(&c->f, &data, signer, err);
  db_release(&data);
  sshsig_check_free(c);
  return rc;
}

lethe_rc sshsig_verify(const char *armored, size_t armored_len, const char *namespace,
                       const void *msg, size_t len, struct sshsig_key **signer,
                       struct lethe_err *err)
{
  struct sshsig_check *c = NULL;
  lethe_rc rc;
  if(signer)
    *signer = NULL;
  rc = sshsig_check_begin(armored, armored_len, namespace, &c, err);
  if(rc)
    return rc;
  sshsig_check_update(c, msg, len);
  return sshsig_check_end(c, signer, err);
}

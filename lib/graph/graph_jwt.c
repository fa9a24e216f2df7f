#include "graph_jwt.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "credentials.h"
#include "jsonw.h"
#include "uuid.h"

#define CERT_MAX (64 * 1024)

lethe_rc graph_b64url(const unsigned char *data, size_t n, struct dynbuf *out)
{
  static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < n && !rc; i += 3) {
    unsigned v = (unsigned)data[i] << 16;
    char q[4];
    size_t k = n - i >= 3 ? 4 : n - i + 1;
    if(i + 1 < n)
      v |= (unsigned)data[i + 1] << 8;
    if(i + 2 < n)
      v |= data[i + 2];
    q[0] = a[(v >> 18) & 63];
    q[1] = a[(v >> 12) & 63];
    q[2] = a[(v >> 6) & 63];
    q[3] = a[v & 63];
    rc = db_add(out, q, k);
  }
  return rc;
}

/* The certificate at path (PEM), read whole: it is public, but bounded. */
static lethe_rc read_cert(const char *path, X509 **out, struct lethe_err *err)
{
  char *buf = malloc(CERT_MAX);
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  ssize_t n = 0, r;
  BIO *bio;
  lethe_rc rc = LETHE_OK;
  *out = NULL;
  if(!buf || fd < 0) {
    free(buf);
    if(fd >= 0)
      close(fd);
    return fd < 0 ? err_sys(err, LETHE_E_CONFIG, "certificate '%s': cannot open", path)
                  : err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  while(n < CERT_MAX && (r = read(fd, buf + n, (size_t)(CERT_MAX - n))) > 0)
    n += r;
  close(fd);
  bio = BIO_new_mem_buf(buf, (int)n);
  *out = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
  if(!*out)
    rc = err_set(err, LETHE_E_CONFIG, "certificate '%s' is not a PEM certificate", path);
  BIO_free(bio);
  free(buf);
  return rc;
}

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
  (void)buf;
  (void)size;
  (void)rwflag;
  (void)u;
  return 0; /* an encrypted key cannot be used unattended */
}

static lethe_rc read_key(const char *path, EVP_PKEY **out, struct lethe_err *err)
{
  struct credentials *raw = malloc(sizeof(*raw));
  BIO *bio;
  lethe_rc rc;
  *out = NULL;
  if(!raw)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  rc = credentials_read_raw(path, raw, err);
  if(!rc) {
    bio = BIO_new_mem_buf(raw->secret, (int)raw->len);
    *out = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;
    BIO_free(bio);
    if(!*out)
      rc = err_set(err, LETHE_E_CONFIG, "private key '%s' is not an unencrypted PEM private "
                   "key", path);
  }
  credentials_wipe(raw);
  free(raw);
  if(!rc && (EVP_PKEY_get_base_id(*out) != EVP_PKEY_RSA || EVP_PKEY_get_bits(*out) < 2048))
    rc = err_set(err, LETHE_E_CONFIG, "private key '%s': Entra ID certificate credentials "
                 "need an RSA key of at least 2048 bits", path);
  if(rc) {
    EVP_PKEY_free(*out);
    *out = NULL;
  }
  return rc;
}

static lethe_rc thumbprint(X509 *cert, struct dynbuf *out)
{
  unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  int n = i2d_X509(cert, &der);
  lethe_rc rc = LETHE_E_CONFIG;
  if(n > 0 && EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL))
    rc = graph_b64url(md, mdlen, out);
  OPENSSL_free(der);
  return rc;
}

/* B64URL(header) "." B64URL(claims) into out. */
static lethe_rc signing_input(const struct graph_creds *c, const char *token_url, int64_t now,
                              X509 *cert, struct dynbuf *out)
{
  struct dynbuf part, x5t;
  char jti[UUID_TEXT_LEN];
  lethe_rc rc;
  db_init(&part, 16384);
  db_init(&x5t, 128);
  rc = thumbprint(cert, &x5t);
  if(!rc)
    rc = db_addf(&part, "{\"alg\":\"%s\",\"typ\":\"JWT\",\"x5t#S256\":\"%s\"}",
                 c->alg == GRAPH_ALG_PS256 ? "PS256" : "RS256", x5t.mem);
  if(!rc)
    rc = graph_b64url((const unsigned char *)part.mem, part.len, out);
  if(!rc)
    rc = uuid_v4(jti);
  db_reset(&part);
  if(!rc)
    rc = db_adds(&part, "{\"aud\":\"");
  if(!rc)
    rc = jsonw_escape(&part, token_url, strlen(token_url));
  if(!rc)
    rc = db_addf(&part, "\",\"exp\":%lld,\"iat\":%lld,\"iss\":\"%s\",\"jti\":\"%s\","
                 "\"nbf\":%lld,\"sub\":\"%s\"}", (long long)(now + GRAPH_JWT_LIFETIME),
                 (long long)now, c->client_id, jti, (long long)(now - 60), c->client_id);
  if(!rc)
    rc = db_add(out, ".", 1);
  if(!rc)
    rc = graph_b64url((const unsigned char *)part.mem, part.len, out);
  db_release(&part);
  db_release(&x5t);
  return rc;
}

static lethe_rc sign(EVP_PKEY *key, enum graph_assertion_alg alg, struct dynbuf *out,
                     struct lethe_err *err)
{
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  EVP_PKEY_CTX *pctx = NULL;
  unsigned char sig[1024];
  size_t siglen = sizeof(sig);
  bool ok = md && EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key) == 1;
  if(ok && alg == GRAPH_ALG_PS256)
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
  ok = ok && EVP_DigestSign(md, sig, &siglen, (const unsigned char *)out->mem, out->len) == 1;
  EVP_MD_CTX_free(md);
  if(!ok)
    return err_set(err, LETHE_E_CONFIG, "cannot sign the client assertion with the private key");
  if(db_add(out, ".", 1) || graph_b64url(sig, siglen, out))
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  return LETHE_OK;
}

lethe_rc graph_jwt_assertion(const struct graph_creds *c, const char *token_url, int64_t now,
                             struct dynbuf *out, struct lethe_err *err)
{
  X509 *cert = NULL;
  EVP_PKEY *key = NULL;
  lethe_rc rc = read_cert(c->certificate, &cert, err);
  if(!rc)
    rc = read_key(c->private_key, &key, err);
  if(!rc && EVP_PKEY_eq(X509_get0_pubkey(cert), key) != 1)
    rc = err_set(err, LETHE_E_CONFIG, "private key '%s' does not belong to certificate '%s'",
                 c->private_key, c->certificate);
  if(!rc && signing_input(c, token_url, now, cert, out))
    rc = err_set(err, LETHE_E_NOMEM, "cannot build the client assertion");
  if(!rc)
    rc = sign(key, c->alg, out, err);
  EVP_PKEY_free(key);
  X509_free(cert);
  return rc;
}

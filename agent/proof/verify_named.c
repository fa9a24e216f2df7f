/* lethe verify CERT...: a certificate file outside the ledger (a copy an
 * auditor holds) is signed, and is byte for byte the ledger's; so are the
 * parts beside it that its certificate lists. Files are read as they
 * stream. */
#include "verify_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#define CHUNK (64 * 1024)

/* Call fn on the bytes of the file at path, piece by piece. */
static lethe_rc stream_file(const char *path, ledger_bytes_fn fn, void *ctx,
                            struct lethe_err *err)
{
  char *buf = malloc(CHUNK);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  lethe_rc rc = LETHE_OK;
  ssize_t n = 0;
  if(fd < 0 || !buf) {
    rc = fd < 0 ? err_sys(err, LETHE_E_NOTFOUND, "%s", path) : LETHE_E_NOMEM;
    goto done;
  }
  while(!rc && (n = read(fd, buf, CHUNK)) > 0)
    rc = fn(ctx, buf, (size_t)n);
  if(!rc && n < 0)
    rc = err_sys(err, LETHE_E_IO, "%s", path);
done:
  if(fd >= 0)
    close(fd);
  free(buf);
  return rc;
}

static lethe_rc small_file(const char *path, struct dynbuf *out, struct lethe_err *err)
{
  char buf[4096];
  ssize_t n;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  lethe_rc rc = LETHE_OK;
  if(fd < 0)
    return err_sys(err, LETHE_E_NOTFOUND, "%s", path);
  while(!rc && (n = read(fd, buf, sizeof(buf))) > 0)
    rc = db_add(out, buf, (size_t)n);
  close(fd);
  return rc;
}

static lethe_rc hash_piece(void *ctx, const void *data, size_t n)
{
  return EVP_DigestUpdate(ctx, data, n) == 1 ? LETHE_OK : LETHE_E_NOMEM;
}

/* The hex SHA-256 of a file ("" when it cannot be read). */
static void file_hash(const char *path, char hash[SHA256_HEX_LEN])
{
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  unsigned char digest[32];
  unsigned int n = 0;
  struct lethe_err ignored;
  hash[0] = '\0';
  if(md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
     !stream_file(path, hash_piece, md, &ignored) &&
     EVP_DigestFinal_ex(md, digest, &n) == 1)
    canon_hex(digest, sizeof(digest), hash);
  EVP_MD_CTX_free(md);
}

/* The parts at HEAD that belong to c, each to be beside file with the
 * ledger's bytes. */
static lethe_rc check_parts_beside(struct verifier *v, const struct cert *c, const char *file)
{
  const char *base = strrchr(c->path, '/') + 1;
  size_t dir = (size_t)(base - c->path), id = strlen(base) - strlen(".json");
  size_t file_dir = strrchr(file, '/') ? (size_t)(strrchr(file, '/') - file) + 1 : 0;
  for(size_t i = 0; i < v->n_parts; i++) {
    const struct cert_part *p = &v->parts[i];
    char beside[4200], hash[SHA256_HEX_LEN];
    if(strncmp(p->path, c->path, dir + id) || strncmp(p->path + dir + id, ".part-", 6))
      continue;
    snprintf(beside, sizeof(beside), "%.*s%s", (int)file_dir, file, p->path + dir);
    file_hash(beside, hash);
    if(!hash[0])
      return verify_fail(v, "%s: its part %s is not beside it", file, p->path + dir);
    if(strcmp(hash, p->hash))
      return verify_fail(v, "%s: differs from the ledger's copy %s", beside, p->path);
  }
  return LETHE_OK;
}

lethe_rc verify_check_named(struct verifier *v, const char *file)
{
  const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
  struct file_check fc = { .sig = NULL };
  struct dynbuf sig;
  char sigpath[4200], hash[SHA256_HEX_LEN];
  const struct cert *match = NULL;
  lethe_rc rc;
  snprintf(sigpath, sizeof(sigpath), "%s" LEDGER_SIG_SUFFIX, file);
  db_init(&sig, 64 * 1024);
  rc = small_file(sigpath, &sig, v->err);
  if(!rc)
    rc = verify_file_begin(&fc, &sig, NULL);
  if(!rc)
    rc = stream_file(file, verify_file_feed, &fc, v->err);
  if(rc) {
    char why[sizeof(v->err->msg)];
    memcpy(why, v->err->msg, sizeof(why));
    rc = verify_fail(v, "%.900s", why);
  }
  if(!rc)
    rc = verify_file_end(v, &fc, file, hash);
  for(size_t i = 0; !rc && i < v->n_certs && !match; i++)
    if(!strcmp(strrchr(v->certs[i].path, '/') + 1, base))
      match = &v->certs[i];
  if(!rc && !match)
    rc = verify_fail(v, "%s: not in the ledger", file);
  if(!rc && strcmp(hash, match->hash))
    rc = verify_fail(v, "%s: differs from the ledger's copy %s", file, match->path);
  if(!rc)
    rc = check_parts_beside(v, match, file);
  if(!rc)
    verify_note(v, "ok: %s is signed and is %s in the ledger", file, match->path);
  if(fc.sha)
    EVP_MD_CTX_free(fc.sha);
  sshsig_check_free(fc.sig);
  db_release(&sig);
  return rc;
}

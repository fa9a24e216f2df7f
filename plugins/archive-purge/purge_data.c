/* Entry data through the purge: read, hashed and written in pieces, so that
 * memory does not grow with the size of an entry. */
#include "purge_internal.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <openssl/evp.h>

#include "arc_locale.h"

#define ZEROS_LEN ((size_t)64 << 10)

static const unsigned char zeros[ZEROS_LEN];

/* Give n bytes to the writer and the hash. */
static lethe_rc feed(struct archive *w, EVP_MD_CTX *sha, const void *p, size_t n,
                     struct arc_err *err)
{
  EVP_DigestUpdate(sha, p, n);
  if(w) {
    void *loc = arc_locale_enter();
    la_ssize_t k = archive_write_data(w, p, n);
    arc_locale_leave(loc);
    if(k < 0 || (size_t)k != n)
      return arc_err_set(err, LETHE_E_IO, "writing the new archive: %s",
                         k < 0 ? archive_error_string(w) : "the entry's data is longer than "
                         "its header says");
  }
  return LETHE_OK;
}

static lethe_rc feed_hole(struct archive *w, EVP_MD_CTX *sha, size_t n, struct arc_err *err)
{
  while(n) {
    size_t k = n < ZEROS_LEN ? n : ZEROS_LEN;
    lethe_rc rc = feed(w, sha, zeros, k, err);
    if(rc)
      return rc;
    n -= k;
  }
  return LETHE_OK;
}

lethe_rc purge_data_copy(struct arc_reader *r, struct archive *w,
                         unsigned char sha[ARC_SHA256_LEN], int64_t *size,
                         struct arc_err *err)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  lethe_rc rc = LETHE_OK;
  unsigned int dlen = 0;
  *size = 0;
  if(!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
    EVP_MD_CTX_free(ctx);
    return arc_err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  for(;;) {
    const void *buf;
    size_t len;
    bool hole;
    rc = arc_reader_data(r, &buf, &len, &hole, err);
    if(rc || len == 0)
      break;
    rc = hole ? feed_hole(w, ctx, len, err) : feed(w, ctx, buf, len, err);
    if(rc)
      break;
    *size += (int64_t)len;
  }
  if(!rc)
    EVP_DigestFinal_ex(ctx, sha, &dlen);
  EVP_MD_CTX_free(ctx);
  return rc;
}

static la_ssize_t out_write(struct archive *a, void *data, const void *buf, size_t n)
{
  struct purge_out *out = data;
  const unsigned char *p = buf;
  size_t left = n;
  while(left) {
    ssize_t k = write(out->fd, p, left);
    if(k < 0 && errno == EINTR)
      continue;
    if(k < 0) {
      archive_set_error(a, errno, "write: %s", strerror(errno));
      return -1;
    }
    p += k;
    left -= (size_t)k;
  }
  EVP_DigestUpdate(out->sha, buf, n);
  out->bytes += n;
  return (la_ssize_t)n;
}

int purge_out_open(struct purge_out *out, struct archive *w)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if(!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
    EVP_MD_CTX_free(ctx);
    archive_set_error(w, ENOMEM, "out of memory");
    return ARCHIVE_FATAL;
  }
  out->sha = ctx;
  out->bytes = 0;
  return archive_write_open(w, out, NULL, out_write, NULL);
}

void purge_out_finish(struct purge_out *out, char hex[ARC_SHA256_HEX])
{
  unsigned char d[ARC_SHA256_LEN];
  unsigned int n = 0;
  hex[0] = '\0';
  if(!out->sha)
    return;
  EVP_DigestFinal_ex(out->sha, d, &n);
  arc_sha256_hex(d, hex);
  EVP_MD_CTX_free(out->sha);
  out->sha = NULL;
}

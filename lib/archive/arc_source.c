#include "arc_source.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <archive.h>
#include <openssl/evp.h>

#define SOURCE_BUF ((size_t)128 << 10)

static int64_t ts_ns(const struct statx_timestamp *t)
{
  return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static void id_from_statx(const struct statx *stx, struct arc_id *out);

lethe_rc arc_id_of_fd(int fd, struct arc_id *out, struct arc_err *err)
{
  struct statx stx;
  if(statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) != 0)
    return arc_err_sys(err, LETHE_E_IO, "statx");
  id_from_statx(&stx, out);
  return LETHE_OK;
}

lethe_rc arc_id_of_name(int dirfd, const char *name, struct arc_id *out, struct arc_err *err)
{
  char q[ARC_QUOTE_MAX];
  struct statx stx;
  if(statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS, &stx) != 0)
    return arc_err_sys(err, errno == ENOENT ? LETHE_E_NOTFOUND : LETHE_E_IO, "%s",
                       arc_quote(name, strlen(name), q));
  id_from_statx(&stx, out);
  return LETHE_OK;
}

bool arc_id_same_inode(const struct arc_id *a, const struct arc_id *b)
{
  return a->dev == b->dev && a->ino == b->ino;
}

static void id_from_statx(const struct statx *stx, struct arc_id *out)
{
  out->dev = makedev(stx->stx_dev_major, stx->stx_dev_minor); /* as st_dev, as fileops */
  out->ino = stx->stx_ino;
  out->size = stx->stx_size;
  out->mtime_ns = ts_ns(&stx->stx_mtime);
  out->ctime_ns = ts_ns(&stx->stx_ctime);
  out->nlink = stx->stx_nlink;
  out->mode = stx->stx_mode;
  out->uid = stx->stx_uid;
  out->gid = stx->stx_gid;
}

bool arc_id_equal(const struct arc_id *a, const struct arc_id *b)
{
  return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

void arc_id_format(const struct arc_id *id, char out[160])
{
  snprintf(out, 160, "dev=%" PRIu64 " ino=%" PRIu64 " size=%" PRIu64 " mtime_ns=%" PRId64
           " ctime_ns=%" PRId64, id->dev, id->ino, id->size, id->mtime_ns, id->ctime_ns);
}

lethe_rc arc_source_init(struct arc_source *s, int fd, int64_t size, bool hash)
{
  memset(s, 0, sizeof(*s));
  s->fd = fd;
  s->size = size;
  s->buf = malloc(SOURCE_BUF);
  if(!s->buf)
    return LETHE_E_NOMEM;
  s->buflen = SOURCE_BUF;
  if(hash) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if(!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
      EVP_MD_CTX_free(ctx);
      arc_source_release(s);
      return LETHE_E_NOMEM;
    }
    s->sha = ctx;
  }
  return LETHE_OK;
}

void arc_source_release(struct arc_source *s)
{
  free(s->buf);
  EVP_MD_CTX_free(s->sha);
  s->buf = NULL;
  s->sha = NULL;
}

/* Feed the bytes just read at off to the hash when they continue it. */
static void hash_in_order(struct arc_source *s, int64_t off, const unsigned char *p, size_t n)
{
  int64_t end = off + (int64_t)n;
  if(!s->sha || off > s->hashed || end <= s->hashed)
    return;
  p += s->hashed - off;
  EVP_DigestUpdate(s->sha, p, (size_t)(end - s->hashed));
  s->hashed = end;
}

static la_ssize_t cb_read(struct archive *a, void *data, const void **buf)
{
  struct arc_source *s = data;
  size_t want = s->buflen;
  ssize_t n;
  /* The file is read as it was when identified: bytes appended since are
   * not part of it. */
  if(s->pos >= s->size)
    return 0;
  if((int64_t)want > s->size - s->pos)
    want = (size_t)(s->size - s->pos);
  do
    n = pread(s->fd, s->buf, want, s->pos);
  while(n < 0 && errno == EINTR);
  if(n < 0) {
    archive_set_error(a, errno, "read at byte %" PRId64 ": %s", s->pos, strerror(errno));
    return -1;
  }
  hash_in_order(s, s->pos, s->buf, (size_t)n);
  s->pos += n;
  *buf = s->buf;
  return n;
}

static la_int64_t cb_skip(struct archive *a, void *data, la_int64_t request)
{
  struct arc_source *s = data;
  (void)a;
  if(request <= 0)
    return 0;
  if(s->pos >= s->size)
    return 0;
  if(request > s->size - s->pos)
    request = s->size - s->pos;
  s->pos += request;
  return request;
}

static la_int64_t cb_seek(struct archive *a, void *data, la_int64_t offset, int whence)
{
  struct arc_source *s = data;
  int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? s->pos : s->size;
  if(offset > INT64_MAX - base || base + offset < 0) {
    archive_set_error(a, EINVAL, "seek out of range");
    return ARCHIVE_FATAL;
  }
  s->pos = base + offset;
  return s->pos;
}

int arc_source_open(struct arc_source *s, struct archive *a)
{
  archive_read_set_callback_data(a, s);
  archive_read_set_read_callback(a, cb_read);
  archive_read_set_seek_callback(a, cb_seek);
  if(!s->sha)
    archive_read_set_skip_callback(a, cb_skip);
  return archive_read_open1(a);
}

lethe_rc arc_source_sha256(struct arc_source *s, unsigned char out[ARC_SHA256_LEN],
                           struct arc_err *err)
{
  unsigned int len = 0;
  while(s->hashed < s->size) {
    ssize_t n = pread(s->fd, s->buf, s->buflen, s->hashed);
    if(n < 0 && errno == EINTR)
      continue;
    if(n < 0)
      return arc_err_sys(err, LETHE_E_IO, "read at byte %" PRId64, s->hashed);
    if(n == 0)
      return arc_err_set(err, LETHE_E_CHANGED, "the file shrank to %" PRId64 " bytes while "
                         "it was read", s->hashed);
    EVP_DigestUpdate(s->sha, s->buf, (size_t)n);
    s->hashed += n;
  }
  if(s->hashed != s->size)
    return arc_err_set(err, LETHE_E_CHANGED, "the file grew while it was read");
  EVP_DigestFinal_ex(s->sha, out, &len);
  return LETHE_OK;
}

void arc_sha256_hex(const unsigned char digest[ARC_SHA256_LEN], char hex[ARC_SHA256_HEX])
{
  static const char digits[] = "0123456789abcdef";
  for(size_t i = 0; i < ARC_SHA256_LEN; i++) {
    hex[2 * i] = digits[digest[i] >> 4];
    hex[2 * i + 1] = digits[digest[i] & 15];
  }
  hex[2 * ARC_SHA256_LEN] = '\0';
}

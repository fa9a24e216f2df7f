/* Overwriting a file's data in place with a ChaCha20 keystream.
 *
 * The keystream for a byte is a pure function of (pass key, nonce, offset):
 * every 1 MiB chunk has its own IV (the chunk index folded into the nonce,
 * the block counter set from the offset within the chunk), so the counter
 * never wraps and the last pass can be regenerated for verification without
 * keeping it in memory. Only data segments are written: a hole holds no data
 * to clear, and filling it could exhaust the disk. */
#include "shred_core.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define CHUNK ((size_t)1 << 20)
#define CHACHA_BLOCK 64u

struct segment {
  uint64_t off, len;
};

struct seglist {
  struct segment *v;
  size_t n, cap;
};

/* One pass's keystream. */
struct stream {
  EVP_CIPHER_CTX *ctx;
  unsigned char key[32];
  unsigned char nonce[12];
};

/* What a pass writes: keystream, or zeros when stream is NULL. */
struct buffers {
  unsigned char *zeros;  /* CHUNK zero bytes: the plaintext, and the zero pass */
  unsigned char *out;    /* CHUNK bytes of keystream */
  unsigned char *in;     /* CHUNK bytes read back, for verification */
};

static lethe_rc seg_push(struct seglist *sl, uint64_t off, uint64_t len, struct lethe_err *err)
{
  if(sl->n == sl->cap) {
    size_t cap = sl->cap ? sl->cap * 2 : 16;
    struct segment *v = realloc(sl->v, cap * sizeof(*v));
    if(!v)
      return err_set(err, LETHE_E_NOMEM, "out of memory listing data segments");
    sl->v = v;
    sl->cap = cap;
  }
  sl->v[sl->n].off = off;
  sl->v[sl->n].len = len;
  sl->n++;
  return LETHE_OK;
}

/* The data segments of [0, size), from SEEK_DATA/SEEK_HOLE; the whole range
 * where the file system cannot tell. */
static lethe_rc data_segments(int fd, uint64_t size, struct seglist *sl, struct lethe_err *err)
{
  uint64_t off = 0;
  while(off < size) {
    off_t d = lseek(fd, (off_t)off, SEEK_DATA);
    off_t h;
    if(d < 0 && errno == ENXIO)
      break;
    if(d < 0)
      return seg_push(sl, off, size - off, err);
    if((uint64_t)d >= size)
      break;
    h = lseek(fd, d, SEEK_HOLE);
    if(h < 0 || (uint64_t)h > size)
      h = (off_t)size;
    if(h <= d)
      return seg_push(sl, (uint64_t)d, size - (uint64_t)d, err);
    if(seg_push(sl, (uint64_t)d, (uint64_t)(h - d), err))
      return err->rc;
    off = (uint64_t)h;
  }
  return LETHE_OK;
}

static lethe_rc stream_start(struct stream *s, struct lethe_err *err)
{
  if(RAND_bytes(s->key, sizeof(s->key)) != 1 || RAND_bytes(s->nonce, sizeof(s->nonce)) != 1)
    return err_set(err, LETHE_E_IO, "RAND_bytes failed: no key for the overwrite");
  return LETHE_OK;
}

/* n bytes of keystream for file offset off into out; n must not cross a chunk
 * boundary. */
static lethe_rc stream_at(struct stream *s, uint64_t off, unsigned char *out, size_t n,
                          const unsigned char *zeros, struct lethe_err *err)
{
  unsigned char iv[16], skip[CHACHA_BLOCK];
  uint64_t chunk = off / CHUNK;
  uint32_t within = (uint32_t)(off % CHUNK);
  uint32_t counter = within / CHACHA_BLOCK;
  int len;

  for(int i = 0; i < 4; i++)
    iv[i] = (unsigned char)(counter >> (8 * i));
  memcpy(iv + 4, s->nonce, sizeof(s->nonce));
  for(int i = 0; i < 8; i++)
    iv[8 + i] ^= (unsigned char)(chunk >> (8 * i));
  if(EVP_EncryptInit_ex(s->ctx, EVP_chacha20(), NULL, s->key, iv) != 1)
    return err_set(err, LETHE_E_IO, "cannot set up ChaCha20");
  if(within % CHACHA_BLOCK &&
     EVP_EncryptUpdate(s->ctx, skip, &len, zeros, (int)(within % CHACHA_BLOCK)) != 1)
    return err_set(err, LETHE_E_IO, "ChaCha20 failed");
  if(EVP_EncryptUpdate(s->ctx, out, &len, zeros, (int)n) != 1)
    return err_set(err, LETHE_E_IO, "ChaCha20 failed");
  return LETHE_OK;
}

static lethe_rc pwrite_all(int fd, const unsigned char *buf, size_t n, uint64_t off,
                           struct lethe_err *err)
{
  while(n) {
    ssize_t w = pwrite(fd, buf, n, (off_t)off);
    if(w < 0 && errno == EINTR)
      continue;
    if(w <= 0)
      return err_sys(err, LETHE_E_IO, "write failed at offset %" PRIu64, off);
    buf += w;
    n -= (size_t)w;
    off += (uint64_t)w;
  }
  return LETHE_OK;
}

static lethe_rc pread_all(int fd, unsigned char *buf, size_t n, uint64_t off,
                          struct lethe_err *err)
{
  while(n) {
    ssize_t r = pread(fd, buf, n, (off_t)off);
    if(r < 0 && errno == EINTR)
      continue;
    if(r < 0)
      return err_sys(err, LETHE_E_IO, "verification: read failed at offset %" PRIu64, off);
    if(r == 0)
      return err_set(err, LETHE_E_IO, "verification: file shrank to %" PRIu64 " bytes", off);
    buf += r;
    n -= (size_t)r;
    off += (uint64_t)r;
  }
  return LETHE_OK;
}

/* The bytes a pass puts at [off, off+n): keystream, or zeros. */
static lethe_rc pass_bytes(struct stream *s, uint64_t off, size_t n, struct buffers *b,
                           const unsigned char **bytes, struct lethe_err *err)
{
  if(!s) {
    *bytes = b->zeros;
    return LETHE_OK;
  }
  *bytes = b->out;
  return stream_at(s, off, b->out, n, b->zeros, err);
}

static size_t piece(uint64_t pos, uint64_t end)
{
  uint64_t room = CHUNK - pos % CHUNK;
  return (size_t)(end - pos < room ? end - pos : room);
}

static lethe_rc write_pass(int fd, const struct seglist *sl, struct stream *s,
                           struct buffers *b, struct lethe_err *err)
{
  for(size_t i = 0; i < sl->n; i++) {
    uint64_t end = sl->v[i].off + sl->v[i].len;
    for(uint64_t pos = sl->v[i].off; pos < end;) {
      size_t n = piece(pos, end);
      const unsigned char *bytes;
      if(pass_bytes(s, pos, n, b, &bytes, err) || pwrite_all(fd, bytes, n, pos, err))
        return err->rc;
      pos += n;
    }
  }
  /* Each pass must reach the device, or the page cache folds them into one. */
  if(fdatasync(fd))
    return err_sys(err, LETHE_E_IO, "fdatasync after a pass failed");
  return LETHE_OK;
}

static lethe_rc verify_pass(int fd, const struct seglist *sl, struct stream *s,
                            struct buffers *b, struct lethe_err *err)
{
  /* Drop the cached pages so that the read comes from the device. */
  (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  for(size_t i = 0; i < sl->n; i++) {
    uint64_t end = sl->v[i].off + sl->v[i].len;
    for(uint64_t pos = sl->v[i].off; pos < end;) {
      size_t n = piece(pos, end);
      const unsigned char *bytes;
      if(pread_all(fd, b->in, n, pos, err) || pass_bytes(s, pos, n, b, &bytes, err))
        return err->rc;
      if(memcmp(b->in, bytes, n))
        return err_set(err, LETHE_E_IO, "verification failed: the data read back at offset %"
                       PRIu64 " is not what was written", pos);
      pos += n;
    }
  }
  return LETHE_OK;
}

static lethe_rc run_passes(int fd, const struct seglist *sl, const struct shred_opts *o,
                           struct stream *s, struct buffers *b, struct lethe_err *err)
{
  for(unsigned p = 0; p < o->passes; p++) {
    if(stream_start(s, err) || write_pass(fd, sl, s, b, err))
      return err->rc;
  }
  if(o->zero_pass && write_pass(fd, sl, NULL, b, err))
    return err->rc;
  if(o->verify)
    return verify_pass(fd, sl, o->zero_pass ? NULL : s, b, err);
  return LETHE_OK;
}

lethe_rc shred_overwrite(int fd, uint64_t size, const struct shred_opts *o,
                         struct lethe_err *err)
{
  struct seglist sl = { 0 };
  struct stream s = { 0 };
  struct buffers b = { 0 };
  lethe_rc rc = data_segments(fd, size, &sl, err);

  if(!rc) {
    b.zeros = calloc(1, CHUNK);
    b.out = malloc(CHUNK);
    b.in = o->verify ? malloc(CHUNK) : NULL;
    s.ctx = EVP_CIPHER_CTX_new();
    if(!b.zeros || !b.out || (o->verify && !b.in) || !s.ctx)
      rc = err_set(err, LETHE_E_NOMEM, "out of memory for the overwrite");
  }
  if(!rc)
    rc = run_passes(fd, &sl, o, &s, &b, err);
  OPENSSL_cleanse(s.key, sizeof(s.key));
  OPENSSL_cleanse(s.nonce, sizeof(s.nonce));
  EVP_CIPHER_CTX_free(s.ctx);
  free(b.zeros);
  free(b.out);
  free(b.in);
  free(sl.v);
  return rc;
}

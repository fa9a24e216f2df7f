#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "fileops.h"

/* A piece this large arriving at an empty block is written without a copy. */
#define SPOOL_DIRECT (64 * 1024)

static const char *spool_dir(void)
{
  const char *dir = getenv("TMPDIR");
  return dir && *dir == '/' ? dir : "/tmp";
}

lethe_rc spool_open(struct spool *s, struct lethe_err *err)
{
  memset(s, 0, sizeof(*s));
  db_init(&s->block, SPOOL_BLOCK);
  s->fd = open(spool_dir(), O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);
  if(s->fd < 0)
    return err_sys(err, LETHE_E_IO, "cannot create the plan's spool file in %s", spool_dir());
  return LETHE_OK;
}

lethe_rc spool_flush(struct spool *s)
{
  lethe_rc rc = fileops_write_all(s->fd, s->block.mem, s->block.len);
  if(!rc)
    s->written += s->block.len;
  db_reset(&s->block);
  return rc;
}

lethe_rc spool_add(struct spool *s, const void *data, size_t n)
{
  lethe_rc rc = LETHE_OK;
  if(n > SPOOL_BLOCK - s->block.len)
    rc = spool_flush(s);
  if(rc)
    return rc;
  if(!s->block.len && n >= SPOOL_DIRECT) {
    rc = fileops_write_all(s->fd, data, n);
    if(!rc)
      s->written += n;
    return rc;
  }
  return db_add(&s->block, data, n);
}

uint64_t spool_tell(const struct spool *s)
{
  return s->written + s->block.len;
}

/* Read up to n bytes at off into p; the count, 0 at the end, -1 on error. */
static ssize_t read_at(int fd, char *p, size_t n, uint64_t off)
{
  ssize_t k;
  do
    k = pread(fd, p, n, (off_t)off);
  while(k < 0 && errno == EINTR);
  return k;
}

/* The read side of spool_each_line: buf holds bytes [start, len) not yet
 * handed out; more is read from pos until end. */
struct reader {
  char *buf;
  size_t cap, start, len;
  uint64_t pos, end;
};

/* Make room for a block after the unconsumed bytes and read it. */
static lethe_rc refill(struct spool *s, struct reader *r, size_t max_line)
{
  size_t want = r->end - r->pos < SPOOL_BLOCK ? (size_t)(r->end - r->pos) : SPOOL_BLOCK;
  ssize_t k;
  if(r->start) /* else nothing to move, and the first time no buffer yet (NULL) */
    memmove(r->buf, r->buf + r->start, r->len - r->start);
  r->len -= r->start;
  r->start = 0;
  if(r->len > max_line)
    return LETHE_E_IO; /* no line ends within max_line bytes */
  if(r->cap - r->len < want) {
    char *bigger = realloc(r->buf, r->len + want);
    if(!bigger)
      return LETHE_E_NOMEM;
    r->buf = bigger;
    r->cap = r->len + want;
  }
  k = read_at(s->fd, r->buf + r->len, want, r->pos);
  if(k <= 0)
    return LETHE_E_IO;
  r->len += (size_t)k;
  r->pos += (uint64_t)k;
  return LETHE_OK;
}

lethe_rc spool_each_line(struct spool *s, uint64_t begin, uint64_t end, size_t max_line,
                         spool_line_fn fn, void *ctx)
{
  struct reader r = { .pos = begin, .end = end };
  lethe_rc rc = spool_flush(s);
  while(!rc && (r.pos < r.end || r.start < r.len)) {
    char *line = r.buf + r.start;
    char *nl = r.start < r.len ? memchr(line, '\n', r.len - r.start) : NULL;
    if(nl) {
      r.start = (size_t)(nl - r.buf) + 1;
      rc = fn(ctx, line, (size_t)(nl - line));
    }
    else {
      rc = r.pos < r.end ? refill(s, &r, max_line) : LETHE_E_IO;
    }
  }
  free(r.buf);
  return rc;
}

/* The copy without sendfile: out's fd may not take it (O_APPEND). */
static lethe_rc copy_by_reading(struct spool *s, uint64_t pos, uint64_t end, int out)
{
  char *buf = malloc(SPOOL_BLOCK);
  lethe_rc rc = buf ? LETHE_OK : LETHE_E_NOMEM;
  while(!rc && pos < end) {
    size_t want = end - pos < SPOOL_BLOCK ? (size_t)(end - pos) : SPOOL_BLOCK;
    ssize_t k = read_at(s->fd, buf, want, pos);
    if(k <= 0)
      rc = LETHE_E_IO;
    else
      rc = fileops_write_all(out, buf, (size_t)k);
    pos += k > 0 ? (uint64_t)k : 0;
  }
  free(buf);
  return rc;
}

lethe_rc spool_copy(struct spool *s, uint64_t begin, uint64_t end, FILE *out)
{
  off_t off = (off_t)begin;
  int fd = fileno(out);
  lethe_rc rc = spool_flush(s);
  if(rc)
    return rc;
  if(fflush(out))
    return LETHE_E_IO;
  /* In the kernel, without copying through this process. */
  while((uint64_t)off < end) {
    size_t want = end - (uint64_t)off < SPOOL_BLOCK ? (size_t)(end - (uint64_t)off)
                                                     : SPOOL_BLOCK;
    ssize_t k = sendfile(fd, s->fd, &off, want);
    if(k < 0 && errno == EINTR)
      continue;
    if(k < 0 && (errno == EINVAL || errno == ENOSYS))
      return copy_by_reading(s, (uint64_t)off, end, fd);
    if(k <= 0)
      return LETHE_E_IO;
  }
  return LETHE_OK;
}

void spool_close(struct spool *s)
{
  if(s->fd >= 0)
    close(s->fd);
  db_release(&s->block);
  s->fd = -1;
}

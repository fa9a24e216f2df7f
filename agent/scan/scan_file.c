/* scan_file and scan_buffer: open safely, tell the format, dispatch. */
#include "formats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNIFF 8192

static bool ends_with(const char *name, const char *ext)
{
  size_t n = strlen(name), e = strlen(ext);
  return n > e && !strcasecmp(name + n - e, ext);
}

/* The format from the first bytes and the name. */
static enum scan_format sniff(const unsigned char *p, size_t n, const char *name)
{
  if(!n)
    return SCAN_FMT_EMPTY;
  if(n >= 4 && !memcmp(p, "PK\3\4", 4))
    return SCAN_FMT_ZIP;
  if(memmem(p, n < 1024 ? n : 1024, "%PDF-", 5))
    return SCAN_FMT_PDF;
  if(memchr(p, '\0', n))
    return SCAN_FMT_BINARY;
  if(ends_with(name, ".csv") || ends_with(name, ".tsv"))
    return SCAN_FMT_CSV;
  return SCAN_FMT_TEXT;
}

static lethe_rc dispatch(const struct scan_rules *r, const struct scan_input *in,
                         enum scan_format f, struct scan_findings *out, char *err, size_t errlen)
{
  out->format = f;
  switch(f) {
  case SCAN_FMT_TEXT:
  case SCAN_FMT_CSV:
    return scan_text(r, in, f == SCAN_FMT_CSV, ends_with(in->name, ".tsv"), out, err, errlen);
  case SCAN_FMT_ZIP:
    return scan_office(r, in, out, err, errlen);
  case SCAN_FMT_PDF:
    return scan_pdf(r, in, out, err, errlen);
  default:
    return LETHE_OK;   /* empty or binary: nothing to read */
  }
}

static lethe_rc named(lethe_rc rc, const char *name, char *err, size_t errlen)
{
  if(rc)
    scan_err_prefix(err, errlen, "%s: ", name);
  return rc;
}

/* Open name in dirfd as a regular file, never through a symlink and never
 * blocking on a fifo. */
static lethe_rc open_regular(int dirfd, const char *name, int *fd, struct stat *st,
                             char *err, size_t errlen)
{
  int flags;
  *fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if(*fd < 0) {
    if(errno == ELOOP)
      return scan_err(err, errlen, LETHE_E_UNSAFE, "%s: is a symlink; not followed", name);
    return scan_err(err, errlen, LETHE_E_IO, "%s: open: %s", name, strerror(errno));
  }
  if(fstat(*fd, st) < 0 || !S_ISREG(st->st_mode)) {
    int e = errno;
    close(*fd);
    *fd = -1;
    if(S_ISREG(st->st_mode))
      return scan_err(err, errlen, LETHE_E_IO, "%s: fstat: %s", name, strerror(e));
    return scan_err(err, errlen, LETHE_E_UNSAFE, "%s: not a regular file", name);
  }
  flags = fcntl(*fd, F_GETFL);
  if(flags >= 0)
    (void)fcntl(*fd, F_SETFL, flags & ~O_NONBLOCK);
  (void)posix_fadvise(*fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return LETHE_OK;
}

lethe_rc scan_file(const struct scan_rules *r, int dirfd, const char *name,
                   struct scan_findings *out, char *err, size_t errlen)
{
  unsigned char head[SNIFF];
  struct scan_input in = { -1, NULL, 0, name };
  struct stat st;
  ssize_t n;
  lethe_rc rc;

  memset(out, 0, sizeof(*out));
  if(err && errlen)
    err[0] = '\0';
  rc = open_regular(dirfd, name, &in.fd, &st, err, errlen);
  if(rc)
    return rc;
  in.size = (uint64_t)st.st_size;
  n = pread(in.fd, head, sizeof(head), 0);
  if(n < 0) {
    rc = scan_err(err, errlen, LETHE_E_IO, "%s: read: %s", name, strerror(errno));
    close(in.fd);
    return rc;
  }
  rc = dispatch(r, &in, sniff(head, (size_t)n, name), out, err, errlen);
  explicit_bzero(head, sizeof(head));
  close(in.fd);
  return named(rc, name, err, errlen);
}

lethe_rc scan_buffer(const struct scan_rules *r, const char *name, const void *data,
                     size_t len, struct scan_findings *out, char *err, size_t errlen)
{
  struct scan_input in = { -1, data, len, name };
  lethe_rc rc;
  memset(out, 0, sizeof(*out));
  if(err && errlen)
    err[0] = '\0';
  rc = dispatch(r, &in, sniff(data, len < SNIFF ? len : SNIFF, name), out, err, errlen);
  return named(rc, name, err, errlen);
}

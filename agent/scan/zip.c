/* Bounded zip reading over libarchive, from a file (pread) or memory. */
#include "zip.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IO_BLOCK 65536

static la_ssize_t on_read(struct archive *a, void *data, const void **buf)
{
  struct zip *z = data;
  uint64_t left = z->pos < z->in->size ? z->in->size - z->pos : 0;
  size_t n = left < IO_BLOCK ? (size_t)left : IO_BLOCK;
  ssize_t got;
  if(z->in->fd < 0) {
    *buf = z->in->mem + z->pos;
    z->pos += n;
    return (la_ssize_t)n;
  }
  do
    got = pread(z->in->fd, z->io, n, (off_t)z->pos);
  while(got < 0 && errno == EINTR);
  if(got < 0) {
    archive_set_error(a, errno, "read at offset %llu: %s", (unsigned long long)z->pos,
                      strerror(errno));
    return -1;
  }
  *buf = z->io;
  z->pos += (uint64_t)got;
  return got;
}

static la_int64_t on_seek(struct archive *a, void *data, la_int64_t off, int whence)
{
  struct zip *z = data;
  int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)z->pos
                                                             : (int64_t)z->in->size;
  (void)a;
  if(base + off < 0)
    return ARCHIVE_FATAL;
  z->pos = (uint64_t)(base + off);
  return (la_int64_t)z->pos;
}

static la_int64_t on_skip(struct archive *a, void *data, la_int64_t n)
{
  struct zip *z = data;
  (void)a;
  z->pos += (uint64_t)n;
  return n;
}

lethe_rc zip_open(struct zip *z, const struct scan_input *in, const struct scan_limits *lim,
                  char *err, size_t errlen)
{
  memset(z, 0, sizeof(*z));
  z->in = in;
  z->lim = lim;
  z->a = archive_read_new();
  z->io = in->fd >= 0 ? malloc(IO_BLOCK) : NULL;
  if(!z->a || (in->fd >= 0 && !z->io))
    return LETHE_E_NOMEM;
  archive_read_support_format_zip_seekable(z->a);
  archive_read_set_read_callback(z->a, on_read);
  archive_read_set_seek_callback(z->a, on_seek);
  archive_read_set_skip_callback(z->a, on_skip);
  archive_read_set_callback_data(z->a, z);
  if(archive_read_open1(z->a) != ARCHIVE_OK)
    return scan_err(err, errlen, LETHE_E_PARSE,
                    "zip: no readable central directory in %llu bytes (truncated or corrupt): %s",
                    (unsigned long long)in->size, archive_error_string(z->a));
  return LETHE_OK;
}

lethe_rc zip_next(struct zip *z, const char **name, char *err, size_t errlen)
{
  struct archive_entry *e;
  int rc = archive_read_next_header(z->a, &e);
  *name = NULL;
  if(rc == ARCHIVE_EOF)
    return LETHE_OK;
  if(rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
    return scan_err(err, errlen, LETHE_E_PARSE, "zip entry %u: %s", z->entries + 1,
                    archive_error_string(z->a));
  if(++z->entries > z->lim->max_entries)
    return scan_err(err, errlen, LETHE_E_RANGE, "zip: more than %u entries", z->lim->max_entries);
  snprintf(z->member, sizeof(z->member), "%s",
           archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
  z->member_bytes = 0;
  *name = z->member;
  return LETHE_OK;
}

lethe_rc zip_read(struct zip *z, void *buf, size_t n, size_t *got, char *err, size_t errlen)
{
  la_ssize_t r = archive_read_data(z->a, buf, n);
  *got = 0;
  if(r < 0)
    return scan_err(err, errlen, LETHE_E_PARSE, "member %s: %s", z->member,
                    archive_error_string(z->a));
  z->member_bytes += (uint64_t)r;
  z->total += (uint64_t)r;
  if(z->member_bytes > z->lim->max_member)
    return scan_err(err, errlen, LETHE_E_RANGE,
                    "member %s: inflates beyond %llu bytes (zip bomb?)", z->member,
                    (unsigned long long)z->lim->max_member);
  if(z->total > z->lim->max_total)
    return scan_err(err, errlen, LETHE_E_RANGE,
                    "member %s: the container inflates beyond %llu bytes (zip bomb?)",
                    z->member, (unsigned long long)z->lim->max_total);
  *got = (size_t)r;
  return LETHE_OK;
}

void zip_close(struct zip *z)
{
  if(z->a)
    archive_read_free(z->a);
  if(z->io)
    explicit_bzero(z->io, IO_BLOCK);
  free(z->io);
  z->a = NULL;
  z->io = NULL;
}

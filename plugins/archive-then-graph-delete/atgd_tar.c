/* Drive files into a tar: see atgd_tar.h. */
#include "atgd_tar.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "arc_locale.h"

#define IO_CHUNK ((size_t)1 << 20)

lethe_rc atgd_file_open(struct atgd_file *f, int dirfd, struct lethe_err *err)
{
  f->fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if(f->fd < 0)
    return err_sys(err, LETHE_E_IO, "cannot make a temporary file in the archive directory");
  f->md = EVP_MD_CTX_new();
  if(!f->md || EVP_DigestInit_ex(f->md, EVP_sha256(), NULL) != 1)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  return LETHE_OK;
}

lethe_rc atgd_file_finish(struct atgd_file *f)
{
  unsigned int n = 0;
  return EVP_DigestFinal_ex(f->md, f->sha, &n) == 1 ? LETHE_OK : LETHE_E_IO;
}

void atgd_file_close(struct atgd_file *f)
{
  if(f->fd >= 0)
    close(f->fd);
  f->fd = -1;
  EVP_MD_CTX_free(f->md);
  f->md = NULL;
}

static lethe_rc la_error(struct archive *a, const char *what, struct lethe_err *err)
{
  const char *msg = archive_error_string(a);
  return err_set(err, LETHE_E_IO, "%s: %s", what, msg ? msg : "libarchive error");
}

/* One file's header and data. */
static lethe_rc put(struct archive *a, struct atgd_file *f, char *buf, struct lethe_err *err)
{
  struct archive_entry *e = archive_entry_new();
  lethe_rc rc = LETHE_OK;
  if(!e)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  void *loc = arc_locale_enter(); /* names are UTF-8: stored as they are */
  archive_entry_set_pathname(e, f->name);
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0600);
  archive_entry_set_size(e, (la_int64_t)f->size);
  archive_entry_set_mtime(e, time(NULL), 0);
  if(archive_write_header(a, e) != ARCHIVE_OK)
    rc = la_error(a, "cannot write the tar", err);
  arc_locale_leave(loc);
  for(uint64_t off = 0; !rc && off < f->size;) {
    ssize_t r = pread(f->fd, buf, IO_CHUNK, (off_t)off);
    if(r <= 0)
      rc = err_sys(err, LETHE_E_IO, "cannot read a downloaded file back");
    else if(archive_write_data(a, buf, (size_t)r) != r)
      rc = la_error(a, "cannot write the tar", err);
    off += r > 0 ? (uint64_t)r : 0;
  }
  archive_entry_free(e);
  return rc;
}

static lethe_rc write_all(struct atgd_state *st, int fd, struct atgd_file *f, size_t n,
                          struct lethe_err *err)
{
  struct archive *a = archive_write_new();
  char *buf = malloc(IO_CHUNK);
  lethe_rc rc = LETHE_OK;
  if(!a || !buf)
    rc = err_set(err, LETHE_E_NOMEM, "out of memory");
  else if(mbox_format_setup_write(a, st->fmt) != ARCHIVE_OK ||
          archive_write_open_fd(a, fd) != ARCHIVE_OK)
    rc = la_error(a, "cannot start the tar", err);
  for(size_t i = 0; !rc && i < n; i++)
    if(f[i].t->chosen)
      rc = put(a, &f[i], buf, err);
  if(!rc && archive_write_close(a) != ARCHIVE_OK)
    rc = la_error(a, "cannot finish the tar", err);
  if(!rc && fsync(fd))
    rc = err_sys(err, LETHE_E_IO, "cannot fsync the tar");
  archive_write_free(a);
  free(buf);
  return rc;
}

/* The next chosen file after *i, or NULL. */
static struct atgd_file *next_chosen(struct atgd_file *f, size_t n, size_t *i)
{
  while(*i < n && !f[*i].t->chosen)
    (*i)++;
  return *i < n ? &f[(*i)++] : NULL;
}

static lethe_rc check_entry(struct archive *a, struct archive_entry *e, struct atgd_file *f,
                            char *buf, struct lethe_err *err)
{
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  unsigned char d[MBOX_SHA256_LEN];
  unsigned int dn = 0;
  uint64_t total = 0;
  la_ssize_t r;
  lethe_rc rc = LETHE_OK;
  if(!md)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  if(strcmp(archive_entry_pathname(e) ? archive_entry_pathname(e) : "", f->name))
    rc = err_set(err, LETHE_E_UNSAFE, "the tar reads back with another name where '%.200s' was "
                 "written", f->name);
  EVP_DigestInit_ex(md, EVP_sha256(), NULL);
  while(!rc && (r = archive_read_data(a, buf, IO_CHUNK)) > 0) {
    EVP_DigestUpdate(md, buf, (size_t)r);
    total += (uint64_t)r;
  }
  EVP_DigestFinal_ex(md, d, &dn);
  EVP_MD_CTX_free(md);
  if(!rc && (total != f->size || memcmp(d, f->sha, MBOX_SHA256_LEN)))
    rc = err_set(err, LETHE_E_UNSAFE, "'%.200s' reads back from the tar with other bytes than "
                 "were downloaded", f->name);
  return rc;
}

static lethe_rc verify(struct atgd_state *st, int fd, struct atgd_file *f, size_t n,
                       struct lethe_err *err)
{
  struct archive *a = archive_read_new();
  struct archive_entry *e;
  char *buf = malloc(IO_CHUNK);
  size_t i = 0;
  lethe_rc rc = LETHE_OK;
  int r;
  if(!a || !buf)
    rc = err_set(err, LETHE_E_NOMEM, "out of memory");
  else if(lseek(fd, 0, SEEK_SET) < 0 || mbox_format_setup_read(a, st->fmt) != ARCHIVE_OK ||
          archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK)
    rc = la_error(a, "cannot read the tar back", err);
  for(;;) {
    void *loc = arc_locale_enter();
    struct atgd_file *x;
    r = rc ? ARCHIVE_FATAL : archive_read_next_header(a, &e);
    if(r != ARCHIVE_OK) {
      arc_locale_leave(loc);
      break;
    }
    x = next_chosen(f, n, &i);
    rc = x ? check_entry(a, e, x, buf, err)
           : err_set(err, LETHE_E_UNSAFE, "the tar holds more files than were written");
    arc_locale_leave(loc);
  }
  if(!rc && next_chosen(f, n, &i))
    rc = err_set(err, LETHE_E_UNSAFE, "the tar holds fewer files than were written");
  archive_read_free(a);
  free(buf);
  return rc;
}

static lethe_rc whole(int fd, char *hex, struct lethe_err *err)
{
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  unsigned char d[MBOX_SHA256_LEN];
  unsigned int dn = 0;
  char *buf = malloc(IO_CHUNK);
  ssize_t r = 0;
  if(!md || !buf) {
    EVP_MD_CTX_free(md);
    free(buf);
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  EVP_DigestInit_ex(md, EVP_sha256(), NULL);
  for(off_t off = 0; (r = pread(fd, buf, IO_CHUNK, off)) > 0; off += r)
    EVP_DigestUpdate(md, buf, (size_t)r);
  EVP_DigestFinal_ex(md, d, &dn);
  EVP_MD_CTX_free(md);
  free(buf);
  if(r < 0)
    return err_sys(err, LETHE_E_IO, "cannot read the tar back");
  mbox_hex(d, hex);
  return LETHE_OK;
}

lethe_rc atgd_tar_write(struct atgd_state *st, struct atgd_file *f, size_t n, char *hex,
                        struct lethe_err *err)
{
  int fd = -1;
  lethe_rc rc = atgd_create(st, &fd, err);
  if(rc)
    return rc;
  rc = write_all(st, fd, f, n, err);
  if(!rc)
    rc = verify(st, fd, f, n, err);
  if(!rc)
    rc = whole(fd, hex, err);
  close(fd);
  if(!rc)
    rc = atgd_commit(st, err);
  if(rc)
    atgd_discard(st);
  return rc;
}

/* Writing an archive with libarchive and reading it back to verify it. */
#include "ats.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "arc_locale.h"

#define IO_CHUNK ((size_t)1 << 20)

static const struct ats_format formats[] = {
  { "tar.zst", ARCHIVE_FILTER_ZSTD, false },
  { "tar.gz", ARCHIVE_FILTER_GZIP, false },
  { "tar.xz", ARCHIVE_FILTER_XZ, false },
  { "zip", ARCHIVE_FILTER_NONE, true },
};

const struct ats_format *ats_format_find(const char *name)
{
  for(size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
    if(!strcmp(name, formats[i].name))
      return &formats[i];
  return NULL;
}

void ats_hex(const unsigned char digest[ATS_SHA256_LEN], char *hex)
{
  static const char digits[] = "0123456789abcdef";
  for(size_t i = 0; i < ATS_SHA256_LEN; i++) {
    hex[2 * i] = digits[digest[i] >> 4];
    hex[2 * i + 1] = digits[digest[i] & 15];
  }
  hex[2 * ATS_SHA256_LEN] = '\0';
}

/* Format and filter on a write handle; ARCHIVE_WARN means libarchive would
 * fall back to an external program, which is refused. */
static int setup_write(struct archive *a, const struct ats_format *f)
{
  int r = f->zip ? archive_write_set_format_zip(a) : archive_write_set_format_pax_restricted(a);
  if(r != ARCHIVE_OK)
    return r;
  return archive_write_add_filter(a, f->filter);
}

static int setup_read(struct archive *a, const struct ats_format *f)
{
  int r;
  if(f->zip)
    return archive_read_support_format_zip_seekable(a);
  r = archive_read_support_format_tar(a);
  if(r != ARCHIVE_OK)
    return r;
  switch(f->filter) {
  case ARCHIVE_FILTER_ZSTD: return archive_read_support_filter_zstd(a);
  case ARCHIVE_FILTER_GZIP: return archive_read_support_filter_gzip(a);
  case ARCHIVE_FILTER_XZ: return archive_read_support_filter_xz(a);
  default: return ARCHIVE_OK;
  }
}

lethe_rc ats_format_check(const struct ats_format *f, struct lethe_err *err)
{
  struct archive *w = archive_write_new();
  struct archive *r = archive_read_new();
  lethe_rc rc = LETHE_OK;
  if(!w || !r)
    rc = err_set(err, LETHE_E_NOMEM, "out of memory");
  else if(setup_write(w, f) != ARCHIVE_OK)
    rc = err_set(err, LETHE_E_CONFIG, "setting 'archive-format': this libarchive cannot "
                 "write %s by itself: %s", f->name, archive_error_string(w));
  else if(setup_read(r, f) != ARCHIVE_OK)
    rc = err_set(err, LETHE_E_CONFIG, "setting 'archive-format': this libarchive cannot "
                 "read %s by itself: %s", f->name, archive_error_string(r));
  archive_write_free(w);
  archive_read_free(r);
  return rc;
}

/* libarchive's message, with the system error it recorded ("Write error"
 * alone does not say that the disk is full). EILSEQ and EINVAL are
 * libarchive's own "bad format" and "misuse" codes, not system errors. */
static lethe_rc la_error(struct archive *a, struct lethe_err *err, const char *what)
{
  const char *msg = archive_error_string(a);
  int no = archive_errno(a);
  if(no > 0 && no != EILSEQ && no != EINVAL &&
     (!msg || !strstr(msg, strerror(no))))
    return err_set(err, LETHE_E_IO, "%s: %s: %s", what, msg ? msg : "libarchive error",
                   strerror(no));
  return err_set(err, LETHE_E_IO, "%s: %s", what, msg ? msg : "unknown libarchive error");
}

lethe_rc ats_writer_open(struct ats_writer *w, int fd, const struct ats_format *f,
                         struct lethe_err *err)
{
  w->a = archive_write_new();
  w->zip = f->zip;
  if(!w->a)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  if(setup_write(w->a, f) != ARCHIVE_OK || archive_write_open_fd(w->a, fd) != ARCHIVE_OK) {
    la_error(w->a, err, "cannot start the archive");
    ats_writer_abort(w);
    return LETHE_E_IO;
  }
  return LETHE_OK;
}

static struct archive_entry *new_entry(const char *path, mode_t type, mode_t mode,
                                       int64_t mtime_ns)
{
  struct archive_entry *e = archive_entry_new();
  if(!e)
    return NULL;
  archive_entry_set_pathname(e, path);
  archive_entry_set_filetype(e, type);
  archive_entry_set_perm(e, mode & 07777);
  archive_entry_set_mtime(e, (time_t)(mtime_ns / 1000000000), (long)(mtime_ns % 1000000000));
  return e;
}

/* Names are bytes (lethe runs in the C locale, where libarchive cannot
 * convert anything over 0x7f): a UTF-8 name is written as UTF-8 (pax path
 * records, the zip UTF-8 flag); a name that is not UTF-8 is written as its
 * raw bytes (pax hdrcharset=BINARY, a zip name without the UTF-8 flag), for
 * which libarchive warns, and which the reading back checks byte for byte.
 * A symlink's target likewise. */
static lethe_rc write_header(struct ats_writer *w, struct archive_entry *ent, const char *path,
                             struct lethe_err *err)
{
  const char *target = archive_entry_symlink(ent);
  bool utf8 = arc_utf8_valid(path, strlen(path)) &&
              (!target || arc_utf8_valid(target, strlen(target)));
  void *loc = utf8 || !w->zip ? arc_locale_enter() : arc_locale_enter_c();
  int r = archive_write_header(w->a, ent);
  arc_locale_leave(loc);
  archive_entry_free(ent);
  if(r != ARCHIVE_OK && !(r == ARCHIVE_WARN && !utf8)) {
    char what[300];
    snprintf(what, sizeof(what), "cannot archive '%.256s'", path);
    return la_error(w->a, err, what);
  }
  return LETHE_OK;
}

/* Copy exactly e->size bytes of fd into the entry, hashing them. */
static lethe_rc copy_data(struct ats_writer *w, struct ats_entry *e, int fd,
                          unsigned char *buf, EVP_MD_CTX *md, struct lethe_err *err)
{
  uint64_t off = 0;
  while(off < e->size) {
    size_t want = e->size - off < IO_CHUNK ? (size_t)(e->size - off) : IO_CHUNK;
    ssize_t r = pread(fd, buf, want, (off_t)off);
    if(r < 0 && errno == EINTR)
      continue;
    if(r < 0)
      return err_sys(err, LETHE_E_IO, "cannot read '%s'", e->path);
    if(r == 0)
      return err_set(err, LETHE_E_CHANGED, "'%s' shrank while it was archived", e->path);
    if(EVP_DigestUpdate(md, buf, (size_t)r) != 1)
      return err_set(err, LETHE_E_IO, "SHA-256 failed");
    if(archive_write_data(w->a, buf, (size_t)r) != r) {
      char what[300];
      snprintf(what, sizeof(what), "cannot archive '%.256s'", e->path);
      return la_error(w->a, err, what);
    }
    off += (uint64_t)r;
  }
  return LETHE_OK;
}

lethe_rc ats_writer_add_file(struct ats_writer *w, struct ats_entry *e, int fd, mode_t mode,
                             int64_t mtime_ns, struct lethe_err *err)
{
  struct archive_entry *ent = new_entry(e->path, AE_IFREG, mode, mtime_ns);
  unsigned char *buf = malloc(IO_CHUNK);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  lethe_rc rc;

  if(!ent || !buf || !md) {
    archive_entry_free(ent);
    rc = err_set(err, LETHE_E_NOMEM, "out of memory");
    goto out;
  }
  archive_entry_set_size(ent, (la_int64_t)e->size);
  rc = write_header(w, ent, e->path, err);
  if(!rc && EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
    rc = err_set(err, LETHE_E_IO, "SHA-256 failed");
  if(!rc)
    rc = copy_data(w, e, fd, buf, md, err);
  if(!rc && EVP_DigestFinal_ex(md, e->sha256, NULL) != 1)
    rc = err_set(err, LETHE_E_IO, "SHA-256 failed");
out:
  EVP_MD_CTX_free(md);
  free(buf);
  return rc;
}

lethe_rc ats_writer_add_symlink(struct ats_writer *w, const struct ats_entry *e, mode_t mode,
                                int64_t mtime_ns, struct lethe_err *err)
{
  struct archive_entry *ent = new_entry(e->path, AE_IFLNK, mode, mtime_ns);
  if(!ent)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  archive_entry_set_symlink(ent, e->target);
  return write_header(w, ent, e->path, err);
}

lethe_rc ats_writer_close(struct ats_writer *w, struct lethe_err *err)
{
  lethe_rc rc = LETHE_OK;
  if(archive_write_close(w->a) != ARCHIVE_OK)
    rc = la_error(w->a, err, "cannot finish the archive");
  ats_writer_abort(w);
  return rc;
}

void ats_writer_abort(struct ats_writer *w)
{
  if(w->a)
    archive_write_free(w->a);
  w->a = NULL;
}

/* SHA-256 of the whole file, read from offset 0. */
static lethe_rc hash_file(int fd, unsigned char *buf, unsigned char whole[ATS_SHA256_LEN],
                          struct lethe_err *err)
{
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  lethe_rc rc = LETHE_OK;
  off_t off = 0;
  if(!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
    rc = err_set(err, LETHE_E_NOMEM, "SHA-256 unavailable");
  while(!rc) {
    ssize_t r = pread(fd, buf, IO_CHUNK, off);
    if(r < 0 && errno == EINTR)
      continue;
    if(r < 0)
      rc = err_sys(err, LETHE_E_IO, "cannot read the archive back");
    else if(r == 0)
      break;
    else if(EVP_DigestUpdate(md, buf, (size_t)r) != 1)
      rc = err_set(err, LETHE_E_IO, "SHA-256 failed");
    off += r;
  }
  if(!rc && EVP_DigestFinal_ex(md, whole, NULL) != 1)
    rc = err_set(err, LETHE_E_IO, "SHA-256 failed");
  EVP_MD_CTX_free(md);
  return rc;
}

/* The data of the current entry: its length and digest. */
static lethe_rc read_data(struct archive *a, unsigned char *buf, uint64_t *len,
                          unsigned char digest[ATS_SHA256_LEN], struct lethe_err *err)
{
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  lethe_rc rc = LETHE_OK;
  *len = 0;
  if(!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
    rc = err_set(err, LETHE_E_NOMEM, "SHA-256 unavailable");
  while(!rc) {
    la_ssize_t r = archive_read_data(a, buf, IO_CHUNK);
    if(r < 0)
      rc = la_error(a, err, "cannot read the archive back");
    else if(r == 0)
      break;
    else if(EVP_DigestUpdate(md, buf, (size_t)r) != 1)
      rc = err_set(err, LETHE_E_IO, "SHA-256 failed");
    *len += (uint64_t)r;
  }
  if(!rc && EVP_DigestFinal_ex(md, digest, NULL) != 1)
    rc = err_set(err, LETHE_E_IO, "SHA-256 failed");
  EVP_MD_CTX_free(md);
  return rc;
}

static lethe_rc mismatch(struct lethe_err *err, size_t i, const char *path, const char *what)
{
  return err_set(err, LETHE_E_UNSAFE, "archive verification failed: entry %zu ('%s'): %s",
                 i + 1, path, what);
}

/* The next entry must be e, with the same data. */
static lethe_rc check_entry(struct archive *a, size_t i, const struct ats_entry *e,
                            unsigned char *buf, struct lethe_err *err)
{
  struct archive_entry *ent;
  unsigned char digest[ATS_SHA256_LEN];
  const char *name, *target;
  uint64_t len;
  void *loc = arc_locale_enter();
  int r = archive_read_next_header(a, &ent);

  name = r == ARCHIVE_OK || r == ARCHIVE_WARN ? archive_entry_pathname(ent) : NULL;
  target = r == ARCHIVE_OK || r == ARCHIVE_WARN ? archive_entry_symlink(ent) : NULL;
  arc_locale_leave(loc);
  if(r == ARCHIVE_EOF)
    return mismatch(err, i, e->path, "missing (the archive ends early)");
  if(r != ARCHIVE_OK && r != ARCHIVE_WARN)
    return la_error(a, err, "archive verification failed: cannot read an entry header");
  if(!name || strcmp(name, e->path))
    return mismatch(err, i, e->path, "the entry has another name");
  if(e->symlink) {
    if(archive_entry_filetype(ent) != AE_IFLNK || !target || strcmp(target, e->target))
      return mismatch(err, i, e->path, "not the symlink that was written");
    return LETHE_OK;
  }
  if(archive_entry_filetype(ent) != AE_IFREG)
    return mismatch(err, i, e->path, "not a regular file entry");
  if(archive_entry_size_is_set(ent) && (uint64_t)archive_entry_size(ent) != e->size)
    return mismatch(err, i, e->path, "the recorded size differs");
  if(read_data(a, buf, &len, digest, err))
    return err_prefix(err, "entry %zu ('%s')", i + 1, e->path);
  if(len != e->size)
    return mismatch(err, i, e->path, "the data has another length");
  if(memcmp(digest, e->sha256, ATS_SHA256_LEN))
    return mismatch(err, i, e->path, "the data's SHA-256 differs");
  return LETHE_OK;
}

static lethe_rc check_entries(struct archive *a, const struct ats_format *f,
                              const struct ats_entry *entries, size_t n, unsigned char *buf,
                              struct lethe_err *err)
{
  struct archive_entry *ent;
  int r;
  for(size_t i = 0; i < n; i++) {
    lethe_rc rc = check_entry(a, i, &entries[i], buf, err);
    if(rc)
      return rc;
  }
  r = archive_read_next_header(a, &ent);
  if(r != ARCHIVE_EOF)
    return err_set(err, LETHE_E_UNSAFE, "archive verification failed: %s after the %zu "
                   "entries written", r == ARCHIVE_OK || r == ARCHIVE_WARN ?
                   "an unexpected entry" : "unreadable data", n);
  if(!f->zip && archive_filter_code(a, 0) != f->filter)
    return err_set(err, LETHE_E_UNSAFE, "archive verification failed: not compressed as %s",
                   f->name);
  return LETHE_OK;
}

lethe_rc ats_verify(int fd, const struct ats_format *f, const struct ats_entry *entries,
                    size_t n, unsigned char whole[ATS_SHA256_LEN], struct lethe_err *err)
{
  unsigned char *buf = malloc(IO_CHUNK);
  struct archive *a = NULL;
  lethe_rc rc = LETHE_OK;

  /* Read what the device holds, not what the page cache remembers. */
  (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  if(!buf)
    rc = err_set(err, LETHE_E_NOMEM, "out of memory");
  if(!rc)
    rc = hash_file(fd, buf, whole, err);
  if(!rc && lseek(fd, 0, SEEK_SET) < 0)
    rc = err_sys(err, LETHE_E_IO, "cannot rewind the archive");
  if(!rc) {
    a = archive_read_new();
    if(!a)
      rc = err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  if(!rc && (setup_read(a, f) != ARCHIVE_OK ||
             archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK))
    rc = la_error(a, err, "archive verification failed: cannot open the archive");
  if(!rc)
    rc = check_entries(a, f, entries, n, buf, err);
  if(a && archive_read_close(a) != ARCHIVE_OK && !rc)
    rc = la_error(a, err, "archive verification failed");
  archive_read_free(a);
  free(buf);
  return rc;
}

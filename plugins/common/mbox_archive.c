/* The mbox stage and the archive around it: see mbox_archive.h. */
#include "mbox_archive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "imap_date.h"

#define IO_CHUNK ((size_t)1 << 20)

static const struct mbox_format formats[] = {
  { "mbox.gz", ARCHIVE_FILTER_GZIP, false },
  { "mbox.zst", ARCHIVE_FILTER_ZSTD, false },
  { "mbox.xz", ARCHIVE_FILTER_XZ, false },
  { "tar.gz", ARCHIVE_FILTER_GZIP, true },
  { "tar.zst", ARCHIVE_FILTER_ZSTD, true },
  { "tar.xz", ARCHIVE_FILTER_XZ, true },
};

const struct mbox_format *mbox_format_find(const char *name)
{
  for(size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
    if(!strcmp(name, formats[i].name))
      return &formats[i];
  return NULL;
}

void mbox_hex(const unsigned char d[MBOX_SHA256_LEN], char *hex)
{
  static const char digits[] = "0123456789abcdef";
  for(size_t i = 0; i < MBOX_SHA256_LEN; i++) {
    hex[2 * i] = digits[d[i] >> 4];
    hex[2 * i + 1] = digits[d[i] & 15];
  }
  hex[2 * MBOX_SHA256_LEN] = '\0';
}

/* ---- the mbox ---------------------------------------------------------------- */

/* A line that a reader could take for a separator once unquoted: >*From  */
static bool from_line(const char *p, size_t n)
{
  size_t i = 0;
  while(i < n && p[i] == '>')
    i++;
  return n - i >= 5 && !memcmp(p + i, "From ", 5);
}

lethe_rc mbox_append(struct dynbuf *mbox, const char *msg, size_t len, int64_t internaldate,
                         bool *added_newline)
{
  char date[32];
  size_t start = mbox->len;
  lethe_rc rc;
  imap_date_asctime(internaldate, date);
  rc = db_addf(mbox, "From MAILER-DAEMON %s\n", date);
  for(size_t i = 0; i < len && !rc;) {
    const char *lf = memchr(msg + i, '\n', len - i);
    size_t n = lf ? (size_t)(lf - (msg + i)) + 1 : len - i;
    if(from_line(msg + i, n))
      rc = db_add(mbox, ">", 1);
    if(!rc)
      rc = db_add(mbox, msg + i, n);
    i += n;
  }
  *added_newline = !len || msg[len - 1] != '\n';
  if(!rc && *added_newline)
    rc = db_add(mbox, "\n", 1);
  if(!rc)
    rc = db_add(mbox, "\n", 1);
  if(rc)
    db_truncate(mbox, start);
  return rc;
}

/* Digest one message of the stage, from p[0..n) (its lines, quoted, with
 * the trailing separator already cut off). */
static void digest_message(const char *p, size_t n, bool added_newline, unsigned char *out)
{
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  unsigned int len = 0;
  if(added_newline && n)
    n--;
  EVP_DigestInit_ex(md, EVP_sha256(), NULL);
  for(size_t i = 0; i < n;) {
    const char *lf = memchr(p + i, '\n', n - i);
    size_t k = lf ? (size_t)(lf - (p + i)) + 1 : n - i;
    size_t skip = from_line(p + i, k) && p[i] == '>' ? 1 : 0;
    EVP_DigestUpdate(md, p + i + skip, k - skip);
    i += k;
  }
  EVP_DigestFinal_ex(md, out, &len);
  EVP_MD_CTX_free(md);
}

lethe_rc mbox_verify(const char *mbox, size_t len, const unsigned char *sha,
                         const bool *added_newline, size_t n, struct lethe_err *err)
{
  size_t pos = 0, i = 0;
  while(pos < len) {
    const char *first_lf = memchr(mbox + pos, '\n', len - pos);
    size_t body, end;
    unsigned char d[MBOX_SHA256_LEN];
    if(len - pos < 5 || memcmp(mbox + pos, "From ", 5) || !first_lf)
      return err_set(err, LETHE_E_UNSAFE, "the staged mbox does not start message %zu with a "
                     "From line", i + 1);
    body = (size_t)(first_lf - mbox) + 1;
    /* the message ends at the blank line before the next unquoted "From " */
    end = body;
    for(;;) {
      const char *next = end < len ? memchr(mbox + end, '\n', len - end) : NULL;
      if(!next)
        return err_set(err, LETHE_E_UNSAFE, "the staged mbox ends inside message %zu", i + 1);
      end = (size_t)(next - mbox) + 1;
      if(end == len || (len - end >= 5 && !memcmp(mbox + end, "From ", 5)))
        break;
    }
    if(i == n || end - body < 1 || mbox[end - 1] != '\n')
      return err_set(err, LETHE_E_UNSAFE, "the staged mbox holds more messages than written");
    digest_message(mbox + body, end - body - 1, added_newline[i], d);
    if(memcmp(d, sha + i * MBOX_SHA256_LEN, MBOX_SHA256_LEN))
      return err_set(err, LETHE_E_UNSAFE, "message %zu reads back from the mbox with other "
                     "bytes than the server sent", i + 1);
    i++;
    pos = end;
  }
  if(i != n)
    return err_set(err, LETHE_E_UNSAFE, "the staged mbox holds %zu messages, %zu were written",
                   i, n);
  return LETHE_OK;
}

/* ---- the archive ---------------------------------------------------------------- */

int mbox_format_setup_write(struct archive *a, const struct mbox_format *f)
{
  int r = f->tar ? archive_write_set_format_pax_restricted(a) : archive_write_set_format_raw(a);
  if(r != ARCHIVE_OK)
    return r;
  return archive_write_add_filter(a, f->filter);
}

int mbox_format_setup_read(struct archive *a, const struct mbox_format *f)
{
  int r = f->tar ? archive_read_support_format_tar(a) : archive_read_support_format_raw(a);
  if(r != ARCHIVE_OK)
    return r;
  switch(f->filter) {
  case ARCHIVE_FILTER_ZSTD: return archive_read_support_filter_zstd(a);
  case ARCHIVE_FILTER_GZIP: return archive_read_support_filter_gzip(a);
  case ARCHIVE_FILTER_XZ: return archive_read_support_filter_xz(a);
  default: return ARCHIVE_OK;
  }
}

lethe_rc mbox_format_check(const struct mbox_format *f, struct lethe_err *err)
{
  struct archive *w = archive_write_new(), *r = archive_read_new();
  lethe_rc rc = LETHE_OK;
  if(!w || !r)
    rc = err_set(err, LETHE_E_NOMEM, "out of memory");
  else if(mbox_format_setup_write(w, f) != ARCHIVE_OK)
    rc = err_set(err, LETHE_E_CONFIG, "setting 'archive-format': this libarchive cannot "
                 "write %s by itself: %s", f->name, archive_error_string(w));
  else if(mbox_format_setup_read(r, f) != ARCHIVE_OK)
    rc = err_set(err, LETHE_E_CONFIG, "setting 'archive-format': this libarchive cannot "
                 "read %s by itself: %s", f->name, archive_error_string(r));
  archive_write_free(w);
  archive_read_free(r);
  return rc;
}

static lethe_rc la_error(struct archive *a, struct lethe_err *err, const char *what)
{
  const char *msg = archive_error_string(a);
  int no = archive_errno(a);
  if(no > 0 && no != EILSEQ && no != EINVAL)
    return err_set(err, LETHE_E_IO, "%s: %s (%s)", what, msg ? msg : "libarchive error",
                   strerror(no));
  return err_set(err, LETHE_E_IO, "%s: %s", what, msg ? msg : "libarchive error");
}

lethe_rc mbox_archive_write(int fd, const struct mbox_format *f, const char *entry_name,
                           const char *data, size_t len, struct lethe_err *err)
{
  struct archive *a = archive_write_new();
  struct archive_entry *e = archive_entry_new();
  lethe_rc rc = LETHE_OK;
  if(!a || !e) {
    rc = err_set(err, LETHE_E_NOMEM, "out of memory");
    goto out;
  }
  archive_entry_set_pathname(e, entry_name);
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0600);
  archive_entry_set_size(e, (la_int64_t)len);
  archive_entry_set_mtime(e, time(NULL), 0);
  if(mbox_format_setup_write(a, f) != ARCHIVE_OK || archive_write_open_fd(a, fd) != ARCHIVE_OK ||
     archive_write_header(a, e) != ARCHIVE_OK) {
    rc = la_error(a, err, "cannot start the archive");
    goto out;
  }
  for(size_t off = 0; off < len;) {
    size_t n = len - off < IO_CHUNK ? len - off : IO_CHUNK;
    la_ssize_t w = archive_write_data(a, data + off, n);
    if(w <= 0) {
      rc = la_error(a, err, "cannot write the archive");
      goto out;
    }
    off += (size_t)w;
  }
  if(archive_write_close(a) != ARCHIVE_OK)
    rc = la_error(a, err, "cannot finish the archive");
  else if(fsync(fd))
    rc = err_sys(err, LETHE_E_IO, "cannot fsync the archive");
out:
  archive_entry_free(e);
  archive_write_free(a);
  return rc;
}

static lethe_rc whole_file(int fd, unsigned char whole[MBOX_SHA256_LEN], struct lethe_err *err)
{
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  char *buf = malloc(IO_CHUNK);
  unsigned int n = 0;
  lethe_rc rc = LETHE_OK;
  ssize_t r;
  if(!md || !buf) {
    rc = err_set(err, LETHE_E_NOMEM, "out of memory");
    goto out;
  }
  EVP_DigestInit_ex(md, EVP_sha256(), NULL);
  for(off_t off = 0; (r = pread(fd, buf, IO_CHUNK, off)) > 0; off += r)
    EVP_DigestUpdate(md, buf, (size_t)r);
  if(r < 0)
    rc = err_sys(err, LETHE_E_IO, "cannot read the archive back");
  EVP_DigestFinal_ex(md, whole, &n);
out:
  free(buf);
  EVP_MD_CTX_free(md);
  return rc;
}

lethe_rc mbox_archive_verify(int fd, const struct mbox_format *f, size_t len,
                            const unsigned char sha[MBOX_SHA256_LEN],
                            unsigned char whole[MBOX_SHA256_LEN], struct lethe_err *err)
{
  struct archive *a = archive_read_new();
  struct archive_entry *e;
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  unsigned char d[MBOX_SHA256_LEN];
  unsigned int dn = 0;
  size_t total = 0;
  char *buf = malloc(IO_CHUNK);
  lethe_rc rc = LETHE_OK;
  la_ssize_t r;
  if(!a || !md || !buf) {
    rc = err_set(err, LETHE_E_NOMEM, "out of memory");
    goto out;
  }
  if(lseek(fd, 0, SEEK_SET) < 0 || mbox_format_setup_read(a, f) != ARCHIVE_OK ||
     archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK ||
     archive_read_next_header(a, &e) != ARCHIVE_OK) {
    rc = la_error(a, err, "cannot read the archive back");
    goto out;
  }
  EVP_DigestInit_ex(md, EVP_sha256(), NULL);
  while((r = archive_read_data(a, buf, IO_CHUNK)) > 0) {
    EVP_DigestUpdate(md, buf, (size_t)r);
    total += (size_t)r;
  }
  EVP_DigestFinal_ex(md, d, &dn);
  if(r < 0)
    rc = la_error(a, err, "cannot read the archive back");
  else if(total != len || memcmp(d, sha, MBOX_SHA256_LEN))
    rc = err_set(err, LETHE_E_UNSAFE, "the archive reads back with %zu bytes of mbox, not the "
                 "%zu written, or with other bytes", total, len);
  else if(archive_read_next_header(a, &e) != ARCHIVE_EOF)
    rc = err_set(err, LETHE_E_UNSAFE, "the archive holds more than the mbox written");
  if(!rc)
    rc = whole_file(fd, whole, err);
out:
  free(buf);
  EVP_MD_CTX_free(md);
  archive_read_free(a);
  return rc;
}

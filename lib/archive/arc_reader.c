#include "arc_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "arc_format.h"
#include "arc_locale.h"

/* "at byte 1234 of the file (5678 after decompression)" */
static void where(struct arc_reader *r, char *out, size_t outlen)
{
  int64_t raw = archive_filter_bytes(r->a, -1);
  int64_t plain = archive_filter_bytes(r->a, 0);
  if(archive_filter_count(r->a) > 1 && plain != raw)
    snprintf(out, outlen, "at byte %" PRId64 " of the file (%" PRId64 " after decompression)",
             raw, plain);
  else
    snprintf(out, outlen, "at byte %" PRId64, raw);
}

static lethe_rc corrupt(struct arc_reader *r, const char *what, struct arc_err *err)
{
  char at[128];
  const char *why = archive_error_string(r->a);
  where(r, at, sizeof(at));
  r->broken = true;
  return arc_err_set(err, LETHE_E_PARSE, "%s: %s %s: %s; the archive is not judged", r->label,
                     what, at, why ? why : "unknown error");
}

lethe_rc arc_reader_open_fd(struct arc_reader *r, int fd, const char *label, bool hash,
                            struct arc_err *err)
{
  lethe_rc rc;
  void *loc;
  int ar;
  memset(r, 0, sizeof(*r));
  r->fd = fd;
  arc_quote(label, strlen(label), r->label);
  rc = arc_id_of_fd(fd, &r->id, err);
  if(rc)
    return arc_err_prefix(err, "%s", r->label);
  if(!S_ISREG(r->id.mode))
    return arc_err_set(err, LETHE_E_UNSAFE, "%s: not a regular file", r->label);
  rc = arc_source_init(&r->src, fd, (int64_t)r->id.size, hash);
  if(rc)
    return arc_err_set(err, rc, "out of memory");
  r->a = archive_read_new();
  if(!r->a)
    return arc_err_set(err, LETHE_E_NOMEM, "out of memory");
  rc = arc_format_setup_read(r->a, err);
  if(rc)
    return rc;
  loc = arc_locale_enter();
  ar = arc_source_open(&r->src, r->a);
  arc_locale_leave(loc);
  if(ar != ARCHIVE_OK)
    return corrupt(r, "cannot be read", err);
  return LETHE_OK;
}

lethe_rc arc_reader_open(struct arc_reader *r, int dirfd, const char *name, bool hash,
                         struct arc_err *err)
{
  char q[ARC_QUOTE_MAX];
  lethe_rc rc;
  int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if(fd < 0) {
    memset(r, 0, sizeof(*r));
    r->fd = -1;
    arc_quote(name, strlen(name), q);
    if(errno == ELOOP)
      return arc_err_set(err, LETHE_E_UNSAFE, "%s: a symbolic link, not followed", q);
    return arc_err_sys(err, errno == ENOENT ? LETHE_E_NOTFOUND : LETHE_E_IO, "%s", q);
  }
  rc = arc_reader_open_fd(r, fd, name, hash, err);
  r->own_fd = true;
  return rc;
}

lethe_rc arc_reader_next(struct arc_reader *r, struct archive_entry **entry,
                         struct arc_err *err)
{
  void *loc;
  int ar;
  *entry = NULL;
  if(r->broken)
    return arc_err_set(err, LETHE_E_PARSE, "%s: read after an error", r->label);
  loc = arc_locale_enter();
  ar = archive_read_next_header(r->a, entry);
  arc_locale_leave(loc);
  r->cur = NULL;
  if(ar == ARCHIVE_EOF) {
    *entry = NULL;
    return LETHE_OK;
  }
  /* ARCHIVE_WARN leaves a usable entry (libarchive warns, for instance, about
   * a name it kept as raw bytes); anything worse is a broken archive. */
  if(ar < ARCHIVE_WARN || !*entry) {
    *entry = NULL;
    return corrupt(r, r->entries ? "damaged" : "not a readable archive", err);
  }
  r->warning[0] = '\0';
  if(ar == ARCHIVE_WARN) {
    const char *why = archive_error_string(r->a);
    snprintf(r->warning, sizeof(r->warning), "%s", why ? why : "warning");
  }
  if(!archive_entry_pathname(*entry)) {
    *entry = NULL;
    r->broken = true;
    return arc_err_set(err, LETHE_E_PARSE, "%s: entry %" PRIu64 " has a name that cannot be "
                       "read; the archive is not judged", r->label, r->entries + 1);
  }
  r->entries++;
  r->cur = *entry;
  r->data_pos = 0;
  /* Only a regular file's size is the length of its data (a cpio symlink's
   * is its target's). */
  r->data_size = archive_entry_filetype(*entry) == AE_IFREG && archive_entry_size_is_set(*entry)
                 ? archive_entry_size(*entry) : -1;
  r->pending = NULL;
  r->data_done = false;
  r->sparse = archive_entry_sparse_count(*entry) > 0;
  return LETHE_OK;
}

static lethe_rc data_error(struct arc_reader *r, const char *why, struct arc_err *err)
{
  char at[128];
  char q[ARC_QUOTE_MAX];
  const char *name = r->cur ? archive_entry_pathname(r->cur) : NULL;
  where(r, at, sizeof(at));
  r->broken = true;
  if(!why)
    why = archive_error_string(r->a);
  if(!name)
    name = "?";
  return arc_err_set(err, LETHE_E_PARSE, "%s: data of entry %" PRIu64 " '%s' %s: %s; the "
                     "archive is not judged", r->label, r->entries,
                     arc_quote(name, strlen(name), q), at, why ? why : "unknown error");
}

/* The next block from libarchive into r->pending; data_done at the end. */
static lethe_rc fetch_block(struct arc_reader *r, struct arc_err *err)
{
  const void *buf;
  size_t len;
  la_int64_t off;
  void *loc = arc_locale_enter();
  int ar = archive_read_data_block(r->a, &buf, &len, &off);
  arc_locale_leave(loc);
  if(ar == ARCHIVE_EOF) {
    r->data_done = true;
    return LETHE_OK;
  }
  /* A warning here is damage (libarchive warns of a zip entry's bad CRC). */
  if(ar != ARCHIVE_OK)
    return data_error(r, NULL, err);
  if(off < r->data_pos)
    return data_error(r, "a data block goes back before data already read", err);
  if(r->data_size >= 0 && (off > r->data_size || (int64_t)len > r->data_size - off))
    return data_error(r, "data past the entry's size", err);
  r->pending = buf;
  r->pending_len = len;
  r->pending_off = off;
  return LETHE_OK;
}

lethe_rc arc_reader_data(struct arc_reader *r, const void **buf, size_t *len, bool *hole,
                         struct arc_err *err)
{
  lethe_rc rc;
  *buf = NULL;
  *len = 0;
  *hole = false;
  if(r->broken)
    return arc_err_set(err, LETHE_E_PARSE, "%s: read after an error", r->label);
  for(;;) {
    if(!r->pending && !r->data_done) {
      rc = fetch_block(r, err);
      if(rc)
        return rc;
      continue;
    }
    if(r->pending && r->pending_off > r->data_pos) {
      *hole = true;
      *len = (size_t)(r->pending_off - r->data_pos);
    } else if(r->pending) {
      *buf = r->pending;
      *len = r->pending_len;
      r->pending = NULL;
      if(*len == 0)
        continue;   /* an empty block (a sparse map's end marker) */
    } else if(r->data_size > r->data_pos) {
      if(!r->sparse)
        return data_error(r, "data shorter than the entry's size", err);
      /* A hole that runs to the end of the entry. */
      *hole = true;
      *len = (size_t)(r->data_size - r->data_pos);
    }
    r->data_pos += (int64_t)*len;
    return LETHE_OK;
  }
}

void arc_reader_close(struct arc_reader *r)
{
  if(r->a) {
    archive_read_free(r->a);
    r->a = NULL;
  }
  arc_source_release(&r->src);
  if(r->own_fd && r->fd >= 0)
    close(r->fd);
  r->fd = -1;
  r->own_fd = false;
}

lethe_rc arc_reader_sha256(struct arc_reader *r, unsigned char out[ARC_SHA256_LEN],
                           struct arc_err *err)
{
  lethe_rc rc = arc_source_sha256(&r->src, out, err);
  if(rc)
    return arc_err_prefix(err, "%s", r->label);
  return LETHE_OK;
}

int arc_reader_format(struct arc_reader *r)
{
  return archive_format(r->a);
}

size_t arc_reader_filters(struct arc_reader *r, int *codes, size_t max)
{
  size_t n = 0;
  int count = archive_filter_count(r->a);
  for(int i = 0; i < count && n < max; i++) {
    int code = archive_filter_code(r->a, i);
    if(code != ARCHIVE_FILTER_NONE)
      codes[n++] = code;
  }
  return n;
}

static enum arc_type type_of(struct archive_entry *e)
{
  if(archive_entry_hardlink(e))
    return ARC_T_HARDLINK;
  switch(archive_entry_filetype(e)) {
  case AE_IFREG: return ARC_T_FILE;
  case AE_IFDIR: return ARC_T_DIR;
  case AE_IFLNK: return ARC_T_SYMLINK;
  case AE_IFCHR: return ARC_T_CHAR;
  case AE_IFBLK: return ARC_T_BLOCK;
  case AE_IFIFO: return ARC_T_FIFO;
  case AE_IFSOCK: return ARC_T_SOCKET;
  default: return ARC_T_OTHER;
  }
}

void arc_entry_info_get(struct archive_entry *e, struct arc_entry_info *info)
{
  memset(info, 0, sizeof(*info));
  info->path = archive_entry_pathname(e);
  if(!info->path)
    info->path = "";
  info->path_len = strlen(info->path);
  info->type = type_of(e);
  info->size_known = archive_entry_size_is_set(e);
  info->size = info->size_known ? archive_entry_size(e) : 0;
  info->mtime_known = archive_entry_mtime_is_set(e);
  info->mtime = archive_entry_mtime(e);
  info->mtime_ns = archive_entry_mtime_nsec(e);
  info->mode = archive_entry_mode(e);
  info->symlink = archive_entry_filetype(e) == AE_IFLNK ? archive_entry_symlink(e) : NULL;
  info->hardlink = archive_entry_hardlink(e);
  info->encrypted = archive_entry_is_encrypted(e);
  info->sparse = archive_entry_sparse_count(e) > 0;
}

bool arc_warning_is_benign(const char *warning)
{
  return !*warning || strstr(warning, "can't be converted") != NULL;
}

const char *arc_type_name(enum arc_type t)
{
  static const char *const names[] = { "file", "dir", "symlink", "hardlink", "char",
                                       "block", "fifo", "socket", "other" };
  return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "other";
}

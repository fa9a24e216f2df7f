/* The records verification compares: one per kept entry, made when it is
 * written, spilled to an unnamed file (memory stays flat however many
 * entries the archive holds), and compared field by field with the record
 * of the entry read back, so that a difference is named. */
#include "purge_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "arc_format.h"

/* Field tags, in the order they appear in a record. */
enum {
  R_PATH = 1, R_TYPE, R_PERM, R_SIZE, R_MTIME, R_UID, R_GID, R_UNAME, R_GNAME, R_SYMLINK,
  R_HARDLINK, R_RDEV, R_XATTR, R_ACL, R_FFLAGS, R_SPARSE, R_SHA,
  /* Fields whose loss is reported rather than refused. */
  R_NSEC, R_ATIME, R_CTIME, R_BTIME, R__END
};

static const struct {
  const char *name;
  int soft;     /* the ARC_KEEP_* bit of a reported field, 0 if refused */
} fields[R__END] = {
  [R_PATH] = { "name", 0 },
  [R_TYPE] = { "type", 0 },
  [R_PERM] = { "mode", 0 },
  [R_SIZE] = { "size", 0 },
  [R_MTIME] = { "modification time", 0 },
  [R_UID] = { "owner id", 0 },
  [R_GID] = { "group id", 0 },
  [R_UNAME] = { "owner name", 0 },
  [R_GNAME] = { "group name", 0 },
  [R_SYMLINK] = { "symbolic link target", 0 },
  [R_HARDLINK] = { "hard link target", 0 },
  [R_RDEV] = { "device number", 0 },
  [R_XATTR] = { "extended attributes", 0 },
  [R_ACL] = { "access control list", 0 },
  [R_FFLAGS] = { "file flags", 0 },
  [R_SPARSE] = { "sparse map", 0 },
  [R_SHA] = { "data (SHA-256)", 0 },
  [R_NSEC] = { "sub-second modification time", ARC_KEEP_NSEC },
  [R_ATIME] = { "access time", ARC_KEEP_ATIME },
  [R_CTIME] = { "change time", ARC_KEEP_CTIME },
  [R_BTIME] = { "creation time", ARC_KEEP_BIRTHTIME },
};

static lethe_rc field(struct purge_buf *b, int tag, const void *v, size_t n)
{
  unsigned char h[5];
  lethe_rc rc;
  h[0] = (unsigned char)tag;
  h[1] = (unsigned char)(n >> 24);
  h[2] = (unsigned char)(n >> 16);
  h[3] = (unsigned char)(n >> 8);
  h[4] = (unsigned char)n;
  rc = purge_buf_add(b, h, sizeof(h));
  if(rc)
    return rc;
  return purge_buf_add(b, v, n);
}

static lethe_rc field_str(struct purge_buf *b, int tag, const char *s)
{
  if(!s)
    return LETHE_OK;
  return field(b, tag, s, strlen(s));
}

static lethe_rc field_i64(struct purge_buf *b, int tag, int64_t v)
{
  unsigned char x[8];
  for(int i = 0; i < 8; i++)
    x[i] = (unsigned char)((uint64_t)v >> (56 - 8 * i));
  return field(b, tag, x, sizeof(x));
}

static lethe_rc field_time(struct purge_buf *b, int tag, int64_t sec, long nsec)
{
  lethe_rc rc = field_i64(b, tag, sec);
  if(rc)
    return rc;
  /* Same tag twice is fine: fields are compared in order. */
  return field_i64(b, tag, nsec);
}

static lethe_rc add_xattrs(struct purge_buf *b, struct archive_entry *e)
{
  const char *name;
  const void *value;
  size_t size;
  lethe_rc rc;
  archive_entry_xattr_reset(e);
  while(archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    rc = field_str(b, R_XATTR, name);
    if(!rc)
      rc = field(b, R_XATTR, value, size);
    if(rc)
      return rc;
  }
  return LETHE_OK;
}

static lethe_rc add_sparse(struct purge_buf *b, struct archive_entry *e)
{
  la_int64_t off, len;
  lethe_rc rc;
  if(archive_entry_sparse_reset(e) == 0)
    return LETHE_OK;
  while(archive_entry_sparse_next(e, &off, &len) == ARCHIVE_OK) {
    rc = field_i64(b, R_SPARSE, off);
    if(!rc)
      rc = field_i64(b, R_SPARSE, len);
    if(rc)
      return rc;
  }
  return LETHE_OK;
}

static lethe_rc add_acl_fflags(struct purge_buf *b, struct archive_entry *e)
{
  lethe_rc rc = LETHE_OK;
  const char *ff;
  if(archive_entry_acl_types(e) != 0) {
    char *text = archive_entry_acl_to_text(e, NULL, ARCHIVE_ENTRY_ACL_STYLE_EXTRA_ID);
    if(!text)
      return LETHE_E_NOMEM;
    rc = field_str(b, R_ACL, text);
    free(text);
    if(rc)
      return rc;
  }
  ff = archive_entry_fflags_text(e);
  if(ff && *ff)
    rc = field_str(b, R_FFLAGS, ff);
  return rc;
}

static lethe_rc add_owner(struct purge_buf *b, struct archive_entry *e, unsigned keeps)
{
  lethe_rc rc = LETHE_OK;
  if(keeps & ARC_KEEP_IDS) {
    rc = field_i64(b, R_UID, archive_entry_uid(e));
    if(!rc)
      rc = field_i64(b, R_GID, archive_entry_gid(e));
  }
  if(!rc && (keeps & ARC_KEEP_NAMES)) {
    const char *u = archive_entry_uname(e), *g = archive_entry_gname(e);
    if(u && *u)
      rc = field_str(b, R_UNAME, u);
    if(!rc && g && *g)
      rc = field_str(b, R_GNAME, g);
  }
  return rc;
}

static lethe_rc add_soft_times(struct purge_buf *b, struct archive_entry *e, unsigned keeps)
{
  lethe_rc rc = LETHE_OK;
  if((keeps & ARC_KEEP_NSEC) && archive_entry_mtime_is_set(e))
    rc = field_i64(b, R_NSEC, archive_entry_mtime_nsec(e));
  if(!rc && (keeps & ARC_KEEP_ATIME) && archive_entry_atime_is_set(e))
    rc = field_time(b, R_ATIME, archive_entry_atime(e), archive_entry_atime_nsec(e));
  if(!rc && (keeps & ARC_KEEP_CTIME) && archive_entry_ctime_is_set(e))
    rc = field_time(b, R_CTIME, archive_entry_ctime(e), archive_entry_ctime_nsec(e));
  if(!rc && (keeps & ARC_KEEP_BIRTHTIME) && archive_entry_birthtime_is_set(e))
    rc = field_time(b, R_BTIME, archive_entry_birthtime(e), archive_entry_birthtime_nsec(e));
  return rc;
}

lethe_rc purge_record_make(struct purge_buf *out, struct archive_entry *e, unsigned keeps,
                           const unsigned char sha[ARC_SHA256_LEN])
{
  mode_t type = archive_entry_filetype(e);
  lethe_rc rc;
  out->len = 0;
  rc = field_str(out, R_PATH, archive_entry_pathname(e));
  if(!rc)
    rc = field_i64(out, R_TYPE, type);
  if(!rc)
    rc = field_i64(out, R_PERM, archive_entry_perm(e));
  if(!rc && archive_entry_size_is_set(e) && type == AE_IFREG && !archive_entry_hardlink(e))
    rc = field_i64(out, R_SIZE, archive_entry_size(e));
  if(!rc && archive_entry_mtime_is_set(e))
    rc = field_i64(out, R_MTIME, archive_entry_mtime(e));
  if(!rc)
    rc = add_owner(out, e, keeps);
  if(!rc && type == AE_IFLNK)
    rc = field_str(out, R_SYMLINK, archive_entry_symlink(e));
  if(!rc)
    rc = field_str(out, R_HARDLINK, archive_entry_hardlink(e));
  if(!rc && (type == AE_IFCHR || type == AE_IFBLK))
    rc = field_i64(out, R_RDEV, (int64_t)archive_entry_rdev(e));
  if(!rc && (keeps & ARC_KEEP_XATTR))
    rc = add_xattrs(out, e);
  if(!rc && (keeps & (ARC_KEEP_ACL | ARC_KEEP_FFLAGS)))
    rc = add_acl_fflags(out, e);
  if(!rc && (keeps & ARC_KEEP_SPARSE))
    rc = add_sparse(out, e);
  if(!rc)
    rc = field(out, R_SHA, sha, ARC_SHA256_LEN);
  if(!rc)
    rc = add_soft_times(out, e, keeps);
  return rc;
}

lethe_rc purge_record_spill(FILE *spill, const struct purge_buf *rec, struct arc_err *err)
{
  uint32_t n = (uint32_t)rec->len;
  if(fwrite(&n, sizeof(n), 1, spill) != 1 || fwrite(rec->p, 1, rec->len, spill) != rec->len)
    return arc_err_sys(err, LETHE_E_IO, "writing the verification records");
  return LETHE_OK;
}

lethe_rc purge_record_unspill(FILE *spill, struct purge_buf *out, struct arc_err *err)
{
  uint32_t n;
  lethe_rc rc;
  out->len = 0;
  if(fread(&n, sizeof(n), 1, spill) != 1) {
    if(feof(spill))
      return LETHE_E_NOTFOUND;
    return arc_err_sys(err, LETHE_E_IO, "reading the verification records");
  }
  if(n > (64u << 20))
    return arc_err_set(err, LETHE_E_IO, "the verification records are damaged");
  rc = purge_buf_reserve(out, n);
  if(rc)
    return arc_err_set(err, rc, "out of memory");
  if(fread(out->p, 1, n, spill) != n)
    return arc_err_set(err, LETHE_E_IO, "the verification records are cut short");
  out->len = n;
  return LETHE_OK;
}

/* Tag and length of the field at *pos, advancing past it; 0 at the end. */
static int next_field(const struct purge_buf *b, size_t *pos, const unsigned char **v,
                      size_t *n)
{
  const unsigned char *p = b->p + *pos;
  if(*pos + 5 > b->len)
    return 0;
  *n = ((size_t)p[1] << 24) | ((size_t)p[2] << 16) | ((size_t)p[3] << 8) | p[4];
  *v = p + 5;
  *pos += 5 + *n;
  return p[0];
}

int purge_record_diff(const struct purge_buf *want, const struct purge_buf *got, char *what,
                      size_t whatlen)
{
  size_t pw = 0, pg = 0;
  for(;;) {
    const unsigned char *vw = NULL, *vg = NULL;
    size_t nw = 0, ng = 0;
    int tw = next_field(want, &pw, &vw, &nw);
    int tg = next_field(got, &pg, &vg, &ng);
    int tag;
    if(!tw && !tg)
      return 0;
    if(tw == tg && nw == ng && !memcmp(vw, vg, nw))
      continue;
    /* The first field that differs, or is in one record only. */
    tag = !tw ? tg : !tg ? tw : tw < tg ? tw : tg;
    if(tag <= 0 || tag >= R__END)
      tag = R_PATH;
    snprintf(what, whatlen, "%s", fields[tag].name);
    return fields[tag].soft ? fields[tag].soft : -1;
  }
}

FILE *purge_spill_open(int dirfd, struct arc_err *err)
{
  FILE *f;
  int fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if(fd < 0) {
    f = tmpfile();
    if(!f)
      arc_err_sys(err, LETHE_E_IO, "creating a file for the verification records");
    return f;
  }
  f = fdopen(fd, "w+");
  if(!f) {
    arc_err_sys(err, LETHE_E_IO, "creating a file for the verification records");
    close(fd);
  }
  return f;
}

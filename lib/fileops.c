#include "fileops.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "text.h"

#define HOLD_MARKER ".lethe-hold"

void file_id_from_statx(const struct statx *stx, struct lethe_file_identity *out)
{
  out->dev = makedev(stx->stx_dev_major, stx->stx_dev_minor);
  out->ino = stx->stx_ino;
  out->size = stx->stx_size;
  out->mtime_ns = (int64_t)stx->stx_mtime.tv_sec * 1000000000 + stx->stx_mtime.tv_nsec;
  out->ctime_ns = (int64_t)stx->stx_ctime.tv_sec * 1000000000 + stx->stx_ctime.tv_nsec;
  out->nlink = stx->stx_nlink;
}

static char *put_field(char *p, const char *name, size_t len)
{
  memcpy(p, name, len);
  return p + len;
}

/* Six numbers at most 21 characters each and their names fit in
 * FILE_ID_TEXT_LEN; written by hand, as snprintf cost a plan 4% of its time. */
void file_id_format(const struct lethe_file_identity *id, char *out)
{
  char *p = out;
  p = text_put_u64(put_field(p, "dev=", 4), id->dev);
  p = text_put_u64(put_field(p, " ino=", 5), id->ino);
  p = text_put_u64(put_field(p, " size=", 6), id->size);
  p = text_put_i64(put_field(p, " mtime_ns=", 10), id->mtime_ns);
  p = text_put_i64(put_field(p, " ctime_ns=", 10), id->ctime_ns);
  p = text_put_u64(put_field(p, " nlink=", 7), id->nlink);
  *p = '\0';
}

lethe_rc file_id_parse(const char *text, struct lethe_file_identity *out)
{
  int used = 0;
  if(sscanf(text, "dev=%" SCNu64 " ino=%" SCNu64 " size=%" SCNu64 " mtime_ns=%" SCNd64
            " ctime_ns=%" SCNd64 " nlink=%" SCNu32 "%n", &out->dev, &out->ino, &out->size,
            &out->mtime_ns, &out->ctime_ns, &out->nlink, &used) != 6 || text[used])
    return LETHE_E_PARSE;
  return LETHE_OK;
}

bool file_id_equal(const struct lethe_file_identity *a, const struct lethe_file_identity *b)
{
  return file_id_same_file(a, b) && a->ctime_ns == b->ctime_ns;
}

bool file_id_matches_plan(const struct lethe_file_identity *plan, const struct lethe_file_identity *now)
{
  if(!file_id_same_file(plan, now))
    return false;
  return plan->ctime_ns == now->ctime_ns || now->nlink < plan->nlink;
}

bool file_id_same_file(const struct lethe_file_identity *a, const struct lethe_file_identity *b)
{
  return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtime_ns == b->mtime_ns;
}

bool file_id_same_inode(const struct lethe_file_identity *a, const struct lethe_file_identity *b)
{
  return a->dev == b->dev && a->ino == b->ino;
}

lethe_rc fileops_stat(int dirfd, const char *name, struct lethe_file_identity *id, mode_t *mode,
                      uint32_t *nlink)
{
  struct statx stx;
  if(statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_STATX_SYNC_AS_STAT,
           STATX_BASIC_STATS, &stx))
    return errno == ENOENT ? LETHE_E_NOTFOUND : LETHE_E_IO;
  file_id_from_statx(&stx, id);
  if(mode)
    *mode = stx.stx_mode;
  if(nlink)
    *nlink = stx.stx_nlink;
  return LETHE_OK;
}

static bool has_marker(int dirfd)
{
  struct stat st;
  return !fstatat(dirfd, HOLD_MARKER, &st, AT_SYMLINK_NOFOLLOW);
}

/* Open one component below fd, checking it stays on dev. */
static int open_component(int fd, const char *name, dev_t dev, struct lethe_err *err)
{
  struct stat st;
  int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if(sub < 0) {
    if(errno == ELOOP || errno == ENOTDIR)
      err_set(err, LETHE_E_UNSAFE, "'%s' is no longer a directory (a symlink or file "
              "took its place)", name);
    else if(errno == ENOENT)
      err_set(err, LETHE_E_NOTFOUND, "directory '%s' is gone", name);
    else
      err_sys(err, LETHE_E_IO, "cannot open directory '%s'", name);
    return -1;
  }
  if(fstat(sub, &st) || st.st_dev != dev) {
    close(sub);
    err_set(err, LETHE_E_UNSAFE, "'%s' is a mount point: not crossed", name);
    return -1;
  }
  return sub;
}

int fileops_open_dir(int rootfd, const char *rel_dir, bool *held, struct lethe_err *err)
{
  char name[256];
  struct stat st;
  const char *p = rel_dir;
  int fd;

  if(fstat(rootfd, &st)) {
    err_sys(err, LETHE_E_IO, "cannot stat the source root");
    return -1;
  }
  fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(fd < 0) {
    err_sys(err, LETHE_E_IO, "cannot reopen the source root");
    return -1;
  }
  if(held && has_marker(fd))
    *held = true;
  while(*p) {
    const char *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    int sub;
    if(n == 0 || n >= sizeof(name)) {
      close(fd);
      err_set(err, LETHE_E_PARSE, "bad path component in '%s'", rel_dir);
      return -1;
    }
    memcpy(name, p, n);
    name[n] = '\0';
    sub = open_component(fd, name, st.st_dev, err);
    close(fd);
    if(sub < 0)
      return -1;
    fd = sub;
    if(held && has_marker(fd))
      *held = true;
    p += n + (slash != NULL);
  }
  return fd;
}

lethe_rc fileops_unlink_same(int dirfd, const char *name, const struct lethe_file_identity *expect,
                             struct lethe_err *err)
{
  struct lethe_file_identity now;
  lethe_rc rc = fileops_stat(dirfd, name, &now, NULL, NULL);
  if(rc == LETHE_E_NOTFOUND)
    return err_set(err, LETHE_E_CHANGED, "gone before it could be deleted");
  if(rc)
    return err_sys(err, LETHE_E_IO, "cannot stat");
  if(!file_id_matches_plan(expect, &now))
    return err_set(err, LETHE_E_CHANGED, file_id_same_file(&now, expect) ?
                   "changed since planned (rewritten or its status changed: ctime)" :
                   "changed since planned (other file or contents)");
  if(unlinkat(dirfd, name, 0))
    return err_sys(err, errno == ENOENT ? LETHE_E_CHANGED : LETHE_E_IO, "cannot unlink");
  return LETHE_OK;
}

lethe_rc fileops_unlink_checked(int dirfd, const char *name, const char *tmpname,
                                const struct lethe_file_identity *expect, bool inode_only,
                                struct lethe_err *err)
{
  struct lethe_file_identity now;
  bool same;
  lethe_rc rc;

  if(!inode_only) {
    rc = fileops_stat(dirfd, name, &now, NULL, NULL);
    if(rc == LETHE_E_NOTFOUND)
      return err_set(err, LETHE_E_CHANGED, "gone before it could be deleted");
    if(rc)
      return err_sys(err, LETHE_E_IO, "cannot stat");
    if(!file_id_matches_plan(expect, &now))
      return err_set(err, LETHE_E_CHANGED, file_id_same_file(&now, expect) ?
                     "changed since planned (rewritten or its status changed: ctime)" :
                     "changed since planned (other file or contents)");
  }
  if(renameat2(dirfd, name, dirfd, tmpname, RENAME_NOREPLACE)) {
    if(errno == ENOENT)
      return err_set(err, LETHE_E_CHANGED, "gone before it could be deleted");
    return err_sys(err, LETHE_E_IO, "cannot rename for deletion");
  }
  rc = fileops_stat(dirfd, tmpname, &now, NULL, NULL);
  same = !rc && (inode_only ? file_id_same_inode(&now, expect) : file_id_same_file(&now, expect));
  if(!same) {
    /* Not ours: put it back where it was, never overwriting a newcomer. */
    if(renameat2(dirfd, tmpname, dirfd, name, RENAME_NOREPLACE))
      return err_sys(err, LETHE_E_CHANGED, "changed since planned; left as '%s'", tmpname);
    return err_set(err, LETHE_E_CHANGED, "changed since planned (other file or contents)");
  }
  if(unlinkat(dirfd, tmpname, 0))
    return err_sys(err, LETHE_E_IO, "cannot unlink");
  return LETHE_OK;
}

DIR *fileops_list_dir(int dirfd)
{
  int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if(!d && fd >= 0) {
    int saved = errno;
    close(fd);
    errno = saved;
  }
  return d;
}

lethe_rc fileops_replace(const char *dir, const char *name, const void *p, size_t n,
                         struct lethe_err *err)
{
  char tmp[256];
  int dirfd = -1, fd = -1;
  lethe_rc rc = LETHE_OK;
  if((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", name) >= sizeof(tmp))
    return err_set(err, LETHE_E_RANGE, "%s/%s: name too long", dir, name);
  dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(dirfd >= 0)
    fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if(fd < 0 || fileops_write_all(fd, p, n) || fsync(fd))
    rc = err_sys(err, LETHE_E_IO, "%s/%s: cannot write", dir, tmp);
  if(fd >= 0 && close(fd) && !rc)
    rc = err_sys(err, LETHE_E_IO, "%s/%s: cannot write", dir, tmp);
  if(!rc && renameat(dirfd, tmp, dirfd, name))
    rc = err_sys(err, LETHE_E_IO, "%s/%s: cannot replace", dir, name);
  if(!rc && fsync(dirfd)) /* the rename itself survives a crash */
    rc = err_sys(err, LETHE_E_IO, "%s: cannot fsync", dir);
  if(rc && fd >= 0)
    (void)unlinkat(dirfd, tmp, 0);
  if(dirfd >= 0)
    close(dirfd);
  return rc;
}

lethe_rc fileops_write_all(int fd, const void *p, size_t n)
{
  const char *at = p;
  while(n) {
    ssize_t k = write(fd, at, n);
    if(k < 0 && errno == EINTR)
      continue;
    if(k <= 0)
      return LETHE_E_IO;
    at += k;
    n -= (size_t)k;
  }
  return LETHE_OK;
}

/* Writing approvals (see approve_store.h). */
#include "approve_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "approval.h"
#include "fileops.h"

int approve_store_open(const char *state_dir, bool create, struct lethe_err *err)
{
  int state, fd;
  if(create && mkdir(state_dir, 0700) && errno != EEXIST) {
    err_sys(err, LETHE_E_IO, "%s: cannot create the state directory", state_dir);
    return -1;
  }
  state = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(state < 0) {
    err_sys(err, errno == ENOENT ? LETHE_E_NOTFOUND : LETHE_E_IO, "%s", state_dir);
    return -1;
  }
  if(create && mkdirat(state, APPROVALS_DIR, 0700) && errno != EEXIST) {
    err_sys(err, LETHE_E_IO, "%s/%s: cannot create it", state_dir, APPROVALS_DIR);
    close(state);
    return -1;
  }
  fd = openat(state, APPROVALS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if(fd < 0)
    err_sys(err, errno == ENOENT ? LETHE_E_NOTFOUND : LETHE_E_IO, "%s/%s", state_dir,
            APPROVALS_DIR);
  close(state);
  return fd;
}

/* A new file with a fresh name ".NAME-XXXXXX" in dirfd, its name in tmp. */
static int create_temp(int dirfd, const char *name, char *tmp, struct lethe_err *err)
{
  for(int tries = 0; tries < 100; tries++) {
    int fd;
    snprintf(tmp, 32, ".%.12s-%06x", name, ((unsigned)getpid() ^ (unsigned)random()) & 0xffffff);
    fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if(fd >= 0 || errno != EEXIST) {
      if(fd < 0)
        err_sys(err, LETHE_E_IO, "cannot create a file in the approvals directory");
      return fd;
    }
  }
  err_set(err, LETHE_E_IO, "cannot find a free temporary name in the approvals directory");
  return -1;
}

static lethe_rc copy_fd(int in, int out)
{
  char buf[64 * 1024];
  for(;;) {
    ssize_t n = read(in, buf, sizeof(buf));
    if(n < 0 && errno == EINTR)
      continue;
    if(n <= 0)
      return n < 0 ? LETHE_E_IO : LETHE_OK;
    if(fileops_write_all(out, buf, (size_t)n))
      return LETHE_E_IO;
  }
}

lethe_rc approve_store_copy(int dirfd, const char *src, char *tmp, struct lethe_err *err)
{
  int in = open(src, O_RDONLY | O_CLOEXEC | O_NOCTTY), out;
  lethe_rc rc;
  if(in < 0)
    return err_sys(err, LETHE_E_IO, "%s: cannot read the plan", src);
  out = create_temp(dirfd, "plan", tmp, err);
  if(out < 0) {
    close(in);
    return err->rc;
  }
  rc = copy_fd(in, out);
  if(!rc && fsync(out))
    rc = LETHE_E_IO;
  close(in);
  if(close(out) && !rc)
    rc = LETHE_E_IO;
  if(rc) {
    unlinkat(dirfd, tmp, 0);
    return err_sys(err, rc, "%s: cannot copy the plan into the approvals directory", src);
  }
  return LETHE_OK;
}

/* Write text whole to name in dirfd. */
static lethe_rc write_file(int dirfd, const char *name, const struct dynbuf *text,
                           struct lethe_err *err)
{
  char tmp[32];
  int fd = create_temp(dirfd, name, tmp, err);
  lethe_rc rc;
  if(fd < 0)
    return err->rc;
  rc = fileops_write_all(fd, text->mem, text->len);
  if(!rc && fsync(fd))
    rc = LETHE_E_IO;
  if(close(fd) && !rc)
    rc = LETHE_E_IO;
  if(!rc && renameat(dirfd, tmp, dirfd, name))
    rc = LETHE_E_IO;
  if(rc) {
    unlinkat(dirfd, tmp, 0);
    return err_sys(err, rc, "cannot write %s in the approvals directory", name);
  }
  return LETHE_OK;
}

/* Open (creating) the plan's directory hex, with the plan in it. */
static int plan_dir(int dirfd, const char *hex, const char *tmp, struct lethe_err *err)
{
  char plan[128];
  int fd;
  if(mkdirat(dirfd, hex, 0700) && errno != EEXIST) {
    err_sys(err, LETHE_E_IO, "cannot create %s in the approvals directory", hex);
    return -1;
  }
  fd = openat(dirfd, hex, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if(fd < 0) {
    err_sys(err, LETHE_E_IO, "cannot open %s in the approvals directory", hex);
    return -1;
  }
  /* The same hash is the same plan: one already there stays. */
  snprintf(plan, sizeof(plan), "%s/%s", hex, APPROVAL_PLAN);
  if(!faccessat(dirfd, plan, F_OK, AT_SYMLINK_NOFOLLOW))
    unlinkat(dirfd, tmp, 0);
  else if(renameat(dirfd, tmp, dirfd, plan)) {
    err_sys(err, LETHE_E_IO, "cannot keep the plan as %s", plan);
    close(fd);
    return -1;
  }
  return fd;
}

lethe_rc approve_store_keep(int dirfd, const char *hex, const char *tmp, const char *keyid,
                            const struct dynbuf *msg, const struct dynbuf *sig,
                            struct lethe_err *err)
{
  char name[APPROVAL_KEYID_LEN + 16];
  int fd = plan_dir(dirfd, hex, tmp, err);
  lethe_rc rc;
  if(fd < 0)
    return err->rc;
  snprintf(name, sizeof(name), "%s%s", keyid, APPROVAL_SIG_EXT);
  rc = write_file(fd, name, sig, err);
  snprintf(name, sizeof(name), "%s%s", keyid, APPROVAL_EXT);
  if(!rc)
    rc = write_file(fd, name, msg, err);
  if(!rc && fsync(fd))
    rc = err_sys(err, LETHE_E_IO, "cannot fsync the approvals directory");
  close(fd);
  return rc;
}

/* Applied plans removed after keep-journals (see approve_prune.h). */
#include "approve_prune.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "approval.h"
#include "approve_store.h"
#include "fileops.h"

static bool is_plan_dir(const char *name)
{
  return strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64;
}

static bool is_kept_file(const char *name)
{
  size_t n = strlen(name);
  return !strcmp(name, "plan.json") || (n > 9 && !strcmp(name + n - 9, ".approval")) ||
         (n > 13 && !strcmp(name + n - 13, ".approval.sig"));
}

/* The files of one applied plan, then its directory. Anything else in it
 * (which lethe never puts there) keeps it. */
static lethe_rc remove_plan(int applied, const char *name)
{
  int fd = openat(applied, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  DIR *d = fd >= 0 ? fileops_list_dir(fd) : NULL;
  struct dirent *e;
  lethe_rc rc = LETHE_OK;
  if(!d) {
    if(fd >= 0)
      close(fd);
    return LETHE_E_IO;
  }
  while(!rc && (e = readdir(d))) {
    struct stat st;
    if(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    if(!is_kept_file(e->d_name) || fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
       !S_ISREG(st.st_mode) || unlinkat(fd, e->d_name, 0))
      rc = LETHE_E_IO;
  }
  closedir(d);
  close(fd);
  return rc ? rc : unlinkat(applied, name, AT_REMOVEDIR) ? LETHE_E_IO : LETHE_OK;
}

static bool expired(const struct stat *st, const struct duration *keep, int64_t now)
{
  int64_t until;
  return !duration_add((int64_t)st->st_mtim.tv_sec, keep, &until) && until <= now;
}

lethe_rc approve_prune_applied(const char *state_dir, const struct duration *keep,
                               int64_t now, unsigned *removed, struct lethe_err *err)
{
  int store = approve_store_open(state_dir, false, err), applied;
  struct dirent *e;
  DIR *d;
  *removed = 0;
  if(store < 0)
    return err->rc == LETHE_E_NOTFOUND ? (err->rc = LETHE_OK) : err->rc;
  applied = openat(store, APPROVALS_APPLIED, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  close(store);
  if(applied < 0)
    return errno == ENOENT ? LETHE_OK
                           : err_sys(err, LETHE_E_IO, "%s/%s/%s", state_dir, APPROVALS_DIR,
                                     APPROVALS_APPLIED);
  d = fileops_list_dir(applied);
  while(d && (e = readdir(d))) {
    struct stat st;
    if(!is_plan_dir(e->d_name) || fstatat(applied, e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
       !S_ISDIR(st.st_mode) || !expired(&st, keep, now))
      continue;
    if(remove_plan(applied, e->d_name) == LETHE_OK)
      (*removed)++;
    else
      err_sys(err, LETHE_E_IO, "%s/%s/%s/%s: cannot remove it", state_dir, APPROVALS_DIR,
              APPROVALS_APPLIED, e->d_name);
  }
  if(d)
    closedir(d);
  close(applied);
  return d ? err->rc : err_sys(err, LETHE_E_IO, "cannot list %s/%s", state_dir, APPROVALS_DIR);
}

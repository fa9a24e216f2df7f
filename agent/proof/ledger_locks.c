/* Git's lock files left in the ledger by a lethe killed while it wrote
 * (config.lock while the ledger was being created, index.lock or
 * refs/heads/main.lock while a certificate was committed). git and libgit2
 * create them with O_EXCL and never take over a stale one, so one left by a
 * crash would stop every later certification, and the journal it was
 * certifying would never be certified. A writer holds the ledger's writer
 * lock (ledger_open), so no other lethe is writing the ledger: a lock file
 * found now is a dead writer's. */
#include "ledger.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define REFS_DEPTH_MAX 8

static bool is_lock(const char *name)
{
  size_t n = strlen(name);
  return n > 5 && !strcmp(name + n - 5, ".lock");
}

/* Remove the lock files directly in dirfd (and, below refs, in its
 * subdirectories); shown as where/name. */
static void clear_in(int dirfd, const char *where, bool recurse, int depth)
{
  int fd = dup(dirfd);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  struct dirent *e;
  if(!d) {
    if(fd >= 0)
      close(fd);
    return;
  }
  while((e = readdir(d))) {
    struct stat st;
    if(e->d_name[0] == '.' || fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW))
      continue;
    if(S_ISREG(st.st_mode) && is_lock(e->d_name)) {
      if(!unlinkat(dirfd, e->d_name, 0))
        log_msg(LOG_WARNING, "ledger: removed %s/%s, left by a writer that was interrupted",
                where, e->d_name);
    }
    else if(recurse && S_ISDIR(st.st_mode) && depth < REFS_DEPTH_MAX) {
      int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if(sub >= 0) {
        clear_in(sub, where, true, depth + 1);
        close(sub);
      }
    }
  }
  closedir(d);
}

void ledger_clear_stale_locks(const char *dir)
{
  int top = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  int git = top >= 0 ? openat(top, ".git", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                     : -1;
  int refs = git >= 0 ? openat(git, "refs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                      : -1;
  if(git >= 0)
    clear_in(git, ".git", false, 0);
  if(refs >= 0)
    clear_in(refs, ".git/refs", true, 0);
  if(refs >= 0)
    close(refs);
  if(git >= 0)
    close(git);
  if(top >= 0)
    close(top);
}

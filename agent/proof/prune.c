/* Removing the journals of runs certified long enough ago (see prune.h). */
#include "prune.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certify.h"
#include "fileops.h"
#include "journal.h"

static bool is_journal(const char *name)
{
  size_t n = strlen(name);
  return name[0] != '.' && n > 6 && !strcmp(name + n - 6, ".jsonl");
}

/* Whether the file was certified at least keep before now. */
static bool expired(const struct stat *st, const struct duration *keep, int64_t now)
{
  int64_t until;
  if(duration_add((int64_t)st->st_mtim.tv_sec, keep, &until))
    return false; /* past year 9999: kept */
  return until <= now;
}

static lethe_rc prune_in(int dirfd, const char *where, const struct duration *keep,
                         int64_t now, unsigned *removed, struct lethe_err *err)
{
  DIR *d = fileops_list_dir(dirfd);
  struct dirent *e;
  lethe_rc rc = LETHE_OK;
  if(!d)
    return err_sys(err, LETHE_E_IO, "cannot list %s", where);
  while(!rc && (e = readdir(d))) {
    struct stat st;
    if(!is_journal(e->d_name) || fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
       !S_ISREG(st.st_mode) || !expired(&st, keep, now))
      continue;
    if(unlinkat(dirfd, e->d_name, 0) && errno != ENOENT)
      rc = err_sys(err, LETHE_E_IO, "cannot remove %s/%s", where, e->d_name);
    else
      (*removed)++;
  }
  closedir(d);
  if(!rc && *removed && fsync(dirfd))
    rc = err_sys(err, LETHE_E_IO, "cannot fsync %s", where);
  return rc;
}

lethe_rc prune_certified_journals(const char *state_dir, const struct duration *keep,
                                  int64_t now, unsigned *removed, struct lethe_err *err)
{
  char where[4096];
  int state, journals, dirfd;
  lethe_rc rc;
  *removed = 0;
  snprintf(where, sizeof(where), "%s/" JOURNAL_DIR "/" CERTIFIED_DIR, state_dir);
  state = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(state < 0)
    return errno == ENOENT ? LETHE_OK : err_sys(err, LETHE_E_IO, "%s", state_dir);
  journals = openat(state, JOURNAL_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  close(state);
  dirfd = journals < 0 ? -1 : openat(journals, CERTIFIED_DIR, O_RDONLY | O_DIRECTORY |
                                     O_NOFOLLOW | O_CLOEXEC);
  if(journals >= 0)
    close(journals);
  if(dirfd < 0)
    return errno == ENOENT ? LETHE_OK : err_sys(err, LETHE_E_IO, "%s", where);
  rc = prune_in(dirfd, where, keep, now, removed, err);
  close(dirfd);
  return rc;
}

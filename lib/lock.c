#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static void holder_pid(int fd, char *buf, size_t n)
{
  ssize_t got = pread(fd, buf, n - 1, 0);
  buf[got > 0 ? got : 0] = '\0';
  buf[strcspn(buf, "\n")] = '\0';
}

int lock_state(const char *state_dir, bool wait, struct lethe_err *err)
{
  char pid[32];
  int dirfd, fd;
  if(mkdir(state_dir, 0700) && errno != EEXIST) {
    err_sys(err, LETHE_E_IO, "%s: cannot create the state directory", state_dir);
    return -1;
  }
  dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(dirfd < 0) {
    err_sys(err, LETHE_E_IO, "%s: cannot open the state directory", state_dir);
    return -1;
  }
  fd = openat(dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  close(dirfd);
  if(fd < 0) {
    err_sys(err, LETHE_E_IO, "%s/lock: cannot open", state_dir);
    return -1;
  }
  if(flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB))) {
    if(errno == EWOULDBLOCK) {
      holder_pid(fd, pid, sizeof(pid));
      err_set(err, LETHE_E_LOCKED, "%s is in use by another lethe (pid %s)", state_dir,
              *pid ? pid : "unknown");
    }
    else {
      err_sys(err, LETHE_E_IO, "%s/lock: cannot lock", state_dir);
    }
    close(fd);
    return -1;
  }
  snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
  if(ftruncate(fd, 0) == 0 && pwrite(fd, pid, strlen(pid), 0) < 0)
    (void)0; /* the pid is a courtesy for the message above; the lock holds anyway */
  return fd;
}

void lock_release(int fd)
{
  if(fd >= 0)
    close(fd);
}

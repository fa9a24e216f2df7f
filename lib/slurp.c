#include "slurp.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

lethe_rc slurp_file(const char *path, struct dynbuf *out, struct lethe_err *err)
{
  char chunk[65536];
  struct stat st;
  lethe_rc rc = LETHE_OK;
  ssize_t n;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
  if(fd < 0 && errno == ENOENT)
    return err_set(err, LETHE_E_NOTFOUND, "%s: no such file", path);
  if(fd < 0 && errno == ELOOP)
    return err_set(err, LETHE_E_UNSAFE, "%s is a symlink: refused", path);
  if(fd < 0)
    return err_sys(err, LETHE_E_IO, "cannot open %s", path);
  if(fstat(fd, &st) || !S_ISREG(st.st_mode)) {
    close(fd);
    return err_set(err, LETHE_E_IO, "%s is not a regular file", path);
  }
  for(;;) {
    n = read(fd, chunk, sizeof(chunk));
    if(n < 0 && errno == EINTR)
      continue;
    if(n <= 0)
      break;
    rc = db_add(out, chunk, (size_t)n);
    if(rc)
      break;
  }
  if(!rc && n < 0)
    rc = err_sys(err, LETHE_E_IO, "cannot read %s", path);
  else if(rc == LETHE_E_RANGE)
    err_set(err, rc, "%s is larger than %zu bytes", path, out->max);
  else if(rc)
    err_set(err, rc, "%s: %s", path, lethe_strerror(rc));
  close(fd);
  return rc;
}

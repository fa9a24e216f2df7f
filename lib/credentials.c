#include "credentials.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void credentials_wipe(struct credentials *c)
{
  explicit_bzero(c, sizeof(*c));
}

static lethe_rc check_file(int fd, const char *path, struct lethe_err *err)
{
  struct stat st;
  if(fstat(fd, &st))
    return err_sys(err, LETHE_E_IO, "credentials file '%s': cannot stat", path);
  if(!S_ISREG(st.st_mode))
    return err_set(err, LETHE_E_UNSAFE, "credentials file '%s' is not a regular file", path);
  if(st.st_mode & (S_IRWXG | S_IRWXO))
    return err_set(err, LETHE_E_UNSAFE, "credentials file '%s' is accessible by group or "
                   "others (mode %04o): refused; chmod 600 it", path,
                   (unsigned)(st.st_mode & 07777));
  if(st.st_uid != geteuid() && st.st_uid != 0)
    return err_set(err, LETHE_E_UNSAFE, "credentials file '%s' belongs to uid %u, neither "
                   "this user nor root: refused", path, (unsigned)st.st_uid);
  return LETHE_OK;
}

/* Read the whole file (at most CREDENTIALS_MAX + 2 bytes, to tell "too
 * long" from a final CRLF) into c->secret. */
static lethe_rc read_all(int fd, const char *path, struct credentials *c,
                         struct lethe_err *err)
{
  for(;;) {
    ssize_t r = read(fd, c->secret + c->len, CREDENTIALS_MAX - c->len);
    if(r < 0 && errno == EINTR)
      continue;
    if(r < 0)
      return err_sys(err, LETHE_E_IO, "credentials file '%s': cannot read", path);
    if(r == 0)
      return LETHE_OK;
    c->len += (size_t)r;
    if(c->len == CREDENTIALS_MAX) {
      char extra[2];
      r = read(fd, extra, sizeof(extra));
      explicit_bzero(extra, sizeof(extra));
      if(r > 0)
        return err_set(err, LETHE_E_CONFIG, "credentials file '%s' is longer than %d bytes",
                       path, CREDENTIALS_MAX);
      return LETHE_OK;
    }
  }
}

static lethe_rc parse(const char *path, struct credentials *c, struct lethe_err *err)
{
  static const char prefix[] = "bearer:";
  if(c->len && c->secret[c->len - 1] == '\n')
    c->len--;
  if(c->len && c->secret[c->len - 1] == '\r')
    c->len--;
  c->secret[c->len] = '\0';
  if(memchr(c->secret, '\0', c->len) || memchr(c->secret, '\n', c->len) ||
     memchr(c->secret, '\r', c->len))
    return err_set(err, LETHE_E_CONFIG, "credentials file '%s' must hold one line without "
                   "NUL bytes", path);
  if(c->len >= sizeof(prefix) - 1 && !memcmp(c->secret, prefix, sizeof(prefix) - 1)) {
    c->bearer = true;
    c->len -= sizeof(prefix) - 1;
    memmove(c->secret, c->secret + sizeof(prefix) - 1, c->len + 1);
    explicit_bzero(c->secret + c->len + 1, sizeof(prefix) - 1);
  }
  if(!c->len)
    return err_set(err, LETHE_E_CONFIG, "credentials file '%s' holds no %s", path,
                   c->bearer ? "token after 'bearer:'" : "password");
  return LETHE_OK;
}

/* Open path safely, check it and read it all into c (unparsed). */
static lethe_rc read_checked(const char *path, struct credentials *c, struct lethe_err *err)
{
  int fd;
  lethe_rc rc;
  credentials_wipe(c);
  fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if(fd < 0 && errno == ELOOP)
    return err_set(err, LETHE_E_UNSAFE, "credentials file '%s' is a symlink: refused", path);
  if(fd < 0)
    return err_sys(err, LETHE_E_IO, "credentials file '%s': cannot open", path);
  rc = check_file(fd, path, err);
  if(!rc)
    rc = read_all(fd, path, c, err);
  close(fd);
  return rc;
}

lethe_rc credentials_read(const char *path, struct credentials *c, struct lethe_err *err)
{
  lethe_rc rc = read_checked(path, c, err);
  if(!rc)
    rc = parse(path, c, err);
  if(rc)
    credentials_wipe(c);
  return rc;
}

lethe_rc credentials_read_raw(const char *path, struct credentials *c, struct lethe_err *err)
{
  lethe_rc rc = read_checked(path, c, err);
  if(!rc && !c->len)
    rc = err_set(err, LETHE_E_CONFIG, "credentials file '%s' is empty", path);
  if(!rc && memchr(c->secret, '\0', c->len))
    rc = err_set(err, LETHE_E_CONFIG, "credentials file '%s' holds a NUL byte", path);
  if(!rc)
    c->secret[c->len] = '\0';
  if(rc)
    credentials_wipe(c);
  return rc;
}

#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

lethe_rc err_set(struct lethe_err *err, lethe_rc rc, const char *fmt, ...)
{
  va_list ap;
  if(!err)
    return rc;
  err->rc = rc;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
  va_end(ap);
  return rc;
}

lethe_rc err_sys(struct lethe_err *err, lethe_rc rc, const char *fmt, ...)
{
  int saved = errno;
  va_list ap;
  size_t n;
  if(!err)
    return rc;
  err->rc = rc;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
  va_end(ap);
  n = strlen(err->msg);
  snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(saved));
  errno = saved;
  return rc;
}

lethe_rc err_prefix(struct lethe_err *err, const char *fmt, ...)
{
  char old[sizeof(err->msg)];
  size_t n, rest;
  va_list ap;
  memcpy(old, err->msg, sizeof(old));
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
  va_end(ap);
  n = strlen(err->msg);
  if(n + 2 >= sizeof(err->msg))
    return err->rc;
  memcpy(err->msg + n, ": ", 2);
  n += 2;
  rest = strnlen(old, sizeof(old) - 1);
  if(rest > sizeof(err->msg) - 1 - n)
    rest = sizeof(err->msg) - 1 - n;
  memcpy(err->msg + n, old, rest);
  err->msg[n + rest] = '\0';
  return err->rc;
}

void err_clear(struct lethe_err *err)
{
  err->rc = LETHE_OK;
  err->msg[0] = '\0';
}

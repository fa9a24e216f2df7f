#include "arc_err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void vset(struct arc_err *err, lethe_rc rc, const char *fmt, va_list ap)
{
  err->rc = rc;
  vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

lethe_rc arc_err_set(struct arc_err *err, lethe_rc rc, const char *fmt, ...)
{
  va_list ap;
  if(!err)
    return rc;
  va_start(ap, fmt);
  vset(err, rc, fmt, ap);
  va_end(ap);
  return rc;
}

lethe_rc arc_err_sys(struct arc_err *err, lethe_rc rc, const char *fmt, ...)
{
  int saved = errno;
  va_list ap;
  size_t n;
  if(!err)
    return rc;
  va_start(ap, fmt);
  vset(err, rc, fmt, ap);
  va_end(ap);
  n = strlen(err->msg);
  snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(saved));
  errno = saved;
  return rc;
}

lethe_rc arc_err_prefix(struct arc_err *err, const char *fmt, ...)
{
  char prefix[512];
  size_t n, keep;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof(prefix), fmt, ap);
  va_end(ap);
  n = strlen(prefix);
  if(n + 3 > sizeof(err->msg))
    return err->rc;
  keep = strnlen(err->msg, sizeof(err->msg) - 1);
  if(keep > sizeof(err->msg) - 1 - (n + 2))
    keep = sizeof(err->msg) - 1 - (n + 2);
  memmove(err->msg + n + 2, err->msg, keep);
  memcpy(err->msg, prefix, n);
  err->msg[n] = ':';
  err->msg[n + 1] = ' ';
  err->msg[n + 2 + keep] = '\0';
  return err->rc;
}

void arc_err_clear(struct arc_err *err)
{
  err->rc = LETHE_OK;
  err->msg[0] = '\0';
}

const char *arc_quote(const char *s, size_t len, char out[ARC_QUOTE_MAX])
{
  static const char hex[] = "0123456789abcdef";
  size_t o = 0;
  for(size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if(o + 8 >= ARC_QUOTE_MAX) {
      memcpy(out + o, "...", 3);
      o += 3;
      break;
    }
    if(c == '\\') {
      out[o++] = '\\';
      out[o++] = '\\';
    } else if(c >= 0x20 && c < 0x7f) {
      out[o++] = (char)c;
    } else {
      out[o++] = '\\';
      out[o++] = 'x';
      out[o++] = hex[c >> 4];
      out[o++] = hex[c & 15];
    }
  }
  out[o] = '\0';
  return out;
}

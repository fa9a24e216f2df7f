#include "uri.h"

#include <string.h>

static int hexval(char c)
{
  if(c >= '0' && c <= '9')
    return c - '0';
  if(c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if(c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

lethe_rc uri_decode(const char *text, struct dynbuf *out)
{
  lethe_rc rc = LETHE_OK;
  for(const char *p = text; *p && !rc; p++) {
    char c = *p;
    if(c == '%') {
      int hi = hexval(p[1]);
      int lo = hi < 0 ? -1 : hexval(p[2]);
      if(lo < 0 || (hi == 0 && lo == 0))
        return LETHE_E_PARSE;
      c = (char)(hi * 16 + lo);
      p += 2;
    }
    rc = db_add(out, &c, 1);
  }
  return rc;
}

static int keep(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c && strchr("-._~/!$&'()*+,;=:@", c));
}

lethe_rc uri_encode_path(const char *path, size_t len, struct dynbuf *out)
{
  static const char hex[] = "0123456789ABCDEF";
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < len && !rc; i++) {
    unsigned char c = (unsigned char)path[i];
    if(keep(c)) {
      rc = db_add(out, &path[i], 1);
    }
    else {
      char enc[3] = { '%', hex[c >> 4], hex[c & 15] };
      rc = db_add(out, enc, 3);
    }
  }
  return rc;
}

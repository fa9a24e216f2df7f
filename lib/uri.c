#include "uri.h"

#include <stdbool.h>
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

/* Bytes a URI path may hold as they are: unreserved, '/' and sub-delims. */
static bool keep(unsigned char c)
{
  static const char *const set = "-._~/!$&'()*+,;=:@";
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c && strchr(set, c));
}

/* Runs of bytes kept as they are are copied at once: this is on the path of
 * every item of a plan. */
lethe_rc uri_encode_path(const char *path, size_t len, struct dynbuf *out)
{
  static bool table[256];
  static bool ready;
  static const char hex[] = "0123456789ABCDEF";
  size_t start = 0;
  lethe_rc rc = LETHE_OK;
  if(!ready) {
    for(int c = 0; c < 256; c++)
      table[c] = keep((unsigned char)c);
    ready = true;
  }
  for(size_t i = 0; i < len && !rc; i++) {
    unsigned char c = (unsigned char)path[i];
    char enc[3];
    if(table[c])
      continue;
    enc[0] = '%';
    enc[1] = hex[c >> 4];
    enc[2] = hex[c & 15];
    rc = db_add(out, path + start, i - start);
    if(!rc)
      rc = db_add(out, enc, 3);
    start = i + 1;
  }
  if(!rc)
    rc = db_add(out, path + start, len - start);
  return rc;
}

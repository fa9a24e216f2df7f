#include "text.h"

#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
  size_t len;
  uint32_t cp;
  if(s[0] < 0x80)
    return 1;
  if(s[0] >= 0xC2 && s[0] <= 0xDF)
    len = 2, cp = s[0] & 0x1F;
  else if(s[0] >= 0xE0 && s[0] <= 0xEF)
    len = 3, cp = s[0] & 0x0F;
  else if(s[0] >= 0xF0 && s[0] <= 0xF4)
    len = 4, cp = s[0] & 0x07;
  else
    return 0;
  if(len > n)
    return 0;
  for(size_t i = 1; i < len; i++) {
    if((s[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
     (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

/* Bytes from p that are printable ASCII: most text is, and it is copied as
 * one run. */
static size_t printable_ascii_run(const unsigned char *p, size_t n)
{
  size_t i = 0;
  while(i < n && p[i] >= 0x20 && p[i] < 0x7F)
    i++;
  return i;
}

lethe_rc text_add_printable(struct dynbuf *out, const char *s, size_t len)
{
  const unsigned char *p = (const unsigned char *)s;
  lethe_rc rc = LETHE_OK;
  size_t i = 0;
  while(i < len && !rc) {
    size_t run = printable_ascii_run(p + i, len - i);
    size_t n;
    if(run) {
      rc = db_add(out, p + i, run);
      i += run;
      continue;
    }
    n = utf8_len(p + i, len - i);
    if(n == 0 || (n == 1 && (p[i] < 0x20 || p[i] == 0x7F))) {
      rc = db_add(out, "?", 1);
      i++;
    }
    else {
      rc = db_add(out, p + i, n);
      i += n;
    }
  }
  return rc;
}

/* Two digits per division: a file identity's nanosecond times have 19. */
static const char digit_pairs[] =
  "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
  "8081828384858687888990919293949596979899";

char *text_put_u64(char *p, uint64_t v)
{
  char digits[20], *d = digits + sizeof(digits);
  size_t n;
  while(v >= 100) {
    d -= 2;
    memcpy(d, digit_pairs + 2 * (v % 100), 2);
    v /= 100;
  }
  if(v >= 10) {
    d -= 2;
    memcpy(d, digit_pairs + 2 * v, 2);
  }
  else {
    *--d = (char)('0' + v);
  }
  n = (size_t)(digits + sizeof(digits) - d);
  memcpy(p, d, n);
  return p + n;
}

char *text_put_i64(char *p, int64_t v)
{
  if(v >= 0)
    return text_put_u64(p, (uint64_t)v);
  *p++ = '-';
  return text_put_u64(p, 0 - (uint64_t)v); /* INT64_MIN too */
}

void text_put_html(FILE *f, const char *s)
{
  for(; *s; s++) {
    switch(*s) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\'': fputs("&#39;", f); break;
    default: fputc(*s, f);
    }
  }
}

lethe_rc text_add_html(struct dynbuf *out, const char *s)
{
  lethe_rc rc = LETHE_OK;
  while(*s && !rc) {
    size_t run = strcspn(s, "&<>\"'");
    rc = db_add(out, s, run);
    s += run;
    if(rc || !*s)
      break;
    switch(*s++) {
    case '&': rc = db_add(out, "&amp;", 5); break;
    case '<': rc = db_add(out, "&lt;", 4); break;
    case '>': rc = db_add(out, "&gt;", 4); break;
    case '"': rc = db_add(out, "&quot;", 6); break;
    default: rc = db_add(out, "&#39;", 5); break;
    }
  }
  return rc;
}

void text_size(uint64_t bytes, char *buf)
{
  static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
  double v = (double)bytes;
  int u = -1;
  if(bytes < 1024) {
    snprintf(buf, 16, "%u B", (unsigned)bytes);
    return;
  }
  while(v >= 1024 && u < 4) {
    v /= 1024;
    u++;
  }
  snprintf(buf, 16, "%.1f %s", v, units[u]);
}

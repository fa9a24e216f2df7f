/* UTF-8 validation (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

int utf8_seq(const unsigned char *p, size_t n)
{
  unsigned c = p[0];
  size_t len, i;
  unsigned lo = 0x80, hi = 0xBF;
  if(c < 0x80)
    return 1;
  if(c >= 0xC2 && c <= 0xDF)
    len = 2;
  else if(c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if(c == 0xE0)
      lo = 0xA0;
    else if(c == 0xED)
      hi = 0x9F;
  } else if(c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if(c == 0xF0)
      lo = 0x90;
    else if(c == 0xF4)
      hi = 0x8F;
  } else
    return 0;
  for(i = 1; i < len; i++) {
    if(i >= n)
      return -1;
    if(p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xBF))
      return 0;
  }
  return (int)len;
}

size_t utf8_valid(const unsigned char *p, size_t n)
{
  size_t i = 0;
  while(i < n) {
    int k;
    if(i + 8 <= n) {
      uint64_t w;
      memcpy(&w, p + i, 8);
      if(!(w & 0x8080808080808080ull)) {
        i += 8;
        continue;
      }
    }
    k = utf8_seq(p + i, n - i);
    if(k <= 0)
      return i;
    i += (size_t)k;
  }
  return i;
}

size_t utf8_from_mixed(const unsigned char *p, size_t n, int more, unsigned char *out,
                       size_t *used)
{
  size_t i = 0, o = 0;
  while(i < n) {
    size_t ok = utf8_valid(p + i, n - i);
    int k;
    memcpy(out + o, p + i, ok);
    i += ok;
    o += ok;
    if(i == n)
      break;
    k = utf8_seq(p + i, n - i);
    if(k < 0 && more)
      break;
    out[o++] = (unsigned char)(0xC0 | (p[i] >> 6));   /* Latin-1 byte as U+0080..U+00FF */
    out[o++] = (unsigned char)(0x80 | (p[i] & 0x3F));
    i++;
  }
  *used = i;
  return o;
}

/* Byte strings to JSON and to one-line messages; see escape.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

void esc_buf_init(struct esc_buf *b, size_t max)
{
  b->p = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
}

void esc_buf_release(struct esc_buf *b)
{
  free(b->p);
  esc_buf_init(b, b->max);
}

int esc_buf_add(struct esc_buf *b, const void *s, size_t n)
{
  size_t need;
  if(n > b->max || b->len > b->max - n)
    return -1;
  need = b->len + n + 1;
  if(need > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    char *p;
    while(cap < need)
      cap *= 2;
    p = realloc(b->p, cap);
    if(!p)
      return -1;
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
  return 0;
}

int esc_buf_adds(struct esc_buf *b, const char *s)
{
  return esc_buf_add(b, s, strlen(s));
}

size_t esc_utf8_len(const unsigned char *s, size_t n)
{
  size_t len;
  uint32_t cp;
  if(n == 0)
    return 0;
  if(s[0] < 0x80)
    return 1;
  if(s[0] >= 0xc2 && s[0] <= 0xdf) {
    len = 2;
    cp = s[0] & 0x1f;
  }
  else if(s[0] >= 0xe0 && s[0] <= 0xef) {
    len = 3;
    cp = s[0] & 0x0f;
  }
  else if(s[0] >= 0xf0 && s[0] <= 0xf4) {
    len = 4;
    cp = s[0] & 0x07;
  }
  else {
    return 0;
  }
  if(n < len)
    return 0;
  for(size_t i = 1; i < len; i++) {
    if((s[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if(len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
    return 0;
  if(len == 4 && (cp < 0x10000 || cp > 0x10ffff))
    return 0;
  return len;
}

static int json_byte(struct esc_buf *b, unsigned char c)
{
  char u[8];
  if(c == '"')
    return esc_buf_add(b, "\\\"", 2);
  if(c == '\\')
    return esc_buf_add(b, "\\\\", 2);
  snprintf(u, sizeof(u), "\\u%04x", (unsigned)c);
  return esc_buf_add(b, u, 6);
}

int esc_json_str(struct esc_buf *b, const char *s)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t left;
  if(!s)
    return esc_buf_adds(b, "null");
  left = strlen(s);
  if(esc_buf_add(b, "\"", 1))
    return -1;
  while(left) {
    size_t len = esc_utf8_len(p, left);
    int rc;
    if(len == 1 && *p >= 0x20 && *p != 0x7f && *p != '"' && *p != '\\')
      rc = esc_buf_add(b, p, 1);
    else if(len > 1)
      rc = esc_buf_add(b, p, len);
    else {
      rc = json_byte(b, *p); /* control byte, quote, backslash, invalid UTF-8 */
      len = 1;
    }
    if(rc)
      return -1;
    p += len;
    left -= len;
  }
  return esc_buf_add(b, "\"", 1);
}

/* Put one byte into out at *o, folding runs of spaces; false when full. */
static bool line_put(char *out, size_t outlen, size_t *o, char c)
{
  if(c == ' ' && (*o == 0 || out[*o - 1] == ' '))
    return true;
  if(*o + 1 >= outlen)
    return false;
  out[(*o)++] = c;
  return true;
}

void esc_line(const char *s, size_t n, bool cut, char *out, size_t outlen)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t o = 0;
  if(outlen == 0)
    return;
  if(cut) {
    while(n && (*p & 0xc0) == 0x80) {
      p++;
      n--;
    }
    for(const char *d = "..."; *d; d++)
      (void)line_put(out, outlen, &o, *d);
  }
  while(n) {
    size_t len = esc_utf8_len(p, n);
    bool room = true;
    if(len > 1) {
      if(o + len >= outlen)
        break;
      memcpy(out + o, p, len);
      o += len;
    }
    else if(len == 1 && (*p == '\n' || *p == '\r' || *p == '\t'))
      room = line_put(out, outlen, &o, ' ');
    else if(len == 1 && *p >= 0x20 && *p != 0x7f)
      room = line_put(out, outlen, &o, (char)*p);
    else
      room = line_put(out, outlen, &o, '?');
    if(!room)
      break;
    if(len == 0)
      len = 1;
    p += len;
    n -= len;
  }
  while(o && out[o - 1] == ' ')
    o--;
  out[o] = '\0';
}

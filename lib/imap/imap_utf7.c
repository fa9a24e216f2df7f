/* Modified UTF-7 for mailbox names (RFC 3501 section 5.1.3): printable
 * ASCII stands for itself except '&', written "&-"; anything else is UTF-16
 * in a base64 variant (',' for '/', no padding) between '&' and '-'. */
#include "imap_parse.h"

#include <string.h>

static const char b64[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static bool printable(uint32_t c)
{
  return c >= 0x20 && c <= 0x7e;
}

/* The next code point of UTF-8 s (advancing *i), or -1 if invalid. */
static int32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
  unsigned char c = s[*i];
  int extra = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2
              : c >= 0xf0 && c < 0xf5 ? 3 : -1;
  uint32_t cp = extra == 0 ? c : extra == 1 ? c & 0x1fu : extra == 2 ? c & 0x0fu : c & 0x07u;
  static const uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };
  if(extra < 0 || len - *i <= (size_t)extra)
    return -1;
  for(int k = 1; k <= extra; k++) {
    if((s[*i + (size_t)k] & 0xc0) != 0x80)
      return -1;
    cp = (cp << 6) | (s[*i + (size_t)k] & 0x3fu);
  }
  if(cp < min[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return -1;
  *i += (size_t)extra;
  return (int32_t)cp;
}

struct b64out {
  struct dynbuf *out;
  uint32_t bits;
  int nbits;
};

static lethe_rc put16(struct b64out *o, uint32_t unit)
{
  lethe_rc rc = LETHE_OK;
  o->bits = (o->bits << 16) | unit;
  o->nbits += 16;
  while(!rc && o->nbits >= 6) {
    o->nbits -= 6;
    rc = db_add(o->out, &b64[(o->bits >> o->nbits) & 0x3f], 1);
  }
  return rc;
}

static lethe_rc end_run(struct b64out *o)
{
  lethe_rc rc = LETHE_OK;
  if(o->nbits)
    rc = db_add(o->out, &b64[(o->bits << (6 - o->nbits)) & 0x3f], 1);
  o->bits = 0;
  o->nbits = 0;
  return rc ? rc : db_add(o->out, "-", 1);
}

lethe_rc imap_utf7_encode(const char *s, size_t len, struct dynbuf *out)
{
  const unsigned char *u = (const unsigned char *)s;
  struct b64out o = { .out = out };
  bool in_run = false;
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < len && !rc; i++) {
    int32_t cp = u[i] ? utf8_next(u, len, &i) : -1;
    if(cp < 0)
      return LETHE_E_PARSE;
    if(printable((uint32_t)cp)) {
      if(in_run)
        rc = end_run(&o);
      in_run = false;
      if(!rc)
        rc = db_add(out, cp == '&' ? "&-" : (const char *)&u[i], cp == '&' ? 2 : 1);
      continue;
    }
    if(!in_run)
      rc = db_add(out, "&", 1);
    in_run = true;
    if(!rc && cp >= 0x10000) {
      uint32_t v = (uint32_t)cp - 0x10000;
      rc = put16(&o, 0xd800 | (v >> 10));
      if(!rc)
        rc = put16(&o, 0xdc00 | (v & 0x3ff));
    }
    else if(!rc) {
      rc = put16(&o, (uint32_t)cp);
    }
  }
  if(!rc && in_run)
    rc = end_run(&o);
  return rc;
}

static lethe_rc put_utf8(struct dynbuf *out, uint32_t cp)
{
  char b[4];
  size_t n;
  if(cp < 0x80) {
    b[0] = (char)cp;
    n = 1;
  }
  else if(cp < 0x800) {
    b[0] = (char)(0xc0 | (cp >> 6));
    b[1] = (char)(0x80 | (cp & 0x3f));
    n = 2;
  }
  else if(cp < 0x10000) {
    b[0] = (char)(0xe0 | (cp >> 12));
    b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    b[2] = (char)(0x80 | (cp & 0x3f));
    n = 3;
  }
  else {
    b[0] = (char)(0xf0 | (cp >> 18));
    b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    b[3] = (char)(0x80 | (cp & 0x3f));
    n = 4;
  }
  return db_add(out, b, n);
}

/* One UTF-16 unit of a base64 run; pairs surrogates through *high. */
static lethe_rc take16(uint32_t unit, uint32_t *high, struct dynbuf *out)
{
  if(*high) {
    uint32_t h = *high;
    *high = 0;
    if(unit < 0xdc00 || unit > 0xdfff)
      return LETHE_E_PARSE;
    return put_utf8(out, 0x10000 + ((h - 0xd800) << 10) + (unit - 0xdc00));
  }
  if(unit >= 0xd800 && unit <= 0xdbff) {
    *high = unit;
    return LETHE_OK;
  }
  if(unit >= 0xdc00 && unit <= 0xdfff)
    return LETHE_E_PARSE;
  if(printable(unit))
    return LETHE_E_PARSE; /* printable ASCII must stand for itself */
  return put_utf8(out, unit);
}

/* Decode the run s[0..len) between '&' and '-'. */
static lethe_rc decode_run(const char *s, size_t len, struct dynbuf *out)
{
  uint32_t bits = 0, high = 0;
  int nbits = 0;
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < len && !rc; i++) {
    const char *pos = s[i] ? strchr(b64, s[i]) : NULL;
    if(!pos)
      return LETHE_E_PARSE;
    bits = (bits << 6) | (uint32_t)(pos - b64);
    nbits += 6;
    if(nbits >= 16) {
      nbits -= 16;
      rc = take16((bits >> nbits) & 0xffff, &high, out);
    }
  }
  if(!rc && (high || nbits >= 6 || (bits & ((1u << nbits) - 1))))
    return LETHE_E_PARSE;
  return rc;
}

lethe_rc imap_utf7_decode(const char *s, size_t len, struct dynbuf *out)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < len && !rc; i++) {
    const char *dash;
    if(!printable((unsigned char)s[i]))
      return LETHE_E_PARSE;
    if(s[i] != '&') {
      rc = db_add(out, &s[i], 1);
      continue;
    }
    dash = memchr(s + i + 1, '-', len - i - 1);
    if(!dash)
      return LETHE_E_PARSE;
    if(dash == s + i + 1)
      rc = db_add(out, "&", 1);
    else
      rc = decode_run(s + i + 1, (size_t)(dash - s - i - 1), out);
    i = (size_t)(dash - s);
  }
  return rc;
}

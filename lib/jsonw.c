#include "jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

void jsonw_init(struct jsonw *w, struct dynbuf *out)
{
  w->out = out;
  w->need_comma = false;
  w->rc = LETHE_OK;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
  if(!w->rc)
    w->rc = db_add(w->out, s, n);
}

/* A value in an object follows its key directly; a key follows a comma
 * unless it opens the object. */
void jsonw_object_begin(struct jsonw *w)
{
  put(w, "{", 1);
  w->need_comma = false;
}

void jsonw_object_end(struct jsonw *w)
{
  put(w, "}", 1);
  w->need_comma = true;
}

void jsonw_key(struct jsonw *w, const char *key)
{
  if(w->need_comma)
    put(w, ",", 1);
  put(w, "\"", 1);
  if(!w->rc)
    w->rc = jsonw_escape(w->out, key, strlen(key));
  put(w, "\":", 2);
  w->need_comma = false;
}

void jsonw_key_quoted(struct jsonw *w, const char *quoted, size_t len)
{
  if(w->need_comma)
    put(w, ",", 1);
  put(w, quoted, len);
  w->need_comma = false;
}

/* True if one of the 8 bytes of x needs escaping: below 0x20, '"' or '\\'.
 * (The bit tricks of "Bit Twiddling Hacks": a borrow can mark a byte above
 * one that matches, never a word where none does.) */
static bool any_to_escape(uint64_t x)
{
  const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  uint64_t quote = x ^ (ones * '"'), slash = x ^ (ones * '\\');
  uint64_t below = (x - ones * 0x20) & ~x;
  uint64_t zero = ((quote - ones) & ~quote) | ((slash - ones) & ~slash);
  return ((below | zero) & highs) != 0;
}

/* Length of the run at s[0..len) that needs no escape, 8 bytes at a time
 * then byte by byte: paths and reasons rarely hold anything to escape. */
static size_t plain_run(const char *s, size_t len)
{
  size_t i = 0;
  for(; i + 8 <= len; i += 8) {
    uint64_t x;
    memcpy(&x, s + i, 8);
    if(any_to_escape(x))
      break;
  }
  for(; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if(c < 0x20 || c == '"' || c == '\\')
      break;
  }
  return i;
}

/* json-c escapes these, and any other byte below 0x20 as \u00xx (lower-case
 * hex); everything else, bytes >= 0x80 included, is copied. */
static size_t escape_one(unsigned char c, char esc[7])
{
  static const char hex[] = "0123456789abcdef";
  esc[0] = '\\';
  switch(c) {
  case '\b': esc[1] = 'b'; return 2;
  case '\n': esc[1] = 'n'; return 2;
  case '\r': esc[1] = 'r'; return 2;
  case '\t': esc[1] = 't'; return 2;
  case '\f': esc[1] = 'f'; return 2;
  case '"': esc[1] = '"'; return 2;
  case '\\': esc[1] = '\\'; return 2;
  default:
    memcpy(esc + 1, "u00", 3);
    esc[4] = hex[c >> 4];
    esc[5] = hex[c & 15];
    return 6;
  }
}

lethe_rc jsonw_escape(struct dynbuf *out, const char *s, size_t len)
{
  lethe_rc rc = LETHE_OK;
  size_t i = 0;
  while(i < len && !rc) {
    size_t run = plain_run(s + i, len - i);
    char esc[7];
    rc = db_add(out, s + i, run);
    i += run;
    if(i < len && !rc) {
      rc = db_add(out, esc, escape_one((unsigned char)s[i], esc));
      i++;
    }
  }
  return rc;
}

void jsonw_string_len(struct jsonw *w, const char *s, size_t len)
{
  put(w, "\"", 1);
  if(!w->rc)
    w->rc = jsonw_escape(w->out, s, len);
  put(w, "\"", 1);
  w->need_comma = true;
}

void jsonw_string(struct jsonw *w, const char *s)
{
  if(!s)
    jsonw_null(w);
  else
    jsonw_string_len(w, s, strlen(s));
}

void jsonw_null(struct jsonw *w)
{
  put(w, "null", 4);
  w->need_comma = true;
}

void jsonw_u64(struct jsonw *w, uint64_t v)
{
  char buf[24];
  put(w, buf, (size_t)(text_put_u64(buf, v) - buf));
  w->need_comma = true;
}

void jsonw_i64(struct jsonw *w, int64_t v)
{
  char buf[24];
  put(w, buf, (size_t)(text_put_i64(buf, v) - buf));
  w->need_comma = true;
}

void jsonw_bool(struct jsonw *w, bool v)
{
  put(w, v ? "true" : "false", v ? 4 : 5);
  w->need_comma = true;
}

void jsonw_raw(struct jsonw *w, const char *json, size_t len)
{
  put(w, json, len);
  w->need_comma = true;
}

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

/* json-c escapes these, and any other byte below 0x20 as \u00xx (lower-case
 * hex); everything else, bytes >= 0x80 included, is copied. */
lethe_rc jsonw_escape(struct dynbuf *out, const char *s, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  size_t start = 0;
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < len && !rc; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[7];
    size_t n = 2;
    if(c >= 0x20 && c != '"' && c != '\\')
      continue;
    esc[0] = '\\';
    switch(c) {
    case '\b': esc[1] = 'b'; break;
    case '\n': esc[1] = 'n'; break;
    case '\r': esc[1] = 'r'; break;
    case '\t': esc[1] = 't'; break;
    case '\f': esc[1] = 'f'; break;
    case '"': esc[1] = '"'; break;
    case '\\': esc[1] = '\\'; break;
    default:
      memcpy(esc + 1, "u00", 3);
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
      n = 6;
    }
    rc = db_add(out, s + start, i - start);
    if(!rc)
      rc = db_add(out, esc, n);
    start = i + 1;
  }
  if(!rc)
    rc = db_add(out, s + start, len - start);
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

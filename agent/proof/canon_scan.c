/* Reading JSON as it streams, and checking its canonical form (see
 * canon_scan.h). One byte at a time through a state machine: a document
 * split anywhere reads the same. */
#include "canon_scan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum state {
  S_VALUE,          /* a value must come */
  S_VALUE_OR_END,   /* after '[': a value or ']' */
  S_KEY_OR_END,     /* after '{': a name or '}' */
  S_KEY,            /* after ',' in an object: a name */
  S_COLON,
  S_AFTER,          /* after a member or element: ',' or the closing bracket */
  S_STRING,
  S_ESCAPE,
  S_UNICODE,
  S_NUMBER,
  S_LITERAL,
  S_DONE,           /* the document's value is complete */
  S_END,            /* strict: its LF too */
  S_FAILED,
};

enum { AS_VALUE, AS_KEY };

void canon_scan_init(struct canon_scan *s, bool strict, canon_event_fn fn, void *ctx)
{
  memset(s, 0, sizeof(*s));
  s->fn = fn;
  s->ctx = ctx;
  s->strict = strict;
  s->state = S_VALUE;
  db_init(&s->token, CANON_TOKEN_MAX);
  db_init(&s->capture, CANON_CAPTURE_MAX);
  for(size_t i = 0; i < sizeof(s->frames) / sizeof(s->frames[0]); i++)
    db_init(&s->frames[i].last_key, CANON_TOKEN_MAX);
}

void canon_scan_release(struct canon_scan *s)
{
  db_release(&s->token);
  db_release(&s->capture);
  for(size_t i = 0; i < sizeof(s->frames) / sizeof(s->frames[0]); i++)
    db_release(&s->frames[i].last_key);
}

const char *canon_scan_why(const struct canon_scan *s)
{
  return s->why[0] ? s->why : "not JSON";
}

static lethe_rc fail(struct canon_scan *s, const char *fmt, ...) PRINTF(2, 3);

static lethe_rc fail(struct canon_scan *s, const char *fmt, ...)
{
  char what[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof(what), fmt, ap);
  va_end(ap);
  snprintf(s->why, sizeof(s->why), "byte %" PRIu64 ": %s", s->offset, what);
  s->state = S_FAILED;
  return LETHE_E_PARSE;
}

void canon_scan_capture(struct canon_scan *s)
{
  /* called while the opening bracket is read: it is the capture's first byte */
  s->capturing = true;
  s->capture_depth = s->depth - 1;
  db_reset(&s->capture);
  if(db_add(&s->capture, s->frames[s->depth - 1].object ? "{" : "[", 1))
    s->capturing = false;
}

static lethe_rc emit(struct canon_scan *s, enum canon_type type, unsigned depth, size_t index,
                     const char *text, size_t len)
{
  struct canon_event ev = { .type = type, .depth = depth, .index = index, .text = text,
                            .len = len };
  lethe_rc rc;
  if(!s->fn)
    return LETHE_OK;
  if((type == CANON_OBJECT_END || type == CANON_ARRAY_END) && s->capturing &&
     s->capture_depth == depth) {
    ev.raw = s->capture.mem;
    ev.raw_len = s->capture.len;
  }
  rc = s->fn(s->ctx, &ev);
  if(rc)
    s->state = S_FAILED;
  return rc;
}

/* Where the next value sits: its depth and index among its siblings. */
static size_t index_here(const struct canon_scan *s)
{
  return s->depth ? s->frames[s->depth - 1].count : 0;
}

/* A value is complete: count it, and say what may follow. */
static void value_done(struct canon_scan *s)
{
  if(!s->depth) {
    s->state = S_DONE;
    return;
  }
  s->frames[s->depth - 1].count++;
  s->state = S_AFTER;
}

static lethe_rc open_container(struct canon_scan *s, bool object)
{
  unsigned d = s->depth;
  lethe_rc rc;
  if(d > CANON_DEPTH_MAX)
    return fail(s, "nested deeper than %d levels", CANON_DEPTH_MAX);
  s->frames[d].object = object;
  s->frames[d].count = 0;
  db_reset(&s->frames[d].last_key);
  s->depth++;
  s->state = object ? S_KEY_OR_END : S_VALUE_OR_END;
  rc = emit(s, object ? CANON_OBJECT : CANON_ARRAY, d, d ? s->frames[d - 1].count : 0, NULL, 0);
  return rc;
}

static lethe_rc close_container(struct canon_scan *s)
{
  bool object = s->frames[s->depth - 1].object;
  lethe_rc rc;
  s->depth--;
  rc = emit(s, object ? CANON_OBJECT_END : CANON_ARRAY_END, s->depth, index_here(s), NULL, 0);
  if(s->capturing && s->capture_depth == s->depth) {
    s->capturing = false;
    db_reset(&s->capture);
  }
  if(!rc)
    value_done(s);
  return rc;
}

/* ---- strings ------------------------------------------------------------- */

static lethe_rc put(struct canon_scan *s, const void *p, size_t n)
{
  if(db_add(&s->token, p, n))
    return fail(s, "a string or number longer than %u bytes", CANON_TOKEN_MAX);
  return LETHE_OK;
}

static lethe_rc put_utf8(struct canon_scan *s, uint32_t cp)
{
  unsigned char b[4];
  size_t n;
  if(cp < 0x80) {
    b[0] = (unsigned char)cp;
    n = 1;
  }
  else if(cp < 0x800) {
    b[0] = (unsigned char)(0xc0 | cp >> 6);
    b[1] = (unsigned char)(0x80 | (cp & 0x3f));
    n = 2;
  }
  else if(cp < 0x10000) {
    b[0] = (unsigned char)(0xe0 | cp >> 12);
    b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    b[2] = (unsigned char)(0x80 | (cp & 0x3f));
    n = 3;
  }
  else {
    b[0] = (unsigned char)(0xf0 | cp >> 18);
    b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    b[3] = (unsigned char)(0x80 | (cp & 0x3f));
    n = 4;
  }
  return put(s, b, n);
}

/* Lenient: a high surrogate not followed by its low half is U+FFFD. */
static lethe_rc lone_surrogate(struct canon_scan *s)
{
  if(!s->high_surrogate)
    return LETHE_OK;
  s->high_surrogate = 0;
  return put_utf8(s, 0xfffd);
}

static bool utf8_valid(const char *p, size_t n)
{
  const unsigned char *u = (const unsigned char *)p;
  for(size_t i = 0; i < n;) {
    size_t len = canon_utf8_len(u + i, n - i);
    if(!len)
      return false;
    i += len;
  }
  return true;
}

/* Strict: the name must come after the previous one in byte order. */
static lethe_rc check_key_order(struct canon_scan *s)
{
  struct dynbuf *last = &s->frames[s->depth - 1].last_key;
  if(s->frames[s->depth - 1].count) {
    size_t n = last->len < s->token.len ? last->len : s->token.len;
    int c = memcmp(last->mem, s->token.mem, n);
    if(c > 0 || (!c && last->len >= s->token.len))
      return fail(s, "member \"%.60s\" %s", db_str(&s->token),
                  !c && last->len == s->token.len ? "given twice" : "out of order");
  }
  db_reset(last);
  if(db_add(last, s->token.mem ? s->token.mem : "", s->token.len))
    return fail(s, "a name longer than %u bytes", CANON_TOKEN_MAX);
  return LETHE_OK;
}

static lethe_rc string_done(struct canon_scan *s)
{
  lethe_rc rc = s->strict ? LETHE_OK : lone_surrogate(s);
  if(!rc && s->strict && !utf8_valid(s->token.mem, s->token.len))
    rc = fail(s, "a string that is not UTF-8");
  if(rc)
    return rc;
  if(s->after_string == AS_KEY) {
    if(s->strict) {
      rc = check_key_order(s);
      if(rc)
        return rc;
    }
    s->state = S_COLON;
    return emit(s, CANON_KEY, s->depth, index_here(s), db_str(&s->token), s->token.len);
  }
  rc = emit(s, CANON_STRING, s->depth, index_here(s), db_str(&s->token), s->token.len);
  if(!rc)
    value_done(s);
  return rc;
}

static lethe_rc string_byte(struct canon_scan *s, unsigned char c)
{
  lethe_rc rc;
  if(c == '"')
    return string_done(s);
  if(c == '\\') {
    s->state = S_ESCAPE;
    return LETHE_OK;
  }
  if(c < 0x20)
    return fail(s, "a control character (0x%02x) in a string", c);
  rc = s->strict ? LETHE_OK : lone_surrogate(s);
  return rc ? rc : put(s, &c, 1);
}

static lethe_rc escape_byte(struct canon_scan *s, unsigned char c)
{
  static const char from[] = "\"\\bfnrt/", to[] = "\"\\\b\f\n\r\t/";
  const char *at = c ? strchr(from, c) : NULL;
  lethe_rc rc;
  if(c == 'u') {
    s->state = S_UNICODE;
    s->hex_left = 4;
    s->unicode = 0;
    return LETHE_OK;
  }
  if(!at || (s->strict && c == '/'))
    return fail(s, "the escape \\%c%s", c >= 0x20 && c < 0x7f ? c : '?',
                c == '/' ? " (canonical form writes '/' as itself)" : " is not JSON");
  rc = s->strict ? LETHE_OK : lone_surrogate(s);
  s->state = S_STRING;
  return rc ? rc : put(s, &to[at - from], 1);
}

static int hex_value(unsigned char c, bool strict)
{
  if(c >= '0' && c <= '9')
    return c - '0';
  if(c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if(!strict && c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Strict: \u00xx only for the controls without a short escape. */
static lethe_rc unicode_strict(struct canon_scan *s)
{
  uint32_t u = s->unicode;
  unsigned char b = (unsigned char)u;
  if(u >= 0x20 || u == '\b' || u == '\f' || u == '\n' || u == '\r' || u == '\t')
    return fail(s, "the escape \\u%04x (canonical form writes it %s)", (unsigned)u,
                u >= 0x20 ? "as itself" : "as a short escape");
  return put(s, &b, 1);
}

static lethe_rc unicode_lenient(struct canon_scan *s)
{
  uint32_t u = s->unicode;
  lethe_rc rc;
  if(u >= 0xdc00 && u <= 0xdfff && s->high_surrogate) {
    u = 0x10000 + ((s->high_surrogate - 0xd800) << 10) + (u - 0xdc00);
    s->high_surrogate = 0;
    return put_utf8(s, u);
  }
  rc = lone_surrogate(s);
  if(rc)
    return rc;
  if(u >= 0xd800 && u <= 0xdbff) {
    s->high_surrogate = u;
    return LETHE_OK;
  }
  return put_utf8(s, u >= 0xdc00 && u <= 0xdfff ? 0xfffd : u);
}

static lethe_rc unicode_byte(struct canon_scan *s, unsigned char c)
{
  int v = hex_value(c, s->strict);
  if(v < 0)
    return fail(s, "\\u needs four %shex digits", s->strict ? "lower-case " : "");
  s->unicode = s->unicode << 4 | (uint32_t)v;
  if(--s->hex_left)
    return LETHE_OK;
  s->state = S_STRING;
  return s->strict ? unicode_strict(s) : unicode_lenient(s);
}

/* ---- numbers and literals ------------------------------------------------ */

/* RFC 8259's number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number_grammar(const char *p, bool *integer)
{
  *integer = true;
  if(*p == '-')
    p++;
  if(*p == '0')
    p++;
  else if(*p >= '1' && *p <= '9')
    while(*p >= '0' && *p <= '9')
      p++;
  else
    return false;
  if(*p == '.') {
    *integer = false;
    if(!(*++p >= '0' && *p <= '9'))
      return false;
    while(*p >= '0' && *p <= '9')
      p++;
  }
  if(*p == 'e' || *p == 'E') {
    *integer = false;
    p++;
    if(*p == '+' || *p == '-')
      p++;
    if(!(*p >= '0' && *p <= '9'))
      return false;
    while(*p >= '0' && *p <= '9')
      p++;
  }
  return !*p;
}

/* Strict: what canon_number would write for this value. */
static bool number_canonical(const char *text, bool integer)
{
  char again[40];
  errno = 0;
  if(integer && text[0] == '-') {
    (void)strtoll(text, NULL, 10);
    return !errno && strcmp(text, "-0");
  }
  if(integer) {
    (void)strtoull(text, NULL, 10);
    return !errno;
  }
  snprintf(again, sizeof(again), "%.17g", strtod(text, NULL));
  return !strcmp(again, text);
}

static lethe_rc number_done(struct canon_scan *s)
{
  const char *text = db_str(&s->token);
  bool integer;
  lethe_rc rc;
  if(!number_grammar(text, &integer))
    return fail(s, "\"%.40s\" is not a number", text);
  if(s->strict && !number_canonical(text, integer))
    return fail(s, "the number %.40s is not in canonical form", text);
  rc = emit(s, CANON_NUMBER, s->depth, index_here(s), text, s->token.len);
  if(!rc)
    value_done(s);
  return rc;
}

static lethe_rc literal_byte(struct canon_scan *s, unsigned char c)
{
  static const enum canon_type types[] = { CANON_TRUE, CANON_FALSE, CANON_NULL };
  lethe_rc rc;
  if(c != (unsigned char)s->literal[s->literal_at])
    return fail(s, "expected \"%s\"", s->literal);
  if(s->literal[++s->literal_at])
    return LETHE_OK;
  rc = emit(s, types[s->literal[0] == 't' ? 0 : s->literal[0] == 'f' ? 1 : 2], s->depth,
            index_here(s), NULL, 0);
  if(!rc)
    value_done(s);
  return rc;
}

/* ---- values and structure ------------------------------------------------ */

static bool space(unsigned char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static lethe_rc begin_value(struct canon_scan *s, unsigned char c)
{
  static const char *const literals[] = { "true", "false", "null" };
  if(c == '{' || c == '[')
    return open_container(s, c == '{');
  if(s->depth > CANON_DEPTH_MAX)
    return fail(s, "nested deeper than %d levels", CANON_DEPTH_MAX);
  db_reset(&s->token);
  if(c == '"') {
    s->state = S_STRING;
    s->after_string = AS_VALUE;
    return LETHE_OK;
  }
  if(c == '-' || (c >= '0' && c <= '9')) {
    s->state = S_NUMBER;
    return put(s, &c, 1);
  }
  for(size_t i = 0; i < 3; i++) {
    if(c == (unsigned char)literals[i][0]) {
      snprintf(s->literal, sizeof(s->literal), "%s", literals[i]);
      s->literal_at = 1;
      s->state = S_LITERAL;
      return LETHE_OK;
    }
  }
  return fail(s, "expected a value, not '%c'", c >= 0x20 && c < 0x7f ? c : '?');
}

static lethe_rc structure_byte(struct canon_scan *s, unsigned char c)
{
  bool object = s->depth && s->frames[s->depth - 1].object;
  switch(s->state) {
  case S_VALUE_OR_END:
    if(c == ']')
      return close_container(s);
    return begin_value(s, c);
  case S_VALUE:
    return begin_value(s, c);
  case S_KEY_OR_END:
  case S_KEY:
    if(c == '}' && s->state == S_KEY_OR_END)
      return close_container(s);
    if(c != '"')
      return fail(s, "expected a member's name");
    db_reset(&s->token);
    s->state = S_STRING;
    s->after_string = AS_KEY;
    return LETHE_OK;
  case S_COLON:
    if(c != ':')
      return fail(s, "expected ':'");
    s->state = S_VALUE;
    return LETHE_OK;
  case S_AFTER:
    if(c == ',') {
      s->state = object ? S_KEY : S_VALUE;
      return LETHE_OK;
    }
    if(c == (object ? '}' : ']'))
      return close_container(s);
    return fail(s, "expected ',' or '%c'", object ? '}' : ']');
  case S_DONE:
    if(s->strict && c == '\n') {
      s->state = S_END;
      return LETHE_OK;
    }
    return fail(s, "more after the document");
  default:
    return fail(s, "more after the document's final LF");
  }
}

static lethe_rc byte(struct canon_scan *s, unsigned char c)
{
  lethe_rc rc;
  switch(s->state) {
  case S_STRING:
    return string_byte(s, c);
  case S_ESCAPE:
    return escape_byte(s, c);
  case S_UNICODE:
    return unicode_byte(s, c);
  case S_LITERAL:
    return literal_byte(s, c);
  case S_NUMBER:
    if(strchr("0123456789+-.eE", c) && c)
      return put(s, &c, 1);
    rc = number_done(s);
    return rc ? rc : byte(s, c); /* the byte after the number is read as usual */
  case S_FAILED:
    return LETHE_E_PARSE;
  default:
    if(space(c) && !s->strict && s->state != S_END)
      return LETHE_OK;
    if(space(c) && s->strict && s->state != S_DONE)
      return fail(s, "white space (canonical form has none)");
    return structure_byte(s, c);
  }
}

lethe_rc canon_scan_feed(struct canon_scan *s, const void *data, size_t n)
{
  const unsigned char *p = data;
  if(s->state == S_FAILED)
    return LETHE_E_PARSE;
  for(size_t i = 0; i < n; i++, s->offset++) {
    lethe_rc rc;
    if(s->capturing && db_add(&s->capture, p + i, 1))
      return fail(s, "a value longer than %u bytes", CANON_CAPTURE_MAX);
    rc = byte(s, p[i]);
    if(rc)
      return rc;
  }
  return LETHE_OK;
}

lethe_rc canon_scan_finish(struct canon_scan *s)
{
  lethe_rc rc = LETHE_OK;
  if(s->state == S_FAILED)
    return LETHE_E_PARSE;
  if(s->state == S_NUMBER && !s->depth)
    rc = number_done(s);
  if(rc)
    return rc;
  if(s->state == S_END || (!s->strict && s->state == S_DONE))
    return LETHE_OK;
  if(s->state == S_DONE)
    return fail(s, "no LF after the document");
  return fail(s, "the document ends early");
}

#include "imap_parse.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Show at most this much of a response in an error message; servers may put
 * anything in a reply, so it is printed with non-printable bytes escaped. */
#define SHOW_MAX 60

static void show(const char *p, const char *end, char *out, size_t n)
{
  size_t o = 0;
  for(; p < end && o + 5 < n && o < SHOW_MAX; p++) {
    unsigned char c = (unsigned char)*p;
    if(c >= 0x20 && c < 0x7f)
      out[o++] = (char)c;
    else
      o += (size_t)snprintf(out + o, n - o, "\\x%02x", c);
  }
  out[o] = '\0';
}

static lethe_rc bad(struct imap_cursor *c, const char *what, struct lethe_err *err)
{
  char near[SHOW_MAX * 4 + 8];
  show(c->p, c->end, near, sizeof(near));
  if(c->p >= c->end)
    return err_set(err, LETHE_E_PARSE, "malformed IMAP response: %s at the end of the line",
                   what);
  return err_set(err, LETHE_E_PARSE, "malformed IMAP response: %s at \"%s\"", what, near);
}

static bool is_atom_char(unsigned char c)
{
  /* atom-specials: ( ) { SP CTL % " \ ]. '\' may start a flag, '%' and '*'
   * appear in list wildcards and \*; both are taken as atom text here. */
  return c > 0x20 && c < 0x7f && !strchr("(){\"]", c);
}

static void skip_spaces(struct imap_cursor *c)
{
  while(c->p < c->end && *c->p == ' ')
    c->p++;
}

/* A quoted string, unescaped in place. */
static lethe_rc quoted(struct imap_cursor *c, struct imap_tok *t, struct lethe_err *err)
{
  char *start = ++c->p, *w = start;
  while(c->p < c->end && *c->p != '"') {
    char ch = *c->p;
    if(ch == '\r' || ch == '\n' || ch == '\0')
      return bad(c, "CR, LF or NUL inside a quoted string", err);
    if(ch == '\\') {
      if(c->p + 1 >= c->end || (c->p[1] != '"' && c->p[1] != '\\'))
        return bad(c, "a backslash that quotes neither '\"' nor '\\'", err);
      ch = *++c->p;
    }
    *w++ = ch;
    c->p++;
  }
  if(c->p >= c->end)
    return bad(c, "an unterminated quoted string", err);
  c->p++;
  t->type = IMAP_TOK_STRING;
  t->p = start;
  t->len = (size_t)(w - start);
  return LETHE_OK;
}

/* A literal: {N} CRLF and N bytes, which must all be inside the buffer. */
static lethe_rc literal(struct imap_cursor *c, struct imap_tok *t, struct lethe_err *err)
{
  uint64_t n = 0;
  size_t digits = 0;
  c->p++;
  while(c->p < c->end && *c->p >= '0' && *c->p <= '9' && digits < 19) {
    n = n * 10 + (uint64_t)(*c->p - '0');
    c->p++;
    digits++;
  }
  if(!digits || c->p >= c->end || *c->p != '}')
    return bad(c, "a literal size that is not {digits}", err);
  c->p++;
  if(c->end - c->p < 2 || c->p[0] != '\r' || c->p[1] != '\n')
    return bad(c, "a literal size not followed by CRLF", err);
  c->p += 2;
  if(n > (uint64_t)(c->end - c->p))
    return bad(c, "a literal longer than the response", err);
  t->type = IMAP_TOK_STRING;
  t->p = c->p;
  t->len = (size_t)n;
  c->p += n;
  return LETHE_OK;
}

/* An atom; a '[' inside it (fetch names such as BODY[HEADER.FIELDS (DATE)])
 * runs to its ']', spaces and parentheses included. */
static lethe_rc atom(struct imap_cursor *c, struct imap_tok *t, struct lethe_err *err)
{
  char *start = c->p;
  while(c->p < c->end && is_atom_char((unsigned char)*c->p)) {
    if(*c->p == '[') {
      char *close = memchr(c->p, ']', (size_t)(c->end - c->p));
      if(!close)
        return bad(c, "a '[' without its ']'", err);
      c->p = close;
    }
    c->p++;
  }
  if(c->p == start)
    return bad(c, "an unexpected character", err);
  t->type = IMAP_TOK_ATOM;
  t->p = start;
  t->len = (size_t)(c->p - start);
  if(t->len == 3 && !strncasecmp(start, "NIL", 3))
    t->type = IMAP_TOK_NIL;
  if(t->len <= 19) {
    uint64_t v = 0;
    size_t i = 0;
    for(; i < t->len && start[i] >= '0' && start[i] <= '9'; i++)
      v = v * 10 + (uint64_t)(start[i] - '0');
    if(i == t->len && v <= INT64_MAX) {
      t->type = IMAP_TOK_NUMBER;
      t->num = v;
    }
  }
  return LETHE_OK;
}

lethe_rc imap_next(struct imap_cursor *c, struct imap_tok *t, struct lethe_err *err)
{
  memset(t, 0, sizeof(*t));
  skip_spaces(c);
  if(c->p >= c->end) {
    t->type = IMAP_TOK_END;
    return LETHE_OK;
  }
  switch(*c->p) {
  case '(':
    if(c->depth >= IMAP_MAX_DEPTH)
      return bad(c, "lists nested too deeply", err);
    c->depth++;
    c->p++;
    t->type = IMAP_TOK_OPEN;
    return LETHE_OK;
  case ')':
    if(c->depth <= 0)
      return bad(c, "a ')' without its '('", err);
    c->depth--;
    c->p++;
    t->type = IMAP_TOK_CLOSE;
    return LETHE_OK;
  case '"':
    return quoted(c, t, err);
  case '{':
    return literal(c, t, err);
  default:
    return atom(c, t, err);
  }
}

lethe_rc imap_skip_value(struct imap_cursor *c, struct lethe_err *err)
{
  struct imap_tok t;
  int depth = c->depth;
  lethe_rc rc = imap_next(c, &t, err);
  if(rc)
    return rc;
  if(t.type == IMAP_TOK_END)
    return bad(c, "a missing value", err);
  if(t.type == IMAP_TOK_CLOSE)
    return bad(c, "a ')' where a value belongs", err);
  while(!rc && c->depth > depth) {
    rc = imap_next(c, &t, err);
    if(!rc && t.type == IMAP_TOK_END)
      return bad(c, "an unclosed list", err);
  }
  return rc;
}

bool imap_tok_is(const struct imap_tok *t, const char *word)
{
  size_t n = strlen(word);
  return (t->type == IMAP_TOK_ATOM || t->type == IMAP_TOK_NIL) && t->len == n &&
         !strncasecmp(t->p, word, n);
}

static bool word_is(const char *p, size_t len, const char *word)
{
  size_t n = strlen(word);
  return len == n && !strncasecmp(p, word, n);
}

bool imap_resp_is(const struct imap_resp *r, const char *word)
{
  return r->name && word_is(r->name, r->name_len, word);
}

static enum imap_status status_of(const char *p, size_t len)
{
  static const struct { const char *w; enum imap_status s; } words[] = {
    { "OK", IMAP_ST_OK }, { "NO", IMAP_ST_NO }, { "BAD", IMAP_ST_BAD },
    { "BYE", IMAP_ST_BYE }, { "PREAUTH", IMAP_ST_PREAUTH },
  };
  for(size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
    if(word_is(p, len, words[i].w))
      return words[i].s;
  return IMAP_ST_NONE;
}

/* "[CODE args] text" or "text" after a status word. */
static lethe_rc status_text(struct imap_cursor *c, struct imap_resp *r, struct lethe_err *err)
{
  if(c->p < c->end && *c->p != ' ')
    return bad(c, "no space after the status word", err);
  skip_spaces(c);
  if(c->p < c->end && *c->p == '[') {
    char *close = memchr(c->p, ']', (size_t)(c->end - c->p));
    if(!close)
      return bad(c, "an unterminated response code", err);
    r->code = c->p + 1;
    r->code_len = (size_t)(close - c->p - 1);
    c->p = close + 1;
    skip_spaces(c);
  }
  r->text = c->p;
  r->text_len = (size_t)(c->end - c->p);
  c->p = c->end;
  return LETHE_OK;
}

/* A word of letters (status or data name) at c. */
static lethe_rc name(struct imap_cursor *c, struct imap_resp *r, struct lethe_err *err)
{
  char *start = c->p;
  while(c->p < c->end && ((*c->p >= 'A' && *c->p <= 'Z') || (*c->p >= 'a' && *c->p <= 'z') ||
                          (*c->p >= '0' && *c->p <= '9') || *c->p == '.' || *c->p == '-'))
    c->p++;
  if(c->p == start)
    return bad(c, "no response name", err);
  r->name = start;
  r->name_len = (size_t)(c->p - start);
  r->status = status_of(start, r->name_len);
  return LETHE_OK;
}

static lethe_rc untagged(struct imap_cursor *c, struct imap_resp *r, struct lethe_err *err)
{
  lethe_rc rc;
  r->kind = IMAP_UNTAGGED;
  if(c->end - c->p < 2 || c->p[1] != ' ')
    return bad(c, "no space after '*'", err);
  c->p += 2;
  if(c->p < c->end && *c->p >= '0' && *c->p <= '9') {
    uint64_t n = 0;
    while(c->p < c->end && *c->p >= '0' && *c->p <= '9' && n <= UINT32_MAX)
      n = n * 10 + (uint64_t)(*c->p++ - '0');
    if(n > UINT32_MAX)
      return bad(c, "a message number above 4294967295", err);
    if(c->p >= c->end || *c->p != ' ')
      return bad(c, "no space after the message number", err);
    c->p++;
    r->has_number = true;
    r->number = (uint32_t)n;
  }
  rc = name(c, r, err);
  if(rc)
    return rc;
  if(r->has_number && r->status != IMAP_ST_NONE)
    return bad(c, "a status response with a message number", err);
  if(r->status != IMAP_ST_NONE)
    return status_text(c, r, err);
  r->rest = *c;
  return LETHE_OK;
}

static lethe_rc tagged(struct imap_cursor *c, struct imap_resp *r, struct lethe_err *err)
{
  char *start = c->p;
  lethe_rc rc;
  r->kind = IMAP_TAGGED;
  while(c->p < c->end && is_atom_char((unsigned char)*c->p) && *c->p != '+')
    c->p++;
  if(c->p == start || c->p >= c->end || *c->p != ' ')
    return bad(c, "a response that is neither tagged, untagged nor a continuation", err);
  r->tag = start;
  r->tag_len = (size_t)(c->p - start);
  c->p++;
  rc = name(c, r, err);
  if(rc)
    return rc;
  if(r->status != IMAP_ST_OK && r->status != IMAP_ST_NO && r->status != IMAP_ST_BAD)
    return bad(c, "a tagged response that is not OK, NO or BAD", err);
  return status_text(c, r, err);
}

lethe_rc imap_resp_parse(char *buf, size_t len, struct imap_resp *r, struct lethe_err *err)
{
  struct imap_cursor c = { .p = buf, .end = buf + len };
  memset(r, 0, sizeof(*r));
  if(!len)
    return err_set(err, LETHE_E_PARSE, "malformed IMAP response: an empty line");
  if(buf[0] == '+') {
    r->kind = IMAP_CONTINUE;
    c.p++;
    skip_spaces(&c);
    r->text = c.p;
    r->text_len = (size_t)(c.end - c.p);
    return LETHE_OK;
  }
  if(buf[0] == '*')
    return untagged(&c, r, err);
  return tagged(&c, r, err);
}

/* ---- FETCH ---------------------------------------------------------------- */

static lethe_rc expect_number(struct imap_cursor *c, uint64_t max, uint64_t *out,
                              const char *what, struct lethe_err *err)
{
  struct imap_tok t;
  lethe_rc rc = imap_next(c, &t, err);
  if(rc)
    return rc;
  if(t.type != IMAP_TOK_NUMBER || t.num > max)
    return err_set(err, LETHE_E_PARSE, "malformed IMAP response: %s is not a number in "
                   "range", what);
  *out = t.num;
  return LETHE_OK;
}

static lethe_rc expect_nstring(struct imap_cursor *c, const char **p, size_t *len,
                               const char *what, struct lethe_err *err)
{
  struct imap_tok t;
  lethe_rc rc = imap_next(c, &t, err);
  if(rc)
    return rc;
  if(t.type == IMAP_TOK_NIL) {
    *p = NULL;
    *len = 0;
    return LETHE_OK;
  }
  if(t.type != IMAP_TOK_STRING)
    return err_set(err, LETHE_E_PARSE, "malformed IMAP response: %s is not a string", what);
  *p = t.p;
  *len = t.len;
  return LETHE_OK;
}

/* FLAGS (...): remember where the list's contents lie, and check them. */
static lethe_rc fetch_flags(struct imap_cursor *c, struct imap_fetch *f, struct lethe_err *err)
{
  struct imap_tok t;
  lethe_rc rc = imap_next(c, &t, err);
  if(rc)
    return rc;
  if(t.type != IMAP_TOK_OPEN)
    return bad(c, "FLAGS without a list", err);
  f->flags.p = c->p;
  f->flags.depth = 0;
  for(;;) {
    char *before = c->p;
    rc = imap_next(c, &t, err);
    if(rc)
      return rc;
    if(t.type == IMAP_TOK_CLOSE) {
      f->flags.end = before;
      f->has_flags = true;
      return LETHE_OK;
    }
    if(t.type != IMAP_TOK_ATOM)
      return bad(c, "a FLAGS list holding something other than flags", err);
  }
}

static bool starts_with(const struct imap_tok *t, const char *prefix)
{
  size_t n = strlen(prefix);
  return t->len >= n && !strncasecmp(t->p, prefix, n);
}

static lethe_rc fetch_att(struct imap_cursor *c, const struct imap_tok *t,
                          struct imap_fetch *f, struct lethe_err *err)
{
  uint64_t v = 0;
  lethe_rc rc;
  if(imap_tok_is(t, "UID")) {
    rc = expect_number(c, UINT32_MAX, &v, "UID", err);
    if(!rc && !v)
      rc = err_set(err, LETHE_E_PARSE, "malformed IMAP response: UID 0");
    f->uid = (uint32_t)v;
    f->has_uid = !rc;
    return rc;
  }
  if(imap_tok_is(t, "RFC822.SIZE")) {
    rc = expect_number(c, INT64_MAX, &f->size, "RFC822.SIZE", err);
    f->has_size = !rc;
    return rc;
  }
  if(imap_tok_is(t, "INTERNALDATE")) {
    rc = expect_nstring(c, &f->internaldate, &f->internaldate_len, "INTERNALDATE", err);
    f->has_internaldate = !rc && f->internaldate;
    return rc;
  }
  if(imap_tok_is(t, "FLAGS"))
    return fetch_flags(c, f, err);
  if(imap_tok_is(t, "BODY[]")) {
    rc = expect_nstring(c, &f->body, &f->body_len, "BODY[]", err);
    f->has_body = !rc;
    return rc;
  }
  if(starts_with(t, "BODY[HEADER.FIELDS") && t->p[t->len - 1] == ']') {
    rc = expect_nstring(c, &f->header, &f->header_len, "BODY[HEADER.FIELDS]", err);
    f->has_header = !rc;
    return rc;
  }
  return imap_skip_value(c, err);
}

lethe_rc imap_fetch_parse(const struct imap_resp *r, struct imap_fetch *f,
                          struct lethe_err *err)
{
  struct imap_cursor c = r->rest;
  struct imap_tok t;
  lethe_rc rc;
  memset(f, 0, sizeof(*f));
  rc = imap_next(&c, &t, err);
  if(rc)
    return rc;
  if(t.type != IMAP_TOK_OPEN)
    return bad(&c, "FETCH without its '('", err);
  for(;;) {
    rc = imap_next(&c, &t, err);
    if(rc)
      return rc;
    if(t.type == IMAP_TOK_CLOSE)
      break;
    if(t.type != IMAP_TOK_ATOM)
      return bad(&c, "a FETCH attribute name expected", err);
    rc = fetch_att(&c, &t, f, err);
    if(rc)
      return rc;
  }
  rc = imap_next(&c, &t, err);
  if(!rc && t.type != IMAP_TOK_END)
    return bad(&c, "text after the FETCH list", err);
  return rc;
}

bool imap_flags_has(const struct imap_cursor *flags, const char *flag)
{
  struct imap_cursor c = *flags;
  struct imap_tok t;
  while(!imap_next(&c, &t, NULL) && t.type == IMAP_TOK_ATOM)
    if(imap_tok_is(&t, flag))
      return true;
  return false;
}

/* ---- SEARCH, sets, codes, capabilities -------------------------------------- */

lethe_rc imap_search_each(const struct imap_resp *r, imap_number_fn fn, void *ctx,
                          struct lethe_err *err)
{
  struct imap_cursor c = r->rest;
  struct imap_tok t;
  for(;;) {
    lethe_rc rc = imap_next(&c, &t, err);
    if(rc)
      return rc;
    if(t.type == IMAP_TOK_END)
      return LETHE_OK;
    if(t.type == IMAP_TOK_OPEN) {
      c.p--; /* "(MODSEQ n)" ends the response */
      c.depth--;
      rc = imap_skip_value(&c, err);
      if(!rc && (imap_next(&c, &t, err) || t.type != IMAP_TOK_END))
        return bad(&c, "text after SEARCH's (MODSEQ n)", err);
      return rc;
    }
    if(t.type != IMAP_TOK_NUMBER || !t.num || t.num > UINT32_MAX)
      return bad(&c, "a SEARCH result that is not a number from 1 to 4294967295", err);
    rc = fn(ctx, (uint32_t)t.num);
    if(rc)
      return rc;
  }
}

static bool set_number(const char **p, const char *end, uint32_t *out)
{
  uint64_t n = 0;
  const char *start = *p;
  while(*p < end && **p >= '0' && **p <= '9' && n <= UINT32_MAX)
    n = n * 10 + (uint64_t)(*(*p)++ - '0');
  if(*p == start || !n || n > UINT32_MAX)
    return false;
  *out = (uint32_t)n;
  return true;
}

lethe_rc imap_set_each(const char *s, size_t len, uint64_t max, imap_number_fn fn, void *ctx,
                       struct lethe_err *err)
{
  const char *p = s, *end = s + len;
  uint64_t total = 0;
  while(p < end) {
    uint32_t a, b;
    if(!set_number(&p, end, &a))
      return err_set(err, LETHE_E_PARSE, "malformed IMAP response: bad sequence set '%.*s'",
                     (int)(len > 80 ? 80 : len), s);
    b = a;
    if(p < end && *p == ':' && (p++, !set_number(&p, end, &b)))
      return err_set(err, LETHE_E_PARSE, "malformed IMAP response: bad range in sequence "
                     "set '%.*s'", (int)(len > 80 ? 80 : len), s);
    if(b < a) {
      uint32_t x = a;
      a = b;
      b = x;
    }
    total += (uint64_t)(b - a) + 1;
    if(total > max)
      return err_set(err, LETHE_E_RANGE, "IMAP sequence set holds more than %llu numbers",
                     (unsigned long long)max);
    for(uint64_t n = a; n <= b; n++) {
      lethe_rc rc = fn(ctx, (uint32_t)n);
      if(rc)
        return rc;
    }
    if(p < end && *p++ != ',')
      return err_set(err, LETHE_E_PARSE, "malformed IMAP response: bad separator in "
                     "sequence set '%.*s'", (int)(len > 80 ? 80 : len), s);
    if(p == end && p[-1] == ',')
      return err_set(err, LETHE_E_PARSE, "malformed IMAP response: sequence set ends in ','");
  }
  return LETHE_OK;
}

size_t imap_set_write(const uint32_t *uids, size_t n, size_t max_len, struct dynbuf *out)
{
  size_t i = 0, used = 0;
  while(i < n) {
    size_t j = i;
    char part[24];
    int len;
    while(j + 1 < n && uids[j + 1] == uids[j] + 1)
      j++;
    if(j > i)
      len = snprintf(part, sizeof(part), "%s%u:%u", i ? "," : "", uids[i], uids[j]);
    else
      len = snprintf(part, sizeof(part), "%s%u", i ? "," : "", uids[i]);
    if(used + (size_t)len > max_len) {
      if(j == i || used + 12 > max_len)
        break;
      j = i; /* the run does not fit: take its first number alone */
      len = snprintf(part, sizeof(part), "%s%u", i ? "," : "", uids[i]);
    }
    if(db_add(out, part, (size_t)len))
      break;
    used += (size_t)len;
    i = j + 1;
  }
  return i;
}

bool imap_code_number(const struct imap_resp *r, const char *name, uint32_t *out)
{
  size_t n = strlen(name);
  const char *p, *end;
  uint32_t v;
  if(!r->code || r->code_len <= n || strncasecmp(r->code, name, n) || r->code[n] != ' ')
    return false;
  p = r->code + n + 1;
  end = r->code + r->code_len;
  if(!set_number(&p, end, &v) || p != end)
    return false;
  *out = v;
  return true;
}

bool imap_caps_has(const char *text, size_t len, const char *cap)
{
  size_t n = strlen(cap);
  const char *p = text, *end = text + len;
  while(p < end) {
    const char *sp = memchr(p, ' ', (size_t)(end - p));
    size_t w = sp ? (size_t)(sp - p) : (size_t)(end - p);
    if(w == n && !strncasecmp(p, cap, n))
      return true;
    p += w + 1;
  }
  return false;
}

bool imap_keyword_valid(const char *k)
{
  if(!*k || *k == '\\' || strlen(k) > 200)
    return false;
  for(; *k; k++)
    if(*k <= 0x20 || *k >= 0x7f || strchr("(){%*\"\\]", *k))
      return false;
  return true;
}

lethe_rc imap_quote(const char *s, size_t len, struct dynbuf *out)
{
  lethe_rc rc = db_add(out, "\"", 1);
  for(size_t i = 0; i < len && !rc; i++) {
    unsigned char c = (unsigned char)s[i];
    if(!c || c == '\r' || c == '\n' || c > 0x7f)
      return LETHE_E_PARSE;
    if(c == '"' || c == '\\')
      rc = db_add(out, "\\", 1);
    if(!rc)
      rc = db_add(out, &s[i], 1);
  }
  if(!rc)
    rc = db_add(out, "\"", 1);
  return rc;
}

/* Reading one column of an events CSV. */
#include "events_column.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvfield.h"
#include "dynbuf.h"
#include "isotime.h"
#include "mail.h"
#include "slurp.h"

#define FILE_MAX (256u * 1024 * 1024)
#define FIELD_MAX 4096

struct owner {
  char *key;          /* NUL-terminated; len bytes */
  size_t len;
  char *addr;
  int64_t when;
};

struct events_column {
  struct owner *v;
  size_t n, cap;
};

struct reader {
  const char *path;
  const char *p, *end;
  int line;
  struct dynbuf field;
  struct diag *d;
};

static void next_line(struct reader *r)
{
  while(r->p < r->end && *r->p != '\n')
    r->p++;
  if(r->p < r->end)
    r->p++;
  r->line++;
}

/* Field number want of the current line into r->field (empty when the
 * line is shorter); false, with the error said, for a malformed line. */
static bool field_at(struct reader *r, size_t want)
{
  const char *p = r->p;
  for(size_t i = 0;; i++) {
    const char *msg = csv_field(&p, r->end, &r->field);
    if(msg) {
      diag_error(r->d, r->path, r->line, "%s", msg);
      return false;
    }
    if(i == want)
      return true;
    if(p >= r->end || *p != ',') {
      db_reset(&r->field);
      return true;
    }
    p++;
  }
}

static void trim_cr(struct dynbuf *b)
{
  while(b->len && (b->mem[b->len - 1] == '\r' || b->mem[b->len - 1] == ' '))
    db_truncate(b, b->len - 1);
}

/* The header's column called name: its index, or -1 (said). */
static long find_column(struct reader *r, const char *name)
{
  for(size_t i = 0; i < 64; i++) {
    if(!field_at(r, i))
      return -1;
    trim_cr(&r->field);
    if(!strcasecmp(db_str(&r->field), name))
      return (long)i;
  }
  diag_error(r->d, r->path, 1, "notify-column '%s': no such column in the header line",
             name);
  return -1;
}

static lethe_rc add_owner(struct events_column *c, const char *key, size_t len,
                          const char *addr, int64_t when)
{
  struct owner *o;
  if(c->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 64;
    struct owner *v = realloc(c->v, cap * sizeof(*v));
    if(!v)
      return LETHE_E_NOMEM;
    c->v = v;
    c->cap = cap;
  }
  o = &c->v[c->n];
  o->key = strndup(key, len);
  o->addr = o->key ? strdup(addr) : NULL;
  if(!o->addr) {
    free(o->key);
    return LETHE_E_NOMEM;
  }
  o->len = len;
  o->when = when;
  c->n++;
  return LETHE_OK;
}

/* One data line: its key, date and address. Lines events.h refuses are
 * said there; here they are passed over. */
static lethe_rc read_row(struct reader *r, struct events_column *c, size_t col,
                         struct dynbuf *key)
{
  struct lethe_err err;
  int64_t when;
  if(!field_at(r, 0) || !r->field.len)
    return LETHE_OK;
  db_reset(key);
  if(db_add(key, r->field.mem, r->field.len))
    return LETHE_E_NOMEM;
  if(!field_at(r, 1) || isotime_parse(db_str(&r->field), &when, &err))
    return LETHE_OK;
  if(!field_at(r, col))
    return LETHE_OK;
  trim_cr(&r->field);
  if(!r->field.len)
    return LETHE_OK;
  if(!mail_address_ok(db_str(&r->field))) {
    diag_warn(r->d, r->path, r->line, "'%s' is not a plain e-mail address: no notice for "
              "this row's subject goes to its owner", db_str(&r->field));
    return LETHE_OK;
  }
  return add_owner(c, key->mem, key->len, db_str(&r->field), when);
}

/* By key, then latest date first: the first of each key is the one kept. */
static int by_key_latest(const void *a, const void *b)
{
  const struct owner *x = a, *y = b;
  size_t n = x->len < y->len ? x->len : y->len;
  int cmp = memcmp(x->key, y->key, n);
  if(cmp)
    return cmp;
  if(x->len != y->len)
    return x->len < y->len ? -1 : 1;
  return x->when > y->when ? -1 : x->when < y->when;
}

static void keep_latest(struct events_column *c)
{
  size_t kept = 0;
  if(c->n)
    qsort(c->v, c->n, sizeof(*c->v), by_key_latest);
  for(size_t i = 0; i < c->n; i++) {
    if(kept && c->v[kept - 1].len == c->v[i].len &&
       !memcmp(c->v[kept - 1].key, c->v[i].key, c->v[i].len)) {
      free(c->v[i].key);
      free(c->v[i].addr);
      continue;
    }
    c->v[kept++] = c->v[i];
  }
  c->n = kept;
}

static lethe_rc read_rows(struct reader *r, struct events_column *c, const char *column)
{
  struct dynbuf key;
  lethe_rc rc = LETHE_OK;
  long col = find_column(r, column);
  if(col < 0)
    return LETHE_E_CONFIG;
  if(col < 2) {
    diag_error(r->d, r->path, 1, "notify-column '%s': the first two columns are the key "
               "and the date", column);
    return LETHE_E_CONFIG;
  }
  db_init(&key, FIELD_MAX);
  for(next_line(r); r->p < r->end && !rc; next_line(r))
    rc = read_row(r, c, (size_t)col, &key);
  db_release(&key);
  keep_latest(c);
  return rc;
}

lethe_rc events_column_load(const char *path, const char *column, struct events_column **out,
                            struct diag *d)
{
  struct reader r = { .path = path, .line = 1, .d = d };
  struct events_column *c = calloc(1, sizeof(*c));
  struct lethe_err err = { 0 };
  struct dynbuf text;
  lethe_rc rc = c ? LETHE_OK : LETHE_E_NOMEM;
  *out = NULL;
  db_init(&text, FILE_MAX);
  db_init(&r.field, FIELD_MAX);
  if(!rc && slurp_file(path, &text, &err)) {
    diag_error(d, path, 0, "%s", err.msg);
    rc = LETHE_E_CONFIG;
  }
  if(!rc) {
    r.p = text.mem ? text.mem : "";
    r.end = r.p + text.len;
    if(r.end - r.p >= 3 && !memcmp(r.p, "\xEF\xBB\xBF", 3))
      r.p += 3;
    rc = read_rows(&r, c, column);
  }
  db_release(&text);
  db_release(&r.field);
  if(rc)
    events_column_free(c);
  else
    *out = c;
  return rc;
}

const char *events_column_get(const struct events_column *c, const char *key, size_t len)
{
  size_t lo = 0, hi = c ? c->n : 0;
  struct owner want = { .key = (char *)key, .len = len, .when = INT64_MAX };
  while(lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int cmp = by_key_latest(&want, &c->v[mid]);
    if(cmp > 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  if(lo < (c ? c->n : 0) && c->v[lo].len == len && !memcmp(c->v[lo].key, key, len))
    return c->v[lo].addr;
  return NULL;
}

void events_column_free(struct events_column *c)
{
  if(!c)
    return;
  for(size_t i = 0; i < c->n; i++) {
    free(c->v[i].key);
    free(c->v[i].addr);
  }
  free(c->v);
  free(c);
}

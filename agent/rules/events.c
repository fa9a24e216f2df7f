#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvfield.h"
#include "dynbuf.h"
#include "isotime.h"

/* An events file is a finance or CRM export: large, but not gigabytes. */
#define EVENTS_MAX_BYTES (256u * 1024 * 1024)
#define FIELD_MAX 4096

struct entry {
  char *key;
  size_t len;
  int64_t when;
};

/* Open addressing with linear probing; the table is at most half full. */
struct events {
  struct entry *slots;
  size_t cap;
  size_t count;
  bool wide;         /* columns after the date are allowed (and ignored) */
};

static uint64_t hash(const char *s, size_t n)
{
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for(size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ull;
  }
  return h;
}

static struct entry *find_slot(struct entry *slots, size_t cap, const char *key, size_t len)
{
  size_t i = hash(key, len) & (cap - 1);
  while(slots[i].key && !(slots[i].len == len && !memcmp(slots[i].key, key, len)))
    i = (i + 1) & (cap - 1);
  return &slots[i];
}

static lethe_rc rehash(struct events *ev)
{
  size_t cap = ev->cap ? ev->cap * 2 : 64;
  struct entry *slots = calloc(cap, sizeof(*slots));
  if(!slots)
    return LETHE_E_NOMEM;
  for(size_t i = 0; i < ev->cap; i++)
    if(ev->slots[i].key)
      *find_slot(slots, cap, ev->slots[i].key, ev->slots[i].len) = ev->slots[i];
  free(ev->slots);
  ev->slots = slots;
  ev->cap = cap;
  return LETHE_OK;
}

static lethe_rc put(struct events *ev, const char *key, size_t len, int64_t when)
{
  struct entry *e;
  if(2 * (ev->count + 1) > ev->cap) {
    lethe_rc rc = rehash(ev);
    if(rc)
      return rc;
  }
  e = find_slot(ev->slots, ev->cap, key, len);
  if(e->key) {
    if(when > e->when)
      e->when = when;
    return LETHE_OK;
  }
  e->key = malloc(len + 1);
  if(!e->key)
    return LETHE_E_NOMEM;
  memcpy(e->key, key, len);
  e->key[len] = '\0';
  e->len = len;
  e->when = when;
  ev->count++;
  return LETHE_OK;
}

/* Parse one record at *p; report problems. *p moves past the line. */
static lethe_rc parse_line(struct events *ev, const char *path, int line, const char **p,
                           const char *end, struct dynbuf *key, struct dynbuf *date,
                           struct diag *d)
{
  const char *msg = csv_field(p, end, key);
  int64_t when;
  struct lethe_err err;
  lethe_rc rc = LETHE_OK;

  if(!msg && (*p >= end || **p != ','))
    msg = "expected two fields: key,date";
  if(!msg) {
    (*p)++;
    msg = csv_field(p, end, date);
  }
  if(!msg && *p < end && **p == ',' && !ev->wide)
    msg = "more than two fields";
  if(!msg && !key->len)
    msg = "empty key";
  if(!msg && isotime_parse(db_str(date), &when, &err)) {
    if(line == 1)
      goto next; /* a header line */
    diag_error(d, path, line, "%s", err.msg);
    goto next;
  }
  if(msg)
    diag_error(d, path, line, "%s", msg);
  else
    rc = put(ev, key->mem, key->len, when);
next:
  while(*p < end && **p != '\n')
    (*p)++;
  if(*p < end)
    (*p)++;
  return rc;
}

static bool blank(const char *p, const char *end)
{
  while(p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
    p++;
  return p >= end || *p == '\n';
}

static lethe_rc parse(const char *path, const char *text, size_t len, bool wide,
                      struct events **out, struct diag *d)
{
  struct events *ev = calloc(1, sizeof(*ev));
  struct dynbuf key, date;
  const char *p = text, *end = text + len;
  unsigned before = d->errors;
  lethe_rc rc = LETHE_OK;
  int line = 0;

  *out = NULL;
  if(!ev)
    return LETHE_E_NOMEM;
  ev->wide = wide;
  db_init(&key, FIELD_MAX);
  db_init(&date, FIELD_MAX);
  if(len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
    p += 3; /* spreadsheet programs write a byte-order mark */
  while(!rc && p < end) {
    line++;
    if(blank(p, end)) {
      while(p < end && *p++ != '\n')
        ;
      continue;
    }
    rc = parse_line(ev, path, line, &p, end, &key, &date, d);
  }
  db_release(&key);
  db_release(&date);
  if(!rc && d->errors > before)
    rc = LETHE_E_CONFIG;
  if(rc)
    events_free(ev);
  else
    *out = ev;
  return rc;
}

lethe_rc events_parse(const char *path, const char *text, size_t len, struct events **out,
                      struct diag *d)
{
  return parse(path, text, len, false, out, d);
}

static lethe_rc slurp(const char *path, char **buf, size_t *len, struct diag *d)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  struct stat st;
  ssize_t n;
  size_t got = 0;
  if(fd < 0) {
    diag_error(d, path, 0, "cannot read events file: %s", strerror(errno));
    return LETHE_E_CONFIG;
  }
  if(fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > EVENTS_MAX_BYTES) {
    diag_error(d, path, 0, "events file is not a regular file under 256 MiB");
    close(fd);
    return LETHE_E_CONFIG;
  }
  *buf = malloc((size_t)st.st_size + 1);
  if(!*buf) {
    close(fd);
    return LETHE_E_NOMEM;
  }
  while(got < (size_t)st.st_size) {
    n = read(fd, *buf + got, (size_t)st.st_size - got);
    if(n <= 0)
      break;
    got += (size_t)n;
  }
  close(fd);
  *len = got;
  return LETHE_OK;
}

static lethe_rc load(const char *path, bool wide, struct events **out, struct diag *d)
{
  char *buf = NULL;
  size_t len = 0;
  lethe_rc rc = slurp(path, &buf, &len, d);
  *out = NULL;
  if(!rc)
    rc = parse(path, buf, len, wide, out, d);
  free(buf);
  return rc;
}

lethe_rc events_load(const char *path, struct events **out, struct diag *d)
{
  return load(path, false, out, d);
}

lethe_rc events_load_wide(const char *path, struct events **out, struct diag *d)
{
  return load(path, true, out, d);
}

lethe_rc events_new(struct events **out)
{
  *out = calloc(1, sizeof(**out));
  return *out ? LETHE_OK : LETHE_E_NOMEM;
}

lethe_rc events_add(struct events *ev, const char *key, size_t len, int64_t when)
{
  return put(ev, key, len, when);
}

bool events_lookup(const struct events *ev, const char *key, size_t len, int64_t *when)
{
  const struct entry *e;
  if(!ev || !ev->cap)
    return false;
  e = find_slot(ev->slots, ev->cap, key, len);
  if(!e->key)
    return false;
  *when = e->when;
  return true;
}

size_t events_count(const struct events *ev)
{
  return ev ? ev->count : 0;
}

void events_free(struct events *ev)
{
  if(!ev)
    return;
  for(size_t i = 0; i < ev->cap; i++)
    free(ev->slots[i].key);
  free(ev->slots);
  free(ev);
}

/* The paths a purge was asked for, and matching entries against them. */
#include "purge_internal.h"

#include <stdlib.h>
#include <string.h>

void purge_set_init(struct purge_set *s)
{
  memset(s, 0, sizeof(*s));
}

void purge_set_release(struct purge_set *s)
{
  for(size_t i = 0; i < s->n; i++)
    free(s->v[i].path);
  free(s->v);
  purge_set_init(s);
}

static size_t strip_slashes(const char *path, size_t len)
{
  while(len > 1 && path[len - 1] == '/')
    len--;
  return len;
}

lethe_rc purge_set_add(struct purge_set *s, const char *path, size_t len,
                       const struct purge_expect *expect, bool exact, struct arc_err *err)
{
  struct purge_target *t;
  len = strip_slashes(path, len);
  if(len == 0)
    return arc_err_set(err, LETHE_E_USAGE, "an empty entry path cannot be purged");
  if(memchr(path, '\0', len))
    return arc_err_set(err, LETHE_E_USAGE, "an entry path cannot hold a NUL byte");
  if(s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 16;
    struct purge_target *v = realloc(s->v, cap * sizeof(*v));
    if(!v)
      return arc_err_set(err, LETHE_E_NOMEM, "out of memory");
    s->v = v;
    s->cap = cap;
  }
  t = &s->v[s->n];
  memset(t, 0, sizeof(*t));
  t->path = malloc(len + 1);
  if(!t->path)
    return arc_err_set(err, LETHE_E_NOMEM, "out of memory");
  memcpy(t->path, path, len);
  t->path[len] = '\0';
  t->len = len;
  t->exact = exact;
  if(expect) {
    t->has_expect = true;
    t->expect = *expect;
  }
  s->n++;
  s->sorted = false;
  return LETHE_OK;
}

static int cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
  int c = memcmp(a, b, alen < blen ? alen : blen);
  if(c)
    return c;
  return alen < blen ? -1 : alen > blen;
}

static int cmp_targets(const void *pa, const void *pb)
{
  const struct purge_target *a = pa, *b = pb;
  return cmp_bytes(a->path, a->len, b->path, b->len);
}

static struct purge_target *find(struct purge_set *s, const char *path, size_t len)
{
  size_t lo = 0, hi = s->n;
  while(lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = cmp_bytes(path, len, s->v[mid].path, s->v[mid].len);
    if(c == 0)
      return &s->v[mid];
    if(c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return NULL;
}

struct purge_target *purge_set_match(struct purge_set *s, const char *path, size_t len)
{
  struct purge_target *t;
  if(!s->sorted) {
    if(s->n > 1)
      qsort(s->v, s->n, sizeof(s->v[0]), cmp_targets);
    s->sorted = true;
  }
  len = strip_slashes(path, len);
  t = find(s, path, len);
  if(t)
    return t;
  /* A directory above it: every prefix ending just before a '/'. */
  for(size_t i = 1; i < len; i++) {
    if(path[i] != '/')
      continue;
    t = find(s, path, i);
    if(t && !t->exact)
      return t;
  }
  return NULL;
}

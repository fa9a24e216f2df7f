/* Distinct texts, numbered (see cert_intern.h). */
#include "cert_intern.h"

#include <stdlib.h>
#include <string.h>

void cert_intern_init(struct cert_intern *t, size_t max_bytes)
{
  memset(t, 0, sizeof(*t));
  db_init(&t->text, max_bytes);
}

static uint64_t hash(const char *s, size_t n)
{
  uint64_t h = 14695981039346656037ull; /* FNV-1a */
  for(size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

/* The slot holding s, or the empty slot where it would go. */
static size_t slot_of(const struct cert_intern *t, const char *s, size_t n)
{
  size_t i = (size_t)(hash(s, n) & (t->n_slots - 1));
  for(;;) {
    uint32_t v = t->slots[i];
    if(!v || (t->len[v - 1] == n && !memcmp(t->text.mem + t->off[v - 1], s, n)))
      return i;
    i = (i + 1) & (t->n_slots - 1);
  }
}

long cert_intern_find(const struct cert_intern *t, const char *s, size_t n)
{
  uint32_t v;
  if(!t->n_slots || !t->n)
    return -1;
  if(t->len[t->last] == n && !memcmp(t->text.mem + t->off[t->last], s, n))
    return (long)t->last;
  v = t->slots[slot_of(t, s, n)];
  return v ? (long)v - 1 : -1;
}

size_t cert_intern_size_with(const struct cert_intern *t, const char *s, size_t n)
{
  if(cert_intern_find(t, s, n) >= 0)
    return t->text.len;
  return t->text.len + (t->n ? 1 : 0) + n;
}

/* Keep the table at most half full. */
static lethe_rc grow(struct cert_intern *t)
{
  size_t n_slots = t->n_slots ? t->n_slots * 2 : 64;
  uint32_t *slots, *old = t->slots;
  size_t old_n = t->n_slots;
  if(t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 32;
    size_t *off = realloc(t->off, cap * sizeof(*off)), *len;
    if(!off)
      return LETHE_E_NOMEM;
    t->off = off;
    len = realloc(t->len, cap * sizeof(*len));
    if(!len)
      return LETHE_E_NOMEM;
    t->len = len;
    t->cap = cap;
  }
  if((t->n + 1) * 2 <= t->n_slots)
    return LETHE_OK;
  slots = calloc(n_slots, sizeof(*slots));
  if(!slots)
    return LETHE_E_NOMEM;
  t->slots = slots;
  t->n_slots = n_slots;
  for(size_t i = 0; i < old_n; i++)
    if(old[i])
      t->slots[slot_of(t, t->text.mem + t->off[old[i] - 1], t->len[old[i] - 1])] = old[i];
  free(old);
  return LETHE_OK;
}

lethe_rc cert_intern_add(struct cert_intern *t, const char *s, size_t n, size_t *index)
{
  long found = cert_intern_find(t, s, n);
  size_t mark = t->text.len;
  lethe_rc rc;
  if(found >= 0) {
    *index = t->last = (size_t)found;
    return LETHE_OK;
  }
  if(t->n >= UINT32_MAX - 1)
    return LETHE_E_RANGE;
  rc = grow(t);
  if(!rc && t->n)
    rc = db_add(&t->text, ",", 1);
  if(!rc)
    rc = db_add(&t->text, s, n);
  if(rc) {
    db_truncate(&t->text, mark);
    return rc;
  }
  t->off[t->n] = t->text.len - n;
  t->len[t->n] = n;
  t->slots[slot_of(t, s, n)] = (uint32_t)(t->n + 1);
  *index = t->last = t->n++;
  return LETHE_OK;
}

void cert_intern_reset(struct cert_intern *t)
{
  db_reset(&t->text);
  if(t->slots)
    memset(t->slots, 0, t->n_slots * sizeof(*t->slots));
  t->n = 0;
  t->last = 0;
}

void cert_intern_release(struct cert_intern *t)
{
  size_t max = t->text.max;
  db_release(&t->text);
  free(t->off);
  free(t->len);
  free(t->slots);
  cert_intern_init(t, max);
}

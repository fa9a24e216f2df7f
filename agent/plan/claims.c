#include "claims.h"

#include <stdlib.h>
#include <string.h>

static uint64_t key_of(const char *s)
{
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for(; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ull;
  }
  return h ? h : 1;
}

static struct claim *find(struct claim *slots, size_t cap, uint64_t key)
{
  size_t i = key & (cap - 1);
  while(slots[i].key && slots[i].key != key)
    i = (i + 1) & (cap - 1);
  return &slots[i];
}

long claims_owner(const struct claims *c, const char *identity)
{
  const struct claim *s;
  if(!c->cap || !*identity)
    return -1;
  s = find(c->slots, c->cap, key_of(identity));
  return s->key ? (long)s->owner : -1;
}

static lethe_rc grow(struct claims *c)
{
  size_t cap = c->cap ? c->cap * 2 : 1024;
  struct claim *slots = calloc(cap, sizeof(*slots));
  if(!slots)
    return LETHE_E_NOMEM;
  for(size_t i = 0; i < c->cap; i++)
    if(c->slots[i].key)
      *find(slots, cap, c->slots[i].key) = c->slots[i];
  free(c->slots);
  c->slots = slots;
  c->cap = cap;
  return LETHE_OK;
}

lethe_rc claims_add(struct claims *c, const char *identity, uint32_t owner)
{
  struct claim *s;
  if(!*identity)
    return LETHE_OK;
  if(2 * (c->count + 1) > c->cap) {
    lethe_rc rc = grow(c);
    if(rc)
      return rc;
  }
  s = find(c->slots, c->cap, key_of(identity));
  if(!s->key) {
    s->key = key_of(identity);
    s->owner = owner;
    c->count++;
  }
  return LETHE_OK;
}

void claims_release(struct claims *c)
{
  free(c->slots);
  memset(c, 0, sizeof(*c));
}

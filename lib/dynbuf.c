#include "dynbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void db_init(struct dynbuf *b, size_t max)
{
  b->mem = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
}

void db_release(struct dynbuf *b)
{
  free(b->mem);
  db_init(b, b->max);
}

void db_reset(struct dynbuf *b)
{
  b->len = 0;
  if(b->mem)
    b->mem[0] = '\0';
}

static lethe_rc grow(struct dynbuf *b, size_t need)
{
  size_t cap = b->cap ? b->cap : 64;
  char *mem;
  while(cap < need + 1)
    cap *= 2;
  if(cap > b->max + 1)
    cap = b->max + 1;
  mem = realloc(b->mem, cap);
  if(!mem)
    return LETHE_E_NOMEM;
  b->mem = mem;
  b->cap = cap;
  return LETHE_OK;
}

lethe_rc db_add_grow(struct dynbuf *b, const void *data, size_t n)
{
  lethe_rc rc;
  if(n > b->max - b->len)
    return LETHE_E_RANGE;
  if(b->len + n + 1 > b->cap) {
    rc = grow(b, b->len + n);
    if(rc)
      return rc;
  }
  if(n)
    memcpy(b->mem + b->len, data, n);
  b->len += n;
  b->mem[b->len] = '\0';
  return LETHE_OK;
}

lethe_rc db_adds(struct dynbuf *b, const char *s)
{
  return db_add(b, s, strlen(s));
}

lethe_rc db_vaddf(struct dynbuf *b, const char *fmt, va_list ap)
{
  char small[256];
  va_list copy;
  int n;
  char *big;
  lethe_rc rc;

  va_copy(copy, ap);
  n = vsnprintf(small, sizeof(small), fmt, copy);
  va_end(copy);
  if(n < 0)
    return LETHE_E_PARSE;
  if((size_t)n < sizeof(small))
    return db_add(b, small, (size_t)n);
  big = malloc((size_t)n + 1);
  if(!big)
    return LETHE_E_NOMEM;
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  rc = db_add(b, big, (size_t)n);
  free(big);
  return rc;
}

lethe_rc db_addf(struct dynbuf *b, const char *fmt, ...)
{
  va_list ap;
  lethe_rc rc;
  va_start(ap, fmt);
  rc = db_vaddf(b, fmt, ap);
  va_end(ap);
  return rc;
}

void db_truncate(struct dynbuf *b, size_t len)
{
  if(len < b->len) {
    b->len = len;
    b->mem[len] = '\0';
  }
}

const char *db_str(const struct dynbuf *b)
{
  return b->mem ? b->mem : "";
}

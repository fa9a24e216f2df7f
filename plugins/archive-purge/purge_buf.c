/* A growable byte buffer for the engine's records. */
#include "purge_internal.h"

#include <stdlib.h>
#include <string.h>

void purge_buf_init(struct purge_buf *b)
{
  b->p = NULL;
  b->len = 0;
  b->cap = 0;
}

void purge_buf_release(struct purge_buf *b)
{
  free(b->p);
  purge_buf_init(b);
}

lethe_rc purge_buf_reserve(struct purge_buf *b, size_t n)
{
  size_t cap = b->cap ? b->cap : 256;
  unsigned char *p;
  if(n > SIZE_MAX / 4)
    return LETHE_E_RANGE;
  if(n <= b->cap)
    return LETHE_OK;
  while(cap < n)
    cap *= 2;
  p = realloc(b->p, cap);
  if(!p)
    return LETHE_E_NOMEM;
  b->p = p;
  b->cap = cap;
  return LETHE_OK;
}

lethe_rc purge_buf_add(struct purge_buf *b, const void *data, size_t n)
{
  lethe_rc rc;
  if(n > SIZE_MAX / 4 - b->len)
    return LETHE_E_RANGE;
  rc = purge_buf_reserve(b, b->len + n);
  if(rc)
    return rc;
  if(n)
    memcpy(b->p + b->len, data, n);
  b->len += n;
  return LETHE_OK;
}

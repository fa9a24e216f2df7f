#include "strlist.h"

#include <stdlib.h>
#include <string.h>

lethe_rc strlist_add(struct strlist *l, const char *s)
{
  char *copy;
  if(l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 4;
    char **v = realloc(l->v, cap * sizeof(*v));
    if(!v)
      return LETHE_E_NOMEM;
    l->v = v;
    l->cap = cap;
  }
  copy = strdup(s);
  if(!copy)
    return LETHE_E_NOMEM;
  l->v[l->n++] = copy;
  return LETHE_OK;
}

void strlist_release(struct strlist *l)
{
  for(size_t i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
  l->v = NULL;
  l->n = 0;
  l->cap = 0;
}

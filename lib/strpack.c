#include "strpack.h"

#include <stdlib.h>
#include <string.h>

lethe_rc strpack(const char **const fields[], size_t n, char **block)
{
  size_t total = 1;
  char *p;
  for(size_t i = 0; i < n; i++)
    total += *fields[i] ? strlen(*fields[i]) + 1 : 0;
  *block = p = malloc(total);
  if(!p)
    return LETHE_E_NOMEM;
  for(size_t i = 0; i < n; i++) {
    size_t len;
    if(!*fields[i])
      continue;
    len = strlen(*fields[i]) + 1;
    memcpy(p, *fields[i], len);
    *fields[i] = p;
    p += len;
  }
  return LETHE_OK;
}

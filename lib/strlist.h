/* A growable list of owned C strings. */
#ifndef LETHE_STRLIST_H
#define LETHE_STRLIST_H

#include <stddef.h>
#include "err.h"

struct strlist {
  char **v;
  size_t n;
  size_t cap;
};

/* Append a copy of s. */
lethe_rc strlist_add(struct strlist *l, const char *s) WUR;

/* Free every string and the list. */
void strlist_release(struct strlist *l);

#endif

/* Packing a record's strings into one allocation, so that a record read
 * from a parsed line (whose strings the parser owns) can outlive it. */
#ifndef LETHE_STRPACK_H
#define LETHE_STRPACK_H

#include <stddef.h>

#include "err.h"

/* Copy each string *fields[i] (NULL ones stay NULL) into one new block
 * stored in *block, and point *fields[i] at its copy. The caller frees
 * *block. On LETHE_E_NOMEM the fields are unchanged and *block is NULL. */
lethe_rc strpack(const char **const fields[], size_t n, char **block) WUR;

#endif

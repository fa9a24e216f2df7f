/* A growable byte buffer with a hard maximum (after curl's dynbuf).
 *
 * The buffer is always NUL-terminated when it holds anything, so db_str() can
 * be handed to string functions; its length does not count the NUL. Growing
 * never moves memory the caller holds a pointer into except through db_str(),
 * which must be fetched again after each append. */
#ifndef LETHE_DYNBUF_H
#define LETHE_DYNBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include "err.h"

struct dynbuf {
  char *mem;
  size_t len;   /* bytes in use, not counting the NUL */
  size_t cap;   /* bytes allocated */
  size_t max;   /* len may never exceed this */
};

/* Initialise an empty buffer that may hold up to max bytes. */
void db_init(struct dynbuf *b, size_t max);

/* Free the memory and re-initialise with the same max. */
void db_release(struct dynbuf *b);

/* Empty the buffer, keeping its memory. */
void db_reset(struct dynbuf *b);

/* db_add's way when the bytes do not fit in the memory already there. */
lethe_rc db_add_grow(struct dynbuf *b, const void *data, size_t n) WUR;

/* Append n bytes. LETHE_E_RANGE if max would be exceeded (nothing is added),
 * LETHE_E_NOMEM if memory runs out. Inline: reports append a few bytes at a
 * time, millions of times, and the common case is one copy. */
static inline WUR lethe_rc db_add(struct dynbuf *b, const void *data, size_t n)
{
  if(b->cap - b->len > n && n <= b->max - b->len) {
    if(n)
      memcpy(b->mem + b->len, data, n);
    b->len += n;
    b->mem[b->len] = '\0';
    return LETHE_OK;
  }
  return db_add_grow(b, data, n);
}

/* Append a NUL-terminated string. */
lethe_rc db_adds(struct dynbuf *b, const char *s) WUR;

/* Append printf-style text. */
lethe_rc db_addf(struct dynbuf *b, const char *fmt, ...) PRINTF(2, 3) WUR;
lethe_rc db_vaddf(struct dynbuf *b, const char *fmt, va_list ap) WUR;

/* Cut the buffer back to len bytes (len <= current length). */
void db_truncate(struct dynbuf *b, size_t len);

/* The contents as a C string ("" when empty). */
const char *db_str(const struct dynbuf *b);

#endif

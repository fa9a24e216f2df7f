/* A small streaming JSON writer whose output is byte for byte what json-c
 * writes with JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, so a
 * plan written fast with it and read back with json-c hashes the same.
 * Keys are written in the order given: callers give them sorted. */
#ifndef LETHE_JSONW_H
#define LETHE_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include "dynbuf.h"

struct jsonw {
  struct dynbuf *out;
  bool need_comma;
  lethe_rc rc;        /* the first error; every later call does nothing */
};

/* Start writing into out (appending). */
void jsonw_init(struct jsonw *w, struct dynbuf *out);

void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
/* A key; the value follows with one of the calls below. */
void jsonw_key(struct jsonw *w, const char *key);
/* The same for a key that is a string literal needing no escape: written
 * with its quotes and colon in one piece, with no strlen and no escaping
 * (a plan writes fifteen keys per entry). */
#define JSONW_KEY(w, literal) jsonw_key_quoted((w), "\"" literal "\":", sizeof(literal) + 2)
void jsonw_key_quoted(struct jsonw *w, const char *quoted, size_t len);
void jsonw_string(struct jsonw *w, const char *s);   /* NULL writes null */
void jsonw_string_len(struct jsonw *w, const char *s, size_t len);
void jsonw_null(struct jsonw *w);
void jsonw_u64(struct jsonw *w, uint64_t v);
void jsonw_i64(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, bool v);
/* A value already in JSON form (an object a plugin wrote, parsed and
 * re-serialised by the caller), appended as it is. */
void jsonw_raw(struct jsonw *w, const char *json, size_t len);

/* Append s[0..len) escaped as json-c escapes a string's content. */
lethe_rc jsonw_escape(struct dynbuf *out, const char *s, size_t len) WUR;

#endif

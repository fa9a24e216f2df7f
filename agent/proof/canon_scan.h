/* A JSON document read as it streams, in pieces of any size, in memory
 * bounded by its nesting and its longest string, never by its length: the
 * reader of certificates of any size (lethe verify, lethe show, the
 * deleted:RULE clock).
 *
 * Strict, it also checks that the bytes are the canonical form canon.h
 * writes (a document is then canonical exactly when canonical_json() of its
 * parse gives the same bytes, followed by one LF): no white space, keys in
 * ascending byte order and never twice, only the escapes canon_string
 * writes, valid UTF-8, integers without leading zeros, fractions as %.17g.
 * Lenient, it reads any JSON (RFC 8259) document, white space and \uXXXX
 * escapes included, so that a certificate someone pretty-printed still
 * shows.
 *
 * The caller hears of every value through a callback, in document order. */
#ifndef LETHE_CANON_SCAN_H
#define LETHE_CANON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "canon.h"
#include "dynbuf.h"

/* Longest string or number, and longest captured value. */
#define CANON_TOKEN_MAX (4u * 1024 * 1024)
#define CANON_CAPTURE_MAX (16u * 1024 * 1024)

enum canon_type {
  CANON_OBJECT,               /* '{': the object's members follow */
  CANON_OBJECT_END,
  CANON_ARRAY,
  CANON_ARRAY_END,
  CANON_KEY,                  /* a member's name; its value follows */
  CANON_STRING,
  CANON_NUMBER,
  CANON_TRUE,
  CANON_FALSE,
  CANON_NULL,
};

struct canon_event {
  enum canon_type type;
  unsigned depth;             /* the value's: 0 for the document, 1 for its
                                 members or elements...; a KEY has its value's */
  size_t index;               /* the value's position among its siblings */
  const char *text;           /* KEY, STRING: decoded, NUL-terminated (may hold
                                 a NUL of its own: use len); NUMBER: as written */
  size_t len;
  const char *raw;            /* OBJECT_END, ARRAY_END of a captured value:
                                 its bytes as written, brackets included */
  size_t raw_len;
};

typedef lethe_rc (*canon_event_fn)(void *ctx, const struct canon_event *ev);

struct canon_frame {
  bool object;
  size_t count;               /* values so far */
  struct dynbuf last_key;     /* strict: the previous member's name */
};

struct canon_scan {
  canon_event_fn fn;
  void *ctx;
  bool strict;
  int state;                  /* canon_scan.c's enum */
  int after_string;           /* where a finished string goes: key or value */
  unsigned depth;             /* open containers */
  struct canon_frame frames[CANON_DEPTH_MAX + 2];
  struct dynbuf token;        /* the string (decoded) or number being read */
  char literal[8];            /* "true", "false" or "null" being matched */
  size_t literal_at;
  uint32_t unicode;           /* lenient \uXXXX: the code unit so far */
  uint32_t high_surrogate;    /* lenient: a \uD800-\uDBFF waiting for its pair */
  int hex_left;               /* digits left in \uXXXX */
  bool capturing;
  unsigned capture_depth;     /* the depth of the value being captured */
  struct dynbuf capture;
  uint64_t offset;            /* bytes read so far */
  char why[200];              /* what was wrong, for LETHE_E_PARSE */
};

/* Start reading a document; fn hears of each value. */
void canon_scan_init(struct canon_scan *s, bool strict, canon_event_fn fn, void *ctx);

/* Read the next n bytes. LETHE_E_PARSE when they break JSON (or, strict,
 * the canonical form): canon_scan_why() says where and how; any other code
 * fn returned stops the reading and is returned as it is. */
lethe_rc canon_scan_feed(struct canon_scan *s, const void *data, size_t n) WUR;

/* The document ends here: LETHE_E_PARSE unless one whole value was read
 * (strict: followed by exactly one LF; lenient: by white space only). */
lethe_rc canon_scan_finish(struct canon_scan *s) WUR;

/* Called by fn on an OBJECT or ARRAY event: keep the bytes of that value,
 * handed to fn with its closing event (at most CANON_CAPTURE_MAX). */
void canon_scan_capture(struct canon_scan *s);

/* "byte N: what was wrong", after LETHE_E_PARSE. */
const char *canon_scan_why(const struct canon_scan *s);

void canon_scan_release(struct canon_scan *s);

#endif

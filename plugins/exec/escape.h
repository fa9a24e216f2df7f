/* Text the exec plugin hands to a command or writes into an outcome: a
 * growable buffer with a hard maximum, a JSON string writer for byte strings
 * that need not be UTF-8, and a one-line sanitizer for a command's stderr. */
#ifndef EXEC_ESCAPE_H
#define EXEC_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* A byte buffer that grows up to max bytes and is always NUL-terminated
 * once anything has been added. */
struct esc_buf {
  char *p;
  size_t len;
  size_t cap;
  size_t max;
};

/* An empty buffer that will refuse to grow beyond max bytes. */
void esc_buf_init(struct esc_buf *b, size_t max);

/* Free the memory and return the buffer to the empty state. */
void esc_buf_release(struct esc_buf *b);

/* Append n bytes; the buffer is NUL-terminated after them. Returns 0, or -1
 * (and leaves the buffer as it was) when memory runs out or max would be
 * exceeded. */
int esc_buf_add(struct esc_buf *b, const void *s, size_t n) WUR;

/* Append a NUL-terminated string. Same return as esc_buf_add. */
int esc_buf_adds(struct esc_buf *b, const char *s) WUR;

/* Append s as a quoted JSON string, or `null` when s is NULL.
 *
 * File names may hold any byte but NUL, while JSON text is UTF-8, so:
 * `"` and `\` are backslash-escaped; control bytes (0x00-0x1f) and DEL are
 * written as \u00XX; valid UTF-8 sequences are copied as they are; and every
 * byte that is not part of a valid UTF-8 sequence (a stray 0xff, a truncated
 * or overlong sequence, an encoded surrogate) is written as \u00XX of the
 * byte itself. The last rule keeps the output valid JSON but is not
 * reversible: a lone byte 0xff and the character U+00FF (bytes c3 bf) both
 * decode to U+00FF. A command that needs the exact bytes of a name reads
 * them from the environment (LETHE_PATH), which carries them unchanged.
 * Same return as esc_buf_add. */
int esc_json_str(struct esc_buf *b, const char *s) WUR;

/* The length of the valid UTF-8 sequence at s (n bytes available), or 0 when
 * s does not start one. Overlong forms, surrogates and code points above
 * U+10FFFF are not valid. */
size_t esc_utf8_len(const unsigned char *s, size_t n);

/* Write the n bytes at s into out (outlen bytes, always NUL-terminated) as
 * one line of printable text for a message: line breaks and tabs become
 * spaces, other control bytes and invalid UTF-8 become '?', runs of spaces
 * shrink to one and leading and trailing spaces go. When cut is set the
 * bytes are the end of something longer: "..." is put in front and bytes of
 * a character whose beginning was cut off are dropped. */
void esc_line(const char *s, size_t n, bool cut, char *out, size_t outlen);

#endif

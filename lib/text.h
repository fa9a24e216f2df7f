/* Small text helpers for reports. */
#ifndef LETHE_TEXT_H
#define LETHE_TEXT_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "dynbuf.h"

/* Append s[0..len) to out with every byte that is not part of valid UTF-8,
 * and every control character, replaced by '?': file names are bytes, but a
 * report must be valid UTF-8 text that cannot move a terminal's cursor. */
lethe_rc text_add_printable(struct dynbuf *out, const char *s, size_t len) WUR;

/* Write v in decimal at p, as printf's "%" PRIu64 / "%" PRId64 would but
 * without parsing a format (a plan writes several numbers per item); no NUL.
 * Return the end. p needs room for 20 digits and a sign. */
char *text_put_u64(char *p, uint64_t v);
char *text_put_i64(char *p, int64_t v);

/* Write s to f HTML-escaped (& < > " '), for text and attribute values. */
void text_put_html(FILE *f, const char *s);

/* The same, appended to out. */
lethe_rc text_add_html(struct dynbuf *out, const char *s) WUR;

/* "0 B", "999 B", "1.0 KiB", "3.4 GiB" into buf (at least 16 bytes). */
void text_size(uint64_t bytes, char *buf);

#endif

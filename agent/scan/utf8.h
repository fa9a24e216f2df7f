/* UTF-8 checks and the Latin-1 fallback for text that is not UTF-8. */
#ifndef LETHE_SCAN_UTF8_H
#define LETHE_SCAN_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at p (1 to 4), 0 if p[0..n) starts
 * with an invalid sequence, or -1 if it starts with a valid but incomplete
 * one that more bytes could finish. */
int utf8_seq(const unsigned char *p, size_t n);

/* Bytes at the start of p[0..n) that are valid UTF-8 (fast on ASCII).
 * Stops at the first invalid or incomplete sequence. */
size_t utf8_valid(const unsigned char *p, size_t n);

/* Write p[0..n) to out as UTF-8, taking each byte that does not start a
 * valid sequence as a Latin-1 character. out must hold 2 * n bytes. When
 * `more` is set, an incomplete sequence at the very end is not converted:
 * *used tells how many input bytes were. Returns the bytes written. */
size_t utf8_from_mixed(const unsigned char *p, size_t n, int more, unsigned char *out,
                       size_t *used);

#endif

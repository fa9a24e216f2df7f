/* Percent-encoding for the URIs Lethe prints and reads. */
#ifndef LETHE_URI_H
#define LETHE_URI_H

#include <stddef.h>
#include "dynbuf.h"

/* Append the percent-decoded form of text to out. LETHE_E_PARSE if a '%' is
 * not followed by two hex digits or the result would hold a NUL byte. */
lethe_rc uri_decode(const char *text, struct dynbuf *out) WUR;

/* Append path[0..len) percent-encoded for a URI path: unreserved characters,
 * '/' and the sub-delimiters stay, everything else (spaces, '%', control
 * bytes, bytes >= 0x80) becomes %XX, so any file name round-trips and the
 * result is printable ASCII. */
lethe_rc uri_encode_path(const char *path, size_t len, struct dynbuf *out) WUR;

#endif

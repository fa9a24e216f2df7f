/* One field of a CSV record (RFC 4180 quoting), for the small CSV files
 * Lethe reads: events files and the attestation roster. One record per
 * line: a quoted field may not span lines, so line numbers stay true. */
#ifndef LETHE_CSVFIELD_H
#define LETHE_CSVFIELD_H

#include "dynbuf.h"

/* Read the field starting at *p (before end) into out (replacing its
 * contents). Returns NULL on success, leaving *p at the ',' or line end
 * after the field; otherwise a message for people ("unterminated quoted
 * field", "text after a closing quote", "quote inside an unquoted field",
 * "field too long"). */
const char *csv_field(const char **p, const char *end, struct dynbuf *out);

#endif

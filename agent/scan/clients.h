/* The organisation's client-name list, compiled to one PCRE2 pattern.
 *
 * The list is UTF-8 text, one name per line; blank lines and lines whose
 * first non-blank character is '#' are ignored, and so are leading and
 * trailing blanks. A name matches case-insensitively (Unicode case folding),
 * on word boundaries, with any run of one to three white-space characters
 * where the name has a space ("Acme Ltd" matches "ACME\nLtd"). */
#ifndef LETHE_SCAN_CLIENTS_H
#define LETHE_SCAN_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include "scan_internal.h"

struct clients;
struct clients_match;

/* Load the list from the file at path (opened without following a symlink,
 * at most 16 MiB) or, when path is NULL, from text. *out is NULL when the
 * list holds no name. Errors name the line. */
lethe_rc clients_load(const char *path, const char *text, struct clients **out,
                      char *err, size_t errlen) WUR;

/* Free a list (NULL is fine). */
void clients_free(struct clients *c);

/* The names as loaded, sorted and without duplicates, each followed by
 * '\n': what the rules hash covers. */
const char *clients_canonical(const struct clients *c, size_t *len);

/* Per-scan match state (PCRE2 match data); LETHE_E_NOMEM on failure. */
lethe_rc clients_match_new(const struct clients *c, struct clients_match **out) WUR;
void clients_match_free(struct clients_match *m);

/* Find the first name at or after `from` in s[0..len) (bytes before `from`
 * serve as context for the word boundary). True with [*ms, *me) if found. */
bool clients_find(const struct clients *c, struct clients_match *m, const unsigned char *s,
                  size_t len, size_t from, size_t *ms, size_t *me);

#endif

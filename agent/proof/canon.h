/* Canonical JSON, the form whose bytes certificates sign, hash and chain
 * (lethe-certificate(5), FORMAT): no white space; object keys sorted by
 * their UTF-8 bytes at every level; strings valid UTF-8 (an invalid byte
 * becomes U+FFFD), with '"' and '\' escaped, \b \f \n \r \t for those
 * controls, \u00xx (lower-case hex) for the other controls, everything else
 * as is; integers in decimal; 17 significant digits for a number with a
 * fraction (only a plugin's detail has one).
 *
 * Writing: the pieces below, for writers that put keys in order
 * themselves, and canonical_json() for a json-c value of unknown order.
 * Checking a document as it streams: canon_scan.h. */
#ifndef LETHE_CANON_H
#define LETHE_CANON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "dynbuf.h"

/* Deepest nesting canonical_json and the scanner accept (the document is 0). */
#define CANON_DEPTH_MAX 64
/* Hex SHA-256 and its NUL. */
#define SHA256_HEX_LEN 65

/* Append s[0..n) as a canonical JSON string, quotes included. */
lethe_rc canon_string(struct dynbuf *out, const char *s, size_t n) WUR;

/* The same for a C string; NULL appends null. */
lethe_rc canon_str(struct dynbuf *out, const char *s) WUR;

/* Append "\"key\":" (key written as canon_string writes it). */
lethe_rc canon_key(struct dynbuf *out, const char *key) WUR;

/* Append a number, or true/false. */
lethe_rc canon_u64(struct dynbuf *out, uint64_t v) WUR;
lethe_rc canon_bool(struct dynbuf *out, bool v) WUR;

/* Append the canonical form of any JSON value (no final LF) to out.
 * LETHE_E_RANGE if it nests deeper than CANON_DEPTH_MAX levels. */
lethe_rc canonical_json(struct json_object *v, struct dynbuf *out) WUR;

/* Length of the well-formed UTF-8 sequence at p (at most n bytes), or 0
 * when the bytes there are not UTF-8 (overlong forms, surrogates and values
 * past U+10FFFF are not). */
size_t canon_utf8_len(const unsigned char *p, size_t n);

/* The hex SHA-256 of len bytes into hex (SHA256_HEX_LEN bytes). */
void sha256_hex(const void *data, size_t len, char *hex);

/* The same for the concatenation of n pieces. */
void sha256_hex_iov(const struct iovec *v, size_t n, char *hex);

/* A digest's bytes as lower-case hex into hex (2 * n + 1 bytes). */
void canon_hex(const unsigned char *digest, size_t n, char *hex);

#endif

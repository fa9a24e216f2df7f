/* Secrets for mailbox servers: a password, or an OAuth2 bearer token.
 *
 * They are read from a file that must be a regular file (not a symlink) and
 * not readable or writable by group or others (DESIGN.md invariant 8), and
 * kept in a fixed buffer that credentials_wipe() clears with explicit_bzero.
 * Nothing here prints or logs a secret; error messages name the file only.
 *
 * File format: one line. "bearer:TOKEN" is an OAuth2 access token (sent with
 * SASL XOAUTH2); anything else is the password, taken as is. A final LF (or
 * CRLF) is not part of it. */
#ifndef LETHE_CREDENTIALS_H
#define LETHE_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Long enough for the access tokens Microsoft Entra ID issues (2 to 4 KiB). */
#define CREDENTIALS_MAX 16384

struct credentials {
  bool bearer;                   /* secret is an OAuth2 access token */
  size_t len;
  char secret[CREDENTIALS_MAX + 1]; /* NUL-terminated */
};

/* Read the file at path into c. LETHE_E_UNSAFE if it is group- or
 * world-accessible, a symlink or not a regular file; LETHE_E_IO if it cannot
 * be read; LETHE_E_CONFIG if it is empty, too long, holds a NUL or more than
 * one line. c is wiped on any failure. */
lethe_rc credentials_read(const char *path, struct credentials *c, struct lethe_err *err) WUR;

/* The same checks and bounds as credentials_read, but the file is taken as
 * it is (several lines allowed, no "bearer:" prefix read): for files with a
 * format of their own (the Graph credentials file, a PEM private key).
 * c->secret holds the c->len bytes read, NUL-terminated. LETHE_E_CONFIG if
 * it is empty, too long or holds a NUL byte. c is wiped on any failure. */
lethe_rc credentials_read_raw(const char *path, struct credentials *c,
                              struct lethe_err *err) WUR;

/* Clear the secret from memory. */
void credentials_wipe(struct credentials *c);

#endif

/* Authenticating an IMAP session with the secret from a credentials file:
 * SASL XOAUTH2 for a bearer token, else AUTHENTICATE PLAIN where offered,
 * else LOGIN. imap_open.c uses this when it opens a session. */
#ifndef LETHE_IMAP_AUTH_H
#define LETHE_IMAP_AUTH_H

#include "imap_conn.h"

/* Read the credentials file, authenticate as user, wipe the secret. A refusal
 * by the server gives LETHE_E_PROTOCOL naming the mechanism, never the
 * secret. */
lethe_rc imap_auth_login(struct imap_conn *c, const char *user, const char *credentials,
                         struct lethe_err *err) WUR;

#endif

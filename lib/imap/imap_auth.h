/* Authenticating an IMAP session with the secret from a credentials file:
 * SASL XOAUTH2 for a bearer token, else AUTHENTICATE PLAIN where offered,
 * else LOGIN. Only imap_conn.c uses this. */
#ifndef LETHE_IMAP_AUTH_H
#define LETHE_IMAP_AUTH_H

#include "imap_conn.h"

/* Read the credentials file, authenticate as user, wipe the secret. A refusal
 * by the server gives LETHE_E_PROTOCOL naming the mechanism, never the
 * secret. */
lethe_rc imap_auth_login(struct imap_conn *c, const char *user, const char *credentials,
                         struct lethe_err *err) WUR;

/* Lower-level steps of imap_conn.c that authentication needs. */

/* Send a tagged command line (wiped after sending) without waiting. */
lethe_rc imap_conn_start(struct imap_conn *c, const char *text, size_t n,
                         struct lethe_err *err) WUR;

/* Send a continuation line (wiped after sending). */
lethe_rc imap_conn_send_line(struct imap_conn *c, const char *line, size_t n,
                             struct lethe_err *err) WUR;

/* Read responses until a continuation request (r->kind IMAP_CONTINUE,
 * LETHE_OK) or the command's tagged response (its status as
 * imap_command gives it). */
lethe_rc imap_conn_await(struct imap_conn *c, const char *verb, struct imap_resp *r,
                         struct lethe_err *err) WUR;

#endif

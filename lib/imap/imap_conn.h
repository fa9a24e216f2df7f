/* An IMAP session over libcurl.
 *
 * libcurl connects (TLS on imaps://, STARTTLS required on imap:// unless the
 * rule says tls = none on a loopback host) and reads the greeting, with
 * CURLOPT_CONNECT_ONLY; from there Lethe speaks IMAP itself through
 * curl_easy_send/curl_easy_recv: libcurl's own IMAP commands neither take a
 * UID set nor report per-message outcomes, and Lethe authenticates itself
 * so that the secret lives only in a buffer it wipes.
 *
 * Replies are read with hard bounds: a line, a literal, and a whole response
 * each have a maximum; beyond one the session is marked broken with a clear
 * error (the rest of the reply cannot be skipped safely). A broken session
 * refuses every further command. */
#ifndef LETHE_IMAP_CONN_H
#define LETHE_IMAP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynbuf.h"
#include "err.h"
#include "imap_parse.h"
#include "imap_url.h"

#define IMAP_LINE_MAX (64 * 1024)          /* one line of a reply, literals apart */
#define IMAP_LITERAL_DEFAULT (1024 * 1024) /* a literal, unless the caller allows more */
#define IMAP_RESP_DEFAULT (4 * 1024 * 1024) /* a whole response, literals included */
#define IMAP_TIMEOUT_MS 120000             /* silence from the server before giving up */

struct imap_conn {
  void *curl;                 /* CURL * */
  long sock;                  /* curl_socket_t */
  struct dynbuf in;           /* bytes received, from in_off on not yet consumed */
  size_t in_off;
  struct dynbuf resp;         /* the response being read */
  struct dynbuf cmd;          /* the command being sent; wiped after each */
  unsigned tag;
  struct dynbuf caps;         /* the last CAPABILITY list */
  size_t literal_max;         /* bounds for the next responses */
  size_t resp_max;
  int timeout_ms;
  bool broken;
  char broken_why[512];
};

/* How to reach the server. */
struct imap_opts {
  bool tls_none;              /* rule setting tls = none (loopback hosts only) */
  const char *credentials;    /* path of the credentials file */
};

/* Called with each untagged response while a command runs. Return non-zero
 * (with a message in err) to stop: the command's tagged response is still
 * read, and that code is returned. */
typedef lethe_rc (*imap_untagged_fn)(void *ctx, const struct imap_resp *r,
                                     struct lethe_err *err);

/* Connect to u's server, read the capabilities, authenticate with the
 * credentials file (the secret is read, sent and wiped), and read the
 * capabilities again. On failure c is released. (imap_open.c) */
lethe_rc imap_conn_open(struct imap_conn *c, const struct imap_url *u,
                        const struct imap_opts *o, struct lethe_err *err) WUR;

/* Only the connection of imap_conn_open: TCP, TLS as o says, the greeting. */
lethe_rc imap_conn_connect(struct imap_conn *c, const struct imap_url *u,
                           const struct imap_opts *o, struct lethe_err *err) WUR;

/* Log out (best effort, briefly) and free everything. Safe on a released or
 * zeroed conn. */
void imap_conn_close(struct imap_conn *c);

/* Whether the server announced capability cap (case-insensitive). */
bool imap_conn_has_cap(const struct imap_conn *c, const char *cap);

/* Send one command (printf-style, without tag and CRLF) and read responses
 * up to its tagged one, handing each untagged response to fn (may be NULL).
 * A tagged NO or BAD gives LETHE_E_PROTOCOL with the server's text; *status
 * (may be NULL) gets the tagged status. A dropped connection, a reply over
 * the bounds or a malformed reply breaks the session (LETHE_E_IO,
 * LETHE_E_RANGE or LETHE_E_PARSE). The message names only the command's
 * first word, never its arguments. */
lethe_rc imap_command(struct imap_conn *c, imap_untagged_fn fn, void *ctx,
                      enum imap_status *status, struct lethe_err *err, const char *fmt, ...)
  PRINTF(6, 7) WUR;

/* What SELECT or EXAMINE says of a mailbox. */
struct imap_mailbox {
  uint32_t uidvalidity;
  uint32_t exists;            /* messages in it */
  bool has_uidnext;
  uint32_t uidnext;           /* every UID in it is below this */
};

/* SELECT (readonly false) or EXAMINE (readonly true) the UTF-8 mailbox name.
 * LETHE_E_PROTOCOL if the server refuses or gives no UIDVALIDITY. */
lethe_rc imap_conn_select(struct imap_conn *c, const char *mailbox, bool readonly,
                          struct imap_mailbox *mb, struct lethe_err *err) WUR;

/* Whether the UTF-8 mailbox name exists, by LIST (cheaper than SELECT, which
 * makes the server synchronise the whole folder). */
lethe_rc imap_conn_exists(struct imap_conn *c, const char *mailbox, bool *exists,
                          struct lethe_err *err) WUR;

/* Allow literals of up to literal_max bytes and responses of up to resp_max
 * (for BODY[] of large messages); both are hard bounds. */
void imap_conn_limits(struct imap_conn *c, size_t literal_max, size_t resp_max);

/* Whether host names the local machine (127.0.0.0/8, ::1, localhost). */
bool imap_host_is_loopback(const char *host);

/* The shared reading and writing below imap_command, for tests: feed bytes
 * as if the server had sent them and read one response with the bounds. */
lethe_rc imap_conn_feed(struct imap_conn *c, const void *data, size_t n) WUR;
lethe_rc imap_conn_read(struct imap_conn *c, struct imap_resp *r, struct lethe_err *err) WUR;

/* Set up c without a server (for imap_conn_feed). */
void imap_conn_init(struct imap_conn *c);

/* Lower-level steps that authentication (imap_auth.c) needs. */

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

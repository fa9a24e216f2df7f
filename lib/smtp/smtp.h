/* Sending e-mail over SMTP with libcurl: one message to one or more
 * recipients per call.
 *
 * smtps:// is TLS from the first byte; smtp:// must upgrade with STARTTLS
 * (the server refusing it is an error), unless tls_none is set, which only
 * a loopback host may use (a local relay, the tests). The server's
 * certificate is always verified, against ca_file when given, else the
 * system's authorities.
 *
 * With a user, the password comes from a credentials file (credentials.h:
 * mode 0600, one line), read just before the transfer and wiped just
 * after. libcurl keeps its own copy for the length of the transfer and
 * frees it when the handle goes; nothing here prints or logs it, and error
 * messages name the server and the file, never the secret. */
#ifndef LETHE_SMTP_H
#define LETHE_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct smtp_server {
  const char *url;            /* smtp://host[:port] or smtps://host[:port] */
  const char *user;           /* NULL: no authentication */
  const char *credentials;    /* the password file, when user is set */
  const char *ca_file;        /* NULL: the system's certificate authorities */
  bool tls_none;              /* smtp:// without TLS: loopback hosts only */
  long timeout_s;             /* 0: 60 seconds */
};

/* Check the server settings without connecting: the URL's scheme and host,
 * tls_none only for a loopback host, credentials named with a user.
 * LETHE_E_CONFIG with the reason. */
lethe_rc smtp_check(const struct smtp_server *s, struct lethe_err *err) WUR;

/* Send msg[0..len) (a complete RFC 5322 message with CRLF line ends, as
 * mail_compose makes it) from the envelope address from to each of the n
 * addresses in rcpt. LETHE_E_IO when the server cannot be reached or
 * refuses (the message says which and why), LETHE_E_UNSAFE or LETHE_E_IO
 * for an unusable credentials file. */
lethe_rc smtp_send(const struct smtp_server *s, const char *from, const char *const *rcpt,
                   size_t n, const char *msg, size_t len, struct lethe_err *err) WUR;

#endif

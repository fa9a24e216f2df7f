/* Composing a plain-text e-mail (RFC 5322, UTF-8 body) for smtp_send,
 * optionally with one attachment (multipart/mixed, the file in base64).
 *
 * Header values never carry a line break from their input: a CR or LF in a
 * name or subject becomes a space, so nothing read from a roster or a
 * ledger can add a header. Names and subjects that are not ASCII are
 * encoded as RFC 2047 words. */
#ifndef LETHE_MAIL_H
#define LETHE_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynbuf.h"

struct mail_address {
  const char *name;           /* display name, or NULL */
  const char *addr;           /* local@domain */
};

struct mail {
  struct mail_address from;
  const struct mail_address *to;
  size_t n_to;
  const char *subject;
  const char *body;           /* UTF-8 text, lines ending in LF */
  int64_t date;               /* seconds since the epoch */
  const char *attachment;     /* one attached file's bytes, or NULL */
  size_t attachment_len;
  const char *attachment_name; /* its file name: printable ASCII, no quote */
  const char *attachment_type; /* its media type, e.g. "text/html; charset=utf-8" */
};

/* Whether addr is a plain address lethe will send to: local@domain, no
 * white space, control characters, quotes, angle brackets or commas. */
bool mail_address_ok(const char *addr);

/* Append the message (headers, a blank line, the body with CRLF line ends)
 * to out. The Message-ID is random, on the sender's domain. With an
 * attachment the body is the first part of a multipart/mixed message and
 * the attachment the second, in base64 lines of 76 characters.
 * LETHE_E_PARSE for an address mail_address_ok refuses, or an attachment
 * name or type that could break its header. */
lethe_rc mail_compose(const struct mail *m, struct dynbuf *out) WUR;

#endif

/* The dates of a message: the IMAP INTERNALDATE (when the server received
 * it) and the Date: header (when the sender says it was written), each
 * turned into seconds since the epoch, UTC, to the second. Also finding a
 * header field in the header block a FETCH returned. */
#ifndef LETHE_IMAP_DATE_H
#define LETHE_IMAP_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynbuf.h"
#include "err.h"

/* Parse an INTERNALDATE (RFC 3501 date-time without its quotes):
 * "17-Jul-1996 02:44:25 -0700", the day possibly space-padded (" 7-Jul-...").
 * LETHE_E_PARSE with a message otherwise. */
lethe_rc imap_date_internal(const char *s, size_t len, int64_t *out,
                            struct lethe_err *err) WUR;

/* Parse an RFC 5322 date-time as found in a Date: header, obsolete forms
 * included: an optional day of the week, comments, folding white space,
 * optional seconds, two- and three-digit years, and the named zones (UT, GMT,
 * EST ... PDT; military letters count as +0000, as RFC 5322 4.3 says).
 * LETHE_E_PARSE with a message when no time zone or no valid date is found. */
lethe_rc imap_date_rfc5322(const char *s, size_t len, int64_t *out,
                           struct lethe_err *err) WUR;

/* Find header field name (case-insensitive) in the header block
 * hdr[0..len) and append its value, unfolded and with surrounding white space
 * removed, to out. LETHE_E_NOTFOUND if there is none; the first one wins. */
lethe_rc imap_header_field(const char *hdr, size_t len, const char *name,
                           struct dynbuf *out) WUR;

/* The SHA-256 (lower-case hex, 64 characters and a NUL, into hex) of the
 * Message-ID field of the header block hdr[0..len), unfolded and trimmed;
 * scratch is a buffer for the field. false (hex empty) if there is none. */
bool imap_message_id_sha256(const char *hdr, size_t len, struct dynbuf *scratch, char hex[65]);

/* Write t as the asctime-style date of an mbox "From " line
 * ("Thu Nov 22 12:00:00 2026") into buf (at least 25 bytes), UTC. */
void imap_date_asctime(int64_t t, char *buf);

#endif

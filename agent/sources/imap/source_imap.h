/* The imap:// and imaps:// source: the messages of one mailbox folder.
 *
 * Scanning opens the folder with EXAMINE (read-only: no flag, \Seen
 * included, can change), narrows the candidates with UID SEARCH BEFORE (only
 * day-precise and blind to time zones, so with two days of margin), then
 * reads each candidate's INTERNALDATE, size, flags and Date:/Message-ID
 * headers with UID FETCH ... BODY.PEEK, in chunks, and yields one item per
 * message: the policy decides to the second in UTC.
 *
 * Rule settings of mailbox sources (lethe.ini(5)): credentials (required:
 * the file with the password or "bearer:TOKEN"), tls (required, the default,
 * or none for a loopback test server), hold-keyword (default $LetheHold:
 * messages carrying it are held). */
#ifndef LETHE_SOURCE_IMAP_H
#define LETHE_SOURCE_IMAP_H

#include "diag.h"
#include "dynbuf.h"
#include "source.h"

#define IMAP_DEFAULT_HOLD_KEYWORD "$LetheHold"

/* The store. Its finish_rule checks the URL and settings (a relative
 * credentials path is made absolute against the rule file, in r->settings,
 * so that the plugin sees the same file; a missing one is reported by the
 * scan) and refuses the keys that do not apply to mailboxes (select,
 * except, subject). Its presence check is read-only (EXAMINE, UID SEARCH):
 * GONE only when the folder still has UIDVALIDITY V and no UID U;
 * UNKNOWABLE when its UIDVALIDITY is another; MALFORMED for text that is no
 * IMAP identity ("uidvalidity=V uid=U"). A message's path relative to the
 * server is "4,%20Dormant%20Clients;UIDVALIDITY=V/;UID=U". */
extern const struct source_ops source_imap_ops;

#endif

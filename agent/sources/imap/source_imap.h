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

/* Check an imap rule once its file is read: the URL, the settings (a
 * relative credentials path is made absolute against the rule file, in
 * r->settings, so that the plugin sees the same file; a missing one is
 * reported by the scan), and the keys that do not apply to mailboxes
 * (select, except, subject). Errors go to d. */
void source_imap_finish_rule(struct rule *r, struct diag *d);

/* Scan r's folder, yielding each message that can be due at now (and
 * perhaps a few that are not: the policy decides) to sink. The count of
 * messages in the folder goes to stats->source_items. Connection, login and
 * folder errors stop the scan with a message in err. */
lethe_rc source_imap_scan(const struct rule *r, int64_t now, item_sink sink, void *ctx,
                          struct scan_stats *stats, struct lethe_err *err) WUR;

/* For recovery: whether each identity ("uidvalidity=V uid=U") of rule r's
 * folder still names a message, read-only (EXAMINE, UID SEARCH). GONE only
 * when the folder still has UIDVALIDITY V and no UID U; RENUMBERED when its
 * UIDVALIDITY is another (the message's fate cannot be known: never certify
 * it as deleted); MALFORMED for text that is no IMAP identity. */
enum imap_presence {
  IMAP_PRESENT,
  IMAP_GONE,
  IMAP_RENUMBERED,
  IMAP_MALFORMED,
};
lethe_rc source_imap_presence(const struct rule *r, const char *const *identities, size_t n,
                              enum imap_presence *out, struct lethe_err *err) WUR;

/* The URIs of a message item of rule r, replacing the buffers' contents:
 * raw (the folder as text, what [hold] match patterns see) and encoded (for
 * reports). *path_off is where the message's path relative to the server
 * ("4,%20Dormant%20Clients;UIDVALIDITY=V/;UID=U") starts in encoded. */
lethe_rc source_imap_uris(const struct rule *r, const struct item *it, struct dynbuf *raw,
                          struct dynbuf *encoded, size_t *path_off) WUR;

#endif

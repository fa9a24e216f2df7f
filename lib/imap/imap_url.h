/* IMAP URLs (RFC 5092) as Lethe uses them.
 *
 * A rule's source names one folder: imaps://user@host[:port]/Folder, the
 * user and the folder percent-encoded UTF-8 ("4,%20Dormant%20Clients",
 * "Entw%C3%BCrfe"); the folder is written with the server's own hierarchy
 * separator (INBOX.Support on a default Dovecot, INBOX/Support on others).
 * Each message is then imaps://user@host/Folder;UIDVALIDITY=V/;UID=U, and
 * its identity "uidvalidity=V uid=U". */
#ifndef LETHE_IMAP_URL_H
#define LETHE_IMAP_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynbuf.h"
#include "err.h"

#define IMAP_URL_PART_MAX 255

struct imap_url {
  bool imaps;                          /* TLS from the first byte (port 993) */
  char user[IMAP_URL_PART_MAX + 1];    /* decoded */
  char host[IMAP_URL_PART_MAX + 1];    /* as written; [v6] keeps its brackets */
  unsigned port;                       /* 143 or 993 unless given */
  char *mailbox;                       /* decoded UTF-8, NUL-terminated */
  char *base;                          /* "imaps://user@host:port" as written */
};

/* Parse a source URI. LETHE_E_CONFIG with a message saying what is wrong:
 * another scheme, no user, a bad port, no folder, a folder that is not UTF-8,
 * or URL parts Lethe does not take (";UIDVALIDITY=", "?search"). */
lethe_rc imap_url_parse(const char *uri, struct imap_url *u, struct lethe_err *err) WUR;

void imap_url_release(struct imap_url *u);

/* Append the URL of message (uidvalidity, uid): with the folder
 * percent-encoded when encoded, else as decoded text (what hold patterns
 * match). */
lethe_rc imap_url_message(const struct imap_url *u, uint32_t uidvalidity, uint32_t uid,
                          bool encoded, struct dynbuf *out) WUR;

/* Append the folder percent-encoded as an RFC 5092 enc-mailbox. */
lethe_rc imap_url_encode_mailbox(const char *mailbox, size_t len, struct dynbuf *out) WUR;

/* The URL libcurl connects to: "imap://host:port/" or "imaps://host:port/"
 * (no user: Lethe authenticates itself, so that it can wipe the secret). */
lethe_rc imap_url_server(const struct imap_url *u, struct dynbuf *out) WUR;

/* Room for "uidvalidity=4294967295 uid=4294967295". */
#define IMAP_IDENTITY_LEN 40

/* Write a message's identity text into buf (IMAP_IDENTITY_LEN bytes). */
void imap_identity_format(uint32_t uidvalidity, uint32_t uid, char *buf);

/* Read "uidvalidity=V uid=U" (both from 1 to 4294967295). false if malformed. */
bool imap_identity_parse(const char *s, uint32_t *uidvalidity, uint32_t *uid);

#endif

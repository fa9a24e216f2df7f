/* The mailbox deletion engine shared by the expunge and archive-then-expunge
 * plugins: one IMAP session per rule, and a batch of planned messages
 * deleted exactly.
 *
 * A batch: every item's identity "uidvalidity=V uid=U" must name the
 * folder's current UIDVALIDITY, else nothing is touched (SKIPPED: the folder
 * was recreated, so the UIDs no longer name the planned messages). Then, by
 * chunks of UIDs under a bounded command length: UID FETCH to see which are
 * still there, not held (hold keyword) and to hash their Message-ID; the
 * archive hook, if any; then, per command-sized UID set, UID STORE
 * +FLAGS.SILENT (\Deleted) and UID EXPUNGE of exactly those UIDs (RFC 4315),
 * or UID MOVE (RFC 6851) with move-to, and a UID SEARCH of the same UIDs to
 * confirm which are gone. A message counts as deleted only when the server
 * said so (a VANISHED response, or its absence from that search; "* n
 * EXPUNGE" names shifting message numbers, so it is not used); any other
 * message touched gets FAILED with the reason, so the host journals it and
 * the next run checks it. */
#ifndef LETHE_MAILBOX_H
#define LETHE_MAILBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imap_conn.h"
#include "imap_url.h"
#include "lethe/plugin.h"

#define MBX_CHUNK 50000       /* UIDs per chunk: fewer commands, as each EXPUNGE
                                 costs the server an index update */
#define MBX_SET_MAX 7000      /* bytes of a UID set: commands stay under 8 KiB */

struct mbx_config {
  struct imap_url url;
  char *credentials;
  bool tls_none;
  char *keyword;              /* hold keyword */
  char *move_to;              /* expunge: move-to folder, or NULL */
  bool allow_no_uidplus;
};

/* One planned message of a batch. */
struct mbx_target {
  size_t item;                /* index in the batch's items */
  uint32_t uid;
  bool present;               /* the FETCH found it */
  bool was_deleted;           /* it carried \Deleted before Lethe touched it */
  bool chosen;                /* to be deleted in this chunk */
  bool gone;                  /* the server confirmed it is gone */
  bool checked;               /* a UID SEARCH after the expunge looked for it */
  uint64_t size;
  char msgid_sha256[65];
};

struct mbx_session;

/* The archive hook of archive-then-expunge: called with the chunk's chosen
 * targets (all present, not held) before anything is deleted. It must write
 * each outcome it refuses (FAILED, with the reason) and clear that target's
 * chosen flag; only targets still chosen are deleted. Return non-zero (with
 * err) only when the session cannot go on: the chunk's targets without an
 * outcome then get FAILED. */
typedef lethe_rc (*mbx_archive_fn)(void *ctx, struct mbx_session *s, struct mbx_target *t,
                                   size_t n, const struct lethe_item *const *items,
                                   struct lethe_outcome *const *outs, struct lethe_err *err);

struct mbx_session {
  struct mbx_config cfg;
  struct imap_conn conn;
  bool connected;
  struct imap_mailbox mb;
  mbx_archive_fn archive;
  void *archive_ctx;
  struct dynbuf set;          /* scratch: the UID set of a command */
  void *run;                  /* the chunk being worked on (mailbox.c) */
};

/* Called by mbx_fetch_bodies with each message's full text as the server
 * sent it, and its INTERNALDATE (0 if unreadable). */
typedef lethe_rc (*mbx_body_fn)(void *ctx, struct mbx_target *t, const char *body,
                                size_t len, int64_t internaldate, struct lethe_err *err);

/* For an archive hook: UID FETCH BODY.PEEK[] of the running chunk's chosen
 * targets (no flag changes), each handed to fn as it arrives; a literal over
 * max_size breaks the session (check sizes first). A target the server does
 * not return is left to the caller (fn was not called for it). */
lethe_rc mbx_fetch_bodies(struct mbx_session *s, size_t max_size, mbx_body_fn fn, void *ctx,
                          struct lethe_err *err) WUR;

/* Read the settings a mailbox plugin shares (credentials, tls, hold-keyword,
 * allow-no-uidplus) and, when move_ok, move-to; source is the rule's source
 * URI. Any other key must be in extra (the plugin's own) or is refused.
 * LETHE_E_CONFIG with a message naming the setting. */
lethe_rc mbx_config_read(struct mbx_config *cfg, const struct lethe_rule_info *rule,
                         bool move_ok, const char *const *extra, struct lethe_err *err) WUR;

void mbx_config_release(struct mbx_config *cfg);

/* Connect, authenticate and check the folder exists: what open() does, to
 * fail early on bad credentials or a missing folder. */
lethe_rc mbx_open(struct mbx_session *s, struct lethe_err *err) WUR;

/* SELECT the folder afresh (its UIDVALIDITY into s->mb), connecting and
 * authenticating first when there is no live session. */
lethe_rc mbx_connect(struct mbx_session *s, struct lethe_err *err) WUR;

/* Delete items[0..n) as the header describes, writing outs[0..n). */
int mbx_delete_batch(struct mbx_session *s, const struct lethe_item *const *items, size_t n,
                     struct lethe_outcome *const *outs);

/* Log out and free. */
void mbx_session_release(struct mbx_session *s);

/* Write a FAILED or SKIPPED outcome with a message. */
void mbx_outcome(struct lethe_outcome *o, enum lethe_result result, const char *fmt, ...)
  PRINTF(3, 4);

#endif

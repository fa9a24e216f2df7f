/* The Graph deletion engine shared by the graph-delete and
 * archive-then-graph-delete plugins: one Graph client per rule, and a batch
 * of planned items deleted exactly.
 *
 * Each item is checked right before it is deleted; without an archive hook
 * its deletion goes out (first) in the next envelope once its check is in,
 * so that four envelopes stay in flight; with one, the batch goes in chunks
 * of GDEL_CHUNK items (four envelopes of twenty): all checked, archived,
 * then deleted. The checks:
 *   - messages, events, calendars: GET each item by its immutable id (in
 *     $batch, chained: one mailbox slot per envelope, see graph_batch.h) and
 *     compare its changeKey with the plan's: another is SKIPPED (changed); a
 *     message no longer in the rule's folder is SKIPPED (moved), one already
 *     in Recoverable Items is gone; an item now carrying the hold category
 *     (for a calendar: any of its events) is HELD; a default calendar is
 *     never deleted. A 404 means the item is gone already: DELETED, and the
 *     outcome says it was gone.
 *   - drive items: DELETE (or permanentDelete) with If-Match: the planned
 *     eTag, so that the service itself refuses a changed item (412: SKIPPED);
 *     for permanentDelete the eTag is also compared by a GET first, as that
 *     page documents no If-Match. A 403 is the service's hold: HELD.
 * then the archive hook, if any, and the deletions, in $batch again. Every
 * outcome's detail (JSON) records the immutable id (and drive), the method,
 * the HTTP status and the request-id; its level is logical-delete with where
 * the item can still be recovered from.
 *
 * If an envelope's reply is lost for good (graph_batch_run's LETHE_E_IO),
 * what its deletions did is unknown: the batch returns LETHE_E_IO and writes
 * nothing more, so that the host stops and recovery asks the service which
 * items are gone (source presence). */
#ifndef LETHE_GDEL_H
#define LETHE_GDEL_H

#include <stdbool.h>
#include <stddef.h>

#include "graph_client.h"
#include "graph_ident.h"
#include "graph_uri.h"
#include "lethe/plugin.h"

#define GDEL_CHUNK 80

enum gdel_method {
  GDEL_PERMANENT,       /* POST .../permanentDelete */
  GDEL_DELETE,          /* DELETE: Recoverable Items, recycle bin */
};

struct gdel_config {
  struct graph_source src;
  struct graph_config cfg;
  enum gdel_method method;
  bool whole_calendar;   /* items = calendar */
};

/* One planned item of a batch. */
struct gdel_target {
  size_t item;                /* its index in the batch */
  enum lethe_item_kind kind;
  struct graph_ident id;      /* points into the item's identity text */
  char drive[GRAPH_ID_MAX + 1];
  bool chosen;                /* still to be deleted */
  long status;                /* of the deletion */
  char request_id[80];
  int64_t throttled_ms;
  int64_t received;           /* messages: receivedDateTime, as the check read it */
  const char *archive;        /* set by an archive hook: the archive holding it ... */
  char archive_sha256[65];    /* ... and the archive file's SHA-256 */
};

struct gdel_session;

/* The archive hook of archive-then-graph-delete: called with a chunk's
 * chosen targets (checked, not held) before any is deleted. It must write
 * the outcome of each target it refuses (FAILED, with why) and clear its
 * chosen flag; only targets still chosen are deleted. Non-zero (with err)
 * only when nothing more can be done: the chunk's open targets get FAILED. */
typedef lethe_rc (*gdel_archive_fn)(void *ctx, struct gdel_session *s, struct gdel_target *t,
                                    size_t n, const struct lethe_item *const *items,
                                    struct lethe_outcome *const *outs, struct lethe_err *err);

struct gdel_session {
  struct gdel_config cfg;
  struct graph_client c;
  bool open;
  char folder[GRAPH_ID_MAX + 1];     /* mail: the rule's folder */
  char gone_in[2][GRAPH_ID_MAX + 1]; /* mail: Recoverable Items Deletions, Purges */
  gdel_archive_fn archive;
  void *archive_ctx;
  char method_text[400];
  char (*details)[2048];             /* long details of the batch (detail_json) */
};

/* Read the settings the Graph plugins share (the source's: credentials,
 * cloud, graph-endpoint, login-endpoint, ca-file, hold-category, items; and
 * method = permanent-delete | delete) from rule; any other key must be in
 * extra or is refused. Nothing is opened. LETHE_E_CONFIG with a message
 * and, when bad is not NULL, the setting's index. */
lethe_rc gdel_config_read(struct gdel_config *cfg, const struct lethe_rule_info *rule,
                          const char *const *extra, size_t *bad, struct lethe_err *err) WUR;

void gdel_config_release(struct gdel_config *cfg);

/* Open the session: a token (bad credentials fail here), and for a mail
 * rule its folder and the Recoverable Items folders. s->cfg must be read. */
lethe_rc gdel_open(struct gdel_session *s, struct lethe_err *err) WUR;

/* Delete items[0..n) as the header says, writing outs[0..n). LETHE_OK, or
 * LETHE_E_IO when the fate of some deletions cannot be known. */
lethe_rc gdel_delete_batch(struct gdel_session *s, const struct lethe_item *const *items,
                           size_t n, struct lethe_outcome *const *outs);

/* Close and free; safe on a zeroed session. */
void gdel_close(struct gdel_session *s);

/* The method for certificates, as the rule's settings make it. */
const char *gdel_method_text(const struct gdel_session *s);

/* Write a FAILED, SKIPPED or HELD outcome with a message (gdel_outcome.c). */
void gdel_outcome(struct lethe_outcome *o, enum lethe_result result, const char *fmt, ...)
  PRINTF(3, 4);

/* Write the DELETED outcome of t: level, reason and detail (gdel_outcome.c);
 * gone: it was gone before Lethe deleted it. */
void gdel_deleted(struct gdel_session *s, const struct gdel_target *t, bool gone,
                  struct lethe_outcome *o);

/* After a crash: the detail recovery certifies for item, from its identity
 * alone ({"drive":...,"id":...}): lethe_plugin.recover_detail. */
lethe_rc gdel_recover_detail(const struct lethe_rule_info *rule, const struct lethe_item *item,
                             struct lethe_outcome *out);

/* The Graph path (relative to /v1.0) of target t, and for a mail, event or
 * calendar target with suffix appended ("/permanentDelete"). */
lethe_rc gdel_path(const struct gdel_session *s, const struct gdel_target *t,
                   const char *suffix, char *out, size_t n) WUR;

#endif

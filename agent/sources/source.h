/* Sources: where items come from. Each store is one table of operations,
 * as curl has one protocol handler per scheme: struct source_ops says which
 * URIs it owns, which clocks and settings its rules may use, how a rule of
 * it is checked, scanned, named and, after a crash, asked whether an item
 * is still there. registry/sources.c lists the tables; everything else in
 * the agent goes through them, so a new store is a new folder under
 * sources/ and one line in that list.
 *
 * Scanning only reads: no content, name, time or flag may change. */
#ifndef LETHE_SOURCE_H
#define LETHE_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "dynbuf.h"
#include "item.h"
#include "progress.h"
#include "rules.h"

/* Receives each selected item. subj is NULL when the rule has no subject. */
typedef lethe_rc (*item_sink)(void *ctx, const struct item *it,
                              const struct subject_info *subj);

struct scan_stats {
  uint64_t source_items;   /* every item the source holds that the scan saw */
};

/* Count one item the scan saw; the count is what the progress line shows. */
static inline void scan_stats_saw(struct scan_stats *s)
{
  progress_update(++s->source_items);
}

/* Whether a planned item is still there, for recovery. */
enum source_presence {
  SOURCE_PRESENT,
  SOURCE_GONE,
  SOURCE_UNKNOWABLE,  /* its fate cannot be known (an IMAP folder renumbered
                         since): never certify it as deleted */
  SOURCE_MALFORMED,   /* the identity text is not one of this store's */
};

#define SOURCE_CLOCK(k) (1u << (k))

struct source_ops {
  const char *name;               /* the store's name: "file", "imap" */
  const char *const *schemes;     /* the URI prefixes it owns: "imap://" */
  const char *claim_key;          /* when set: the store owns a rule of its scheme
                                     only when the rule has this setting, and
                                     before a store that has no claim_key (the
                                     archive store claims file:// rules with
                                     "inside") */
  uint32_t store;                 /* LETHE_STORE_* of its items */
  uint32_t clocks;                /* SOURCE_CLOCK(CLOCK_*) of each clock it offers
                                     (events: is offered by every store) */
  enum clock_kind default_clock;
  const char *const *keys;        /* rule settings the source reads; NULL-terminated */
  bool local;                     /* items are files below r->root: the host opens
                                     their directories and re-checks holds there */

  /* Check a rule of this store once every rule file is read: its URI (at
   * r->source_line), its settings; may set r->root and rewrite settings
   * (a relative credentials path made absolute). Errors go to d. */
  void (*finish_rule)(struct rule *r, struct diag *d);

  /* Optional, for lethe check: what would stop a run though the rule is
   * valid, to d: a warning for what may change by then (a share not
   * mounted now), an error for what makes a run fail for certain (a
   * credentials file it cannot use). Reads only. */
  void (*check)(const struct rule *r, struct diag *d);

  /* Yield each item of r's source that may be due at now (the policy
   * decides; a source may yield more) to sink, counting what the source
   * holds in stats. Errors that stop the whole scan come back with a
   * message in err; an item that cannot be judged is yielded with
   * item.problem set. */
  lethe_rc (*scan)(const struct rule *r, int64_t now, item_sink sink, void *ctx,
                   struct scan_stats *stats, struct lethe_err *err);

  /* The item's URIs, replacing the buffers' contents: raw (what [hold]
   * match patterns see) and encoded (percent-encoded, for reports);
   * *path_off is where its path relative to the source starts in encoded. */
  lethe_rc (*uris)(const struct rule *r, const struct item *it, struct dynbuf *raw,
                   struct dynbuf *encoded, size_t *path_off);

  /* Read the canonical identity text of an item of this store (as plans
   * and journals carry it) into out's store member; LETHE_E_PARSE if it is
   * none of this store's. out->text is set to text. */
  lethe_rc (*identity)(const char *text, struct lethe_identity *out);

  /* Optional, for recovery of items that are not local files: whether each
   * of n planned items of rule r (its identity text, and its path as the
   * plan wrote it) still exists as planned, asked read-only. An error means
   * the store cannot be asked now (the next run asks again). */
  lethe_rc (*presence)(const struct rule *r, const char *const *identities,
                       const char *const *paths, size_t n, enum source_presence *out,
                       struct lethe_err *err);
};

/* The store a bound rule's source belongs to (never NULL once bound). */
const struct source_ops *source_of(const struct rule *r);

/* Whether rule r may use the setting key (as "key" of "key=value", n bytes)
 * because its source reads it. */
bool source_takes(const struct rule *r, const char *key, size_t n);

#endif

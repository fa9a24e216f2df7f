/* The plan: every item the rules select, with its decision and the reason.
 *
 * Entries are written as they come to an unnamed spool file (spool.h), one
 * canonical JSON object per line, so a plan of millions of items costs disk,
 * not memory; only per-rule summaries are kept. The plan's name is the
 * SHA-256 of "lethe-plan/1\n", the instant "now" and every entry line in
 * order: the same tree at the same "now" always gives the same hash.
 *
 * A report that lists entries in its own form can have them written so as
 * they come (plan_render_with): the spool then holds the report's body
 * rather than the JSON lines, which are still made and hashed, and the
 * report needs no second pass that reads and parses them back. */
#ifndef LETHE_PLAN_H
#define LETHE_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "item.h"
#include "policy.h"
#include "rules.h"
#include "spool.h"
#include "timeline.h"

#define PLAN_SCHEMA "lethe-plan/1"
#define PLAN_HASH_LEN 72  /* "sha256:" + 64 hex + NUL */
#define DECISION__COUNT 6
#define PLAN_SCRATCH 3

struct plan_entry;

struct plan_rule {
  const struct rule *rule;
  uint64_t count[DECISION__COUNT];  /* indexed by enum decision */
  uint64_t bytes[DECISION__COUNT];
  uint64_t source_items;            /* non-directory entries the scan saw */
  bool has_oldest;
  int64_t oldest;                   /* oldest clock among items to delete */
  char *oldest_uri;                 /* percent-encoded */
  uint64_t spool_begin, spool_end;  /* this rule's entries in the spool */
  char *error;                      /* the source could not be scanned: why */
  struct timeline_counts upcoming;  /* not yet due or in grace, by month due */
};

/* Where a report writes one entry in its own form: into out, with a and b
 * to use as it likes on the way (kept from entry to entry, so that rendering
 * allocates nothing per entry). */
struct plan_render_bufs {
  struct dynbuf out, a, b;
};

/* How a report writes one entry in its own form, appended to bufs->out. */
typedef lethe_rc (*plan_render_fn)(const struct plan_entry *e, struct plan_render_bufs *bufs);

/* Set up (with the limits reports use) and release such buffers. */
void plan_render_bufs_init(struct plan_render_bufs *b);
void plan_render_bufs_release(struct plan_render_bufs *b);

struct plan {
  int64_t now;
  struct spool spool;
  void *sha;                        /* EVP_MD_CTX */
  struct plan_rule *rules;
  size_t n_rules;
  struct timeline months;           /* the twelve from now's (upcoming) */
  char hash[PLAN_HASH_LEN];
  plan_render_fn render;            /* NULL: the spool keeps the JSON lines */
  bool joined;                      /* ... joined by ",\n" (plan_join_lines) */
  bool notice;                      /* a notice's attachment: its HTML report is
                                       worded for the items' owner */
  struct dynbuf pending;            /* JSON lines not yet hashed (or spooled) */
  struct plan_render_bufs rendered; /* the same, as render writes it */
  struct dynbuf scratch[PLAN_SCRATCH]; /* fields being converted */
};

/* Start an empty plan for the instant now. */
lethe_rc plan_init(struct plan *p, int64_t now, struct lethe_err *err) WUR;

/* Before any entry: keep each entry as render writes it instead of its
 * JSON line. plan_each and plan_copy_lines are then refused (LETHE_E_USAGE);
 * plan_copy_rendered gives a rule's entries back. */
void plan_render_with(struct plan *p, plan_render_fn render);

/* Before any entry: keep the JSON lines joined by ",\n", as the items array
 * of the JSON report holds them, so that the report copies them in the
 * kernel (plan_copy_rendered) instead of reading back every line. The hash
 * is unchanged; plan_each and plan_copy_lines are then refused. */
void plan_join_lines(struct plan *p);

/* Begin the entries of rule r; returns its summary slot in *out. */
lethe_rc plan_begin_rule(struct plan *p, const struct rule *r, struct plan_rule **out) WUR;

/* Record one item of the current rule. uri is the item's percent-encoded
 * URI, and uri + path_off its percent-encoded path relative to the source.
 * Keep decisions are counted but not written. */
lethe_rc plan_add(struct plan *p, const struct item *it, const char *uri, size_t path_off,
                  const struct verdict *v) WUR;

/* Record an entry already in plan form (read back from a plan file): it is
 * written as canonical text and counted by its decision and size. */
lethe_rc plan_add_entry(struct plan *p, const struct plan_entry *e) WUR;

/* Close the current rule's entries. */
lethe_rc plan_end_rule(struct plan *p) WUR;

/* Compute the hash; no entries may be added after. */
lethe_rc plan_finish(struct plan *p, struct lethe_err *err) WUR;

/* Call fn with each entry of the rule at index i, read back, in order. The
 * entry's strings live until fn returns (plan_entry_copy keeps one). Not
 * for a plan kept rendered. */
typedef lethe_rc (*plan_entry_fn)(void *ctx, const struct plan_entry *entry);
lethe_rc plan_each(struct plan *p, size_t i, plan_entry_fn fn, void *ctx) WUR;

/* Copy the raw entry lines of rule i to out, separated by sep. Not for a
 * plan kept rendered. */
lethe_rc plan_copy_lines(struct plan *p, size_t i, FILE *out, const char *sep,
                         bool *first) WUR;

/* Copy rule i's entries, as plan_render_with's render wrote them (or
 * joined, after plan_join_lines), to out. */
lethe_rc plan_copy_rendered(struct plan *p, size_t i, FILE *out) WUR;

/* Totals over every rule, by decision. */
void plan_totals(const struct plan *p, uint64_t count[DECISION__COUNT],
                 uint64_t bytes[DECISION__COUNT]);

void plan_release(struct plan *p);

#endif

/* A plan entry: one item of a plan, with its decision. This module is the
 * one place that knows the entry's keys: it writes an entry as one line of
 * canonical JSON (keys sorted, as lethe-plan(1) documents them) and reads
 * one back, typed, from a saved plan or the spool.
 *
 * Strings are borrowed: from the caller when writing, from the parsed JSON
 * object when reading (valid while it lives), or from the entry's own block
 * after plan_entry_copy(). */
#ifndef LETHE_PLAN_ENTRY_H
#define LETHE_PLAN_ENTRY_H

#include <json-c/json.h>
#include <stdint.h>

#include "item.h"
#include "jsonw.h"
#include "policy.h"

struct plan_entry {
  const char *action;
  const char *clock_name;
  const char *clock_value;       /* ISO 8601 UTC; NULL: the clock was unreadable */
  enum decision decision;
  const char *due;               /* expires + grace; NULL without a grace */
  const char *expires;           /* NULL when the clock was unreadable */
  const struct scan_findings *findings; /* contains =: written as "findings";
                                           never read back (NULL) */
  const char *hold;              /* the hold's name or phrase; NULL: not held */
  const char *identity;          /* NULL for an item without one (a directory) */
  enum item_kind kind;
  const char *message_id_sha256; /* NULL: not a message, or none (key omitted) */
  const char *path;              /* percent-encoded, relative to the source */
  const char *reason;
  const char *rule;
  uint64_t size;
  uint32_t store;                /* LETHE_STORE_* */
  const char *subject;           /* percent-encoded; NULL: the rule has none */
  const char *uri;               /* percent-encoded */
  char *block;                   /* plan_entry_copy: where the strings live */
};

/* Append e as one JSON object (no newline) to w. */
void plan_entry_write(const struct plan_entry *e, struct jsonw *w);

/* Read the entry o into e. LETHE_E_PARSE, with what is wrong in why (n
 * bytes), when a key is missing or of the wrong type, or a decision, kind or
 * store is unknown. */
lethe_rc plan_entry_read(struct json_object *o, struct plan_entry *e, char *why,
                         size_t n) WUR;

/* Make dst a copy of src that owns its strings (one allocation). */
lethe_rc plan_entry_copy(const struct plan_entry *src, struct plan_entry *dst) WUR;

/* Free what plan_entry_copy allocated. */
void plan_entry_release(struct plan_entry *e);

#endif

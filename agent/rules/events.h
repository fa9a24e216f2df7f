/* Events CSV files: the dates that start a retention clock when the file
 * system cannot tell (the last invoice of each client, the date of each
 * consent).
 *
 * Format: one "key,date" record per line, RFC 4180 quoting ("Acme, Ltd",2025-10-01),
 * dates in ISO 8601 (isotime_parse). A first line whose date field is not a
 * date is a header and skipped; blank lines are skipped. A key listed more
 * than once keeps its latest date, so a finance export of every invoice works
 * as well as one of each client's last invoice. */
#ifndef LETHE_EVENTS_H
#define LETHE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "diag.h"

struct events;

/* Read the CSV at path. Every malformed line is reported to d as
 * "path:line: ..." and LETHE_E_CONFIG returned; *out is then NULL. */
lethe_rc events_load(const char *path, struct events **out, struct diag *d) WUR;

/* The same, for a file with columns after the date (a notify-column,
 * events_column.h): they are not read here, and not an error. */
lethe_rc events_load_wide(const char *path, struct events **out, struct diag *d) WUR;

/* Parse CSV text already in memory (path names it in messages). */
lethe_rc events_parse(const char *path, const char *text, size_t len, struct events **out,
                      struct diag *d) WUR;

/* An empty table, for dates that come from elsewhere than a CSV (the
 * deletions the ledger certifies). */
lethe_rc events_new(struct events **out) WUR;

/* Record key[0..len) at when; a key recorded again keeps its latest date. */
lethe_rc events_add(struct events *ev, const char *key, size_t len, int64_t when) WUR;

/* The date recorded for key[0..len), if any. */
bool events_lookup(const struct events *ev, const char *key, size_t len, int64_t *when);

/* Number of distinct keys. */
size_t events_count(const struct events *ev);

void events_free(struct events *ev);

#endif

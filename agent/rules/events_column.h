/* One more column of an events CSV: the address of each subject's owner,
 * for notices (notify-column =, lethe.ini(5)).
 *
 *   client,last_invoice,owner
 *   Acme Ltd,2025-10-01,pm.acme@example.org
 *
 * The first line must be a header naming the column. Rows are read as
 * events.h reads them (key, then date); a key listed more than once takes
 * the address of its latest-dated row that has one. An empty cell means no
 * owner; a cell that is not a plain e-mail address is a warning at its line
 * and no owner either: a bad cell in a finance export must not stop every
 * other rule from running. */
#ifndef LETHE_EVENTS_COLUMN_H
#define LETHE_EVENTS_COLUMN_H

#include <stddef.h>

#include "diag.h"

struct events_column;

/* Read column of the CSV at path. Problems (no header, no such column, a
 * malformed line) go to d as path:line; LETHE_E_CONFIG then, *out NULL. */
lethe_rc events_column_load(const char *path, const char *column, struct events_column **out,
                            struct diag *d) WUR;

/* The address for key[0..len), or NULL. */
const char *events_column_get(const struct events_column *c, const char *key, size_t len);

void events_column_free(struct events_column *c);

#endif

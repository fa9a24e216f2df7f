/* What the personal-data scanner found in an item, for plans: one line for
 * people ("email 3 (j***@example.org), phone 1 (+44 **** ***123)") and a
 * JSON object for machines ({"email": {"count": 3, "sample": "..."}}, keys
 * sorted). Counts and redacted samples only: the scanner never keeps a
 * value. */
#ifndef LETHE_FINDINGS_TEXT_H
#define LETHE_FINDINGS_TEXT_H

#include <stddef.h>

#include "jsonw.h"
#include "scan.h"

void findings_describe(const struct scan_findings *f, char *buf, size_t n);

void findings_write_json(const struct scan_findings *f, struct jsonw *w);

#endif

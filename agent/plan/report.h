/* Rendering a plan for people (text) and programs (json, csv). Each format
 * lives in its own report_FORMAT.c; the JSON schema is documented in
 * lethe-plan(1). */
#ifndef LETHE_REPORT_H
#define LETHE_REPORT_H

#include <stdio.h>
#include "plan.h"

enum report_format {
  REPORT_TEXT,
  REPORT_JSON,
  REPORT_CSV,
  REPORT_HTML,
};

/* Parse "text", "json", "csv" or "html". */
lethe_rc report_parse_format(const char *name, enum report_format *out) WUR;

/* Write the finished plan p to out. */
lethe_rc report_write(struct plan *p, enum report_format f, FILE *out) WUR;

lethe_rc report_text(struct plan *p, FILE *out) WUR;
lethe_rc report_json(struct plan *p, FILE *out) WUR;
lethe_rc report_csv(struct plan *p, FILE *out) WUR;
lethe_rc report_html(struct plan *p, FILE *out) WUR;

#endif

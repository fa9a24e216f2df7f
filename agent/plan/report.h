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

/* Before the plan is made: have format f's list of items written as the
 * entries come (text, csv and html), so that writing the report is copying
 * it, not reading back and parsing every entry; json keeps the plan's own
 * lines joined as its items array (plan_join_lines). Optional: a report of
 * a plan not prepared renders at the end. */
void report_prepare(struct plan *p, enum report_format f);

/* Write the finished plan p to out. */
lethe_rc report_write(struct plan *p, enum report_format f, FILE *out) WUR;

/* Write rule i's entries to out as render writes them: straight from the
 * spool when the plan kept them so, else read back and rendered now. */
lethe_rc report_list(struct plan *p, size_t i, plan_render_fn render, FILE *out) WUR;

/* One entry as each format lists it (report_FORMAT.c). */
lethe_rc report_text_item(const struct plan_entry *e, struct plan_render_bufs *b) WUR;
lethe_rc report_csv_row(const struct plan_entry *e, struct plan_render_bufs *b) WUR;
lethe_rc report_html_row(const struct plan_entry *e, struct plan_render_bufs *b) WUR;

lethe_rc report_text(struct plan *p, FILE *out) WUR;
lethe_rc report_json(struct plan *p, FILE *out) WUR;
lethe_rc report_csv(struct plan *p, FILE *out) WUR;
lethe_rc report_html(struct plan *p, FILE *out) WUR;

#endif

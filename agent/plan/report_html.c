/* The plan as one printable HTML page, for the administrator who reviews a
 * dry run before anything is deleted, and for the DPO's file: per rule the
 * settings and a summary, then every listed item with the reason. Every text
 * from the tree or the rules is escaped; the page loads nothing. */
#include "report.h"

#include <string.h>

#include "isotime.h"
#include "plan_entry.h"
#include "text.h"
#include "uri.h"

static const char style[] =
  "body{font-family:sans-serif;margin:2em;color:#111}"
  "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em}"
  "table{border-collapse:collapse;width:100%;margin:.5em 0}"
  "td,th{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top;"
  "font-size:.85em}th{background:#eee}"
  ".path{font-family:monospace;overflow-wrap:anywhere}table.items th:nth-child(2){width:40%}"
  ".num{text-align:right;white-space:nowrap}"
  ".delete{color:#a00;font-weight:bold}.held{color:#850}.grace{color:#06c}.skip{color:#555}"
  ".report{color:#60a}"
  "p.note{font-size:.85em;color:#444}tr.total td{font-weight:bold}"
  "@media print{body{margin:1cm}tr{page-break-inside:avoid}}";

struct page {
  FILE *out;
};

static void put(struct page *pg, const char *s)
{
  text_put_html(pg->out, s ? s : "");
}

/* The item's path, decoded and printable, into b->b; empty when it does
 * not decode, or is too long to show. */
static void shown_path(const struct plan_entry *e, struct plan_render_bufs *b)
{
  db_reset(&b->a);
  db_reset(&b->b);
  if(e->path && uri_decode(e->path, &b->a) == LETHE_OK &&
     text_add_printable(&b->b, db_str(&b->a), b->a.len))
    db_reset(&b->b);
}

lethe_rc report_html_row(const struct plan_entry *e, struct plan_render_bufs *b)
{
  const char *decision = decision_name(e->decision);
  char sz[16] = "";
  lethe_rc rc;
  shown_path(e, b);
  text_size(e->size, sz);
  rc = db_add(&b->out, "<tr><td class=\"", 15);
  if(!rc)
    rc = db_adds(&b->out, decision);
  if(!rc)
    rc = db_add(&b->out, "\">", 2);
  if(!rc)
    rc = text_add_html(&b->out, decision);
  if(!rc)
    rc = db_adds(&b->out, "</td><td class=\"path\">");
  if(!rc)
    rc = text_add_html(&b->out, db_str(&b->b));
  if(!rc)
    rc = db_adds(&b->out, "</td><td class=\"num\">");
  if(!rc)
    rc = db_adds(&b->out, sz);
  if(!rc)
    rc = db_adds(&b->out, "</td><td>");
  if(!rc)
    rc = text_add_html(&b->out, e->reason ? e->reason : "");
  if(!rc)
    rc = db_adds(&b->out, "</td></tr>\n");
  return rc;
}

static void summary(struct page *pg, const struct plan_rule *pr)
{
  char settings[1024], bytes[16], oldest[ISODATE_LEN] = "";
  const struct rule *r = pr->rule;
  rule_describe(r, settings, sizeof(settings));
  text_size(pr->bytes[DECISION_DELETE], bytes);
  if(pr->has_oldest)
    isotime_format_date(pr->oldest, oldest);
  fputs("<h2>Rule ", pg->out);
  put(pg, r->name);
  fputs("</h2>\n<table><tr><th>Source</th><td class=\"path\">", pg->out);
  put(pg, r->source);
  fputs("</td></tr><tr><th>Settings</th><td>", pg->out);
  put(pg, settings);
  fputs("</td></tr>\n", pg->out);
  if(r->description || r->basis) {
    fputs("<tr><th>Why</th><td>", pg->out);
    put(pg, r->description);
    fputs(r->description && r->basis ? " &mdash; " : "", pg->out);
    put(pg, r->basis);
    fputs("</td></tr>\n", pg->out);
  }
  if(pr->error) {
    fputs("<tr><th>Error</th><td class=\"delete\">", pg->out);
    put(pg, pr->error);
    fputs("</td></tr>\n", pg->out);
  }
  if(r->report) {
    fprintf(pg->out, "<tr><th>Summary</th><td>report %llu (never deleted); held %llu, skipped "
            "%llu, not due %llu; %llu scanned</td></tr></table>\n",
            (unsigned long long)pr->count[DECISION_REPORT],
            (unsigned long long)pr->count[DECISION_HELD],
            (unsigned long long)pr->count[DECISION_SKIP],
            (unsigned long long)pr->count[DECISION_KEEP],
            (unsigned long long)pr->source_items);
    return;
  }
  fprintf(pg->out, "<tr><th>Summary</th><td>delete %llu (%s)%s%s; grace %llu, held %llu, "
          "skipped %llu, not due %llu; %llu scanned</td></tr></table>\n",
          (unsigned long long)pr->count[DECISION_DELETE], bytes, *oldest ? ", oldest " : "",
          oldest, (unsigned long long)pr->count[DECISION_GRACE],
          (unsigned long long)pr->count[DECISION_HELD],
          (unsigned long long)pr->count[DECISION_SKIP],
          (unsigned long long)pr->count[DECISION_KEEP],
          (unsigned long long)pr->source_items);
}

static void count_cell(FILE *out, uint64_t n, const char *cls)
{
  fprintf(out, "<td class=\"num%s%s\">%llu</td>", n && cls ? " " : "", n && cls ? cls : "",
          (unsigned long long)n);
}

/* One line of the overview: what the rule deletes now and what it leaves. */
static void overview_row(struct page *pg, const char *name, const uint64_t count[],
                         const uint64_t bytes[], uint64_t scanned, bool total)
{
  char sz[16];
  text_size(bytes[DECISION_DELETE], sz);
  fputs(total ? "<tr class=\"total\"><td>" : "<tr><td>", pg->out);
  put(pg, name);
  fputs("</td>", pg->out);
  count_cell(pg->out, count[DECISION_DELETE], "delete");
  fprintf(pg->out, "<td class=\"num\">%s</td>", sz);
  count_cell(pg->out, count[DECISION_GRACE], "grace");
  count_cell(pg->out, count[DECISION_HELD], "held");
  count_cell(pg->out, count[DECISION_SKIP], "skip");
  count_cell(pg->out, count[DECISION_REPORT], "report");
  count_cell(pg->out, count[DECISION_KEEP], NULL);
  count_cell(pg->out, scanned, NULL);
  fputs("</tr>\n", pg->out);
}

/* Every rule on one line, and the totals: the page's first answer. */
static void overview(struct page *pg, const struct plan *p)
{
  uint64_t count[DECISION__COUNT], bytes[DECISION__COUNT], scanned = 0;
  fputs("<h2>Overview</h2>\n<table><tr><th>Rule</th><th>Delete</th><th>Size</th>"
        "<th>Grace</th><th>Held</th><th>Skipped</th><th>Report</th><th>Not due</th>"
        "<th>Scanned</th></tr>\n", pg->out);
  for(size_t i = 0; i < p->n_rules; i++) {
    const struct plan_rule *pr = &p->rules[i];
    overview_row(pg, pr->rule->name, pr->count, pr->bytes, pr->source_items, false);
    scanned += pr->source_items;
  }
  plan_totals(p, count, bytes);
  if(p->n_rules > 1)
    overview_row(pg, "All rules", count, bytes, scanned, true);
  fputs("</table>\n", pg->out);
}

/* A month's cell, shaded by its share of the busiest month (most; 0 for none). */
static void month_cell(FILE *out, uint64_t n, uint64_t bytes, uint64_t most)
{
  char sz[16];
  text_size(bytes, sz);
  if(!n)
    fputs("<td class=\"num\"></td>", out);
  else if(!most) /* a total: not shaded */
    fprintf(out, "<td class=\"num\" title=\"%s\">%llu</td>", sz, (unsigned long long)n);
  else
    fprintf(out, "<td class=\"num\" title=\"%s\" style=\"background:rgba(0,102,204,%.2f)\">"
            "%llu</td>", sz, 0.1 + 0.5 * (double)n / (double)most, (unsigned long long)n);
}

/* What becomes due in the twelve months from now's, rule by rule. */
static void upcoming(struct page *pg, const struct plan *p)
{
  struct timeline_counts all = { 0 };
  char label[TIMELINE_LABEL_LEN];
  uint64_t most = 1;
  for(size_t i = 0; i < p->n_rules; i++)
    for(int k = 0; k < TIMELINE_MONTHS; k++) {
      all.count[k] += p->rules[i].upcoming.count[k];
      all.bytes[k] += p->rules[i].upcoming.bytes[k];
      if(p->rules[i].upcoming.count[k] > most)
        most = p->rules[i].upcoming.count[k];
    }
  fputs("<h2>The next twelve months</h2>\n<p class=\"note\">Items not due yet, or in "
        "their grace period, by the month (UTC) from which they may be deleted, if nothing "
        "changes before then: a hold, a newer clock, a moved file.</p>\n"
        "<table><tr><th>Rule</th>", pg->out);
  for(int k = 0; k < TIMELINE_MONTHS; k++) {
    timeline_label(&p->months, k, label);
    fprintf(pg->out, "<th>%s</th>", label);
  }
  fputs("</tr>\n", pg->out);
  for(size_t i = 0; i < p->n_rules; i++) {
    fputs("<tr><td>", pg->out);
    put(pg, p->rules[i].rule->name);
    fputs("</td>", pg->out);
    for(int k = 0; k < TIMELINE_MONTHS; k++)
      month_cell(pg->out, p->rules[i].upcoming.count[k], p->rules[i].upcoming.bytes[k], most);
    fputs("</tr>\n", pg->out);
  }
  if(p->n_rules > 1) {
    fputs("<tr class=\"total\"><td>All rules</td>", pg->out);
    for(int k = 0; k < TIMELINE_MONTHS; k++)
      month_cell(pg->out, all.count[k], all.bytes[k], 0);
    fputs("</tr>\n", pg->out);
  }
  fputs("</table>\n", pg->out);
}

lethe_rc report_html(struct plan *p, FILE *out)
{
  struct page pg = { .out = out };
  char now[ISOTIME_LEN];
  lethe_rc rc = LETHE_OK;

  isotime_format(p->now, now);
  if(p->notice) /* for the owner of the items, who runs no lethe command */
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Notice before deletion %s</title><style>%s</style></head><body>\n"
            "<h1>Notice before deletion</h1>\n"
            "<p>As of %s. The items listed are in the grace period of their rule and may be "
            "deleted when it ends; nothing has been deleted yet. To keep one, ask whoever "
            "runs Lethe to put it under a hold.</p>\n", now, style, now);
  else
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Lethe plan %s</title><style>%s</style></head><body>\n"
            "<h1>Lethe plan (dry run: nothing has been deleted)</h1>\n"
            "<p>As of %s. Plan <code>%s</code>.</p>\n", now, style, now, p->hash);
  overview(&pg, p);
  upcoming(&pg, p);
  for(size_t i = 0; i < p->n_rules && !rc; i++) {
    summary(&pg, &p->rules[i]);
    if(!p->rules[i].error && p->rules[i].spool_end > p->rules[i].spool_begin) {
      fputs("<table class=\"items\"><tr><th>Decision</th><th>Path</th><th>Size</th><th>Reason</th></tr>\n",
            out);
      rc = report_list(p, i, report_html_row, out);
      fputs("</table>\n", out);
    }
  }
  if(!p->notice)
    fputs("<p class=\"note\">Items not yet due are counted, not listed. Apply a reviewed "
          "plan with <code>lethe apply --plan FILE</code> after saving it with "
          "<code>--format json</code>.</p>\n", out);
  fputs("</body></html>\n", out);
  if(!rc && ferror(out))
    rc = LETHE_E_IO;
  return rc;
}

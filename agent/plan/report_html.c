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
  ".path{font-family:monospace;word-break:break-all}.num{text-align:right;white-space:nowrap}"
  ".delete{color:#a00;font-weight:bold}.held{color:#850}.grace{color:#06c}.skip{color:#555}"
  ".report{color:#60a}"
  "p.note{font-size:.85em;color:#444}"
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

lethe_rc report_html(struct plan *p, FILE *out)
{
  struct page pg = { .out = out };
  char now[ISOTIME_LEN];
  lethe_rc rc = LETHE_OK;

  isotime_format(p->now, now);
  fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<title>Lethe plan %s</title><style>%s</style></head><body>\n"
          "<h1>Lethe plan (dry run: nothing has been deleted)</h1>\n"
          "<p>As of %s. Plan <code>%s</code>.</p>\n", now, style, now, p->hash);
  for(size_t i = 0; i < p->n_rules && !rc; i++) {
    summary(&pg, &p->rules[i]);
    if(!p->rules[i].error && p->rules[i].spool_end > p->rules[i].spool_begin) {
      fputs("<table><tr><th>Decision</th><th>Path</th><th>Size</th><th>Reason</th></tr>\n",
            out);
      rc = report_list(p, i, report_html_row, out);
      fputs("</table>\n", out);
    }
  }
  fputs("<p class=\"note\">Items not yet due are counted, not listed. Apply a reviewed plan "
        "with <code>lethe apply --plan FILE</code> after saving it with "
        "<code>--format json</code>.</p>\n</body></html>\n", out);
  if(!rc && ferror(out))
    rc = LETHE_E_IO;
  return rc;
}

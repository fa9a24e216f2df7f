/* The plan for people: grouped by rule, a summary first (how many, how big,
 * the oldest), then each listed item with the reason a person can check. */
#include "report.h"

#include <string.h>

#include "isotime.h"
#include "plan_entry.h"
#include "text.h"
#include "uri.h"

/* s, then spaces to width (printf's "%-*s"), or spaces, then s ("%*s"). */
static lethe_rc add_padded(struct dynbuf *out, const char *s, size_t width, bool right)
{
  static const char spaces[] = "                ";
  size_t n = strlen(s), pad = n < width ? width - n : 0;
  lethe_rc rc = LETHE_OK;
  if(pad > sizeof(spaces) - 1)
    pad = sizeof(spaces) - 1;
  if(right)
    rc = db_add(out, spaces, pad);
  if(!rc)
    rc = db_add(out, s, n);
  if(!rc && !right)
    rc = db_add(out, spaces, pad);
  return rc;
}

/* "  delete     1.2 MiB  path\n           reason\n"; nothing for an entry
 * whose path does not decode. */
lethe_rc report_text_item(const struct plan_entry *e, struct plan_render_bufs *b)
{
  char sz[16] = "";
  size_t mark = b->out.len;
  lethe_rc rc;

  db_reset(&b->a);
  db_reset(&b->b);
  rc = e->path ? uri_decode(e->path, &b->a) : LETHE_OK;
  if(!rc)
    rc = text_add_printable(&b->b, db_str(&b->a), b->a.len);
  if(rc)
    return rc == LETHE_E_PARSE ? LETHE_OK : rc;
  text_size(e->size, sz);
  rc = db_add(&b->out, "  ", 2);
  if(!rc)
    rc = add_padded(&b->out, decision_name(e->decision), 6, false);
  if(!rc)
    rc = db_add(&b->out, " ", 1);
  if(!rc)
    rc = add_padded(&b->out, sz, 10, true);
  if(!rc)
    rc = db_add(&b->out, "  ", 2);
  if(!rc)
    rc = db_add(&b->out, b->b.mem ? b->b.mem : "", b->b.len);
  if(!rc)
    rc = db_add(&b->out, "\n           ", 12);
  if(!rc)
    rc = db_adds(&b->out, e->reason);
  if(!rc)
    rc = db_add(&b->out, "\n", 1);
  if(rc)
    db_truncate(&b->out, mark);
  return rc;
}

static void rule_summary(const struct plan_rule *pr, FILE *out)
{
  char settings[1024], bytes[16], oldest[ISODATE_LEN];
  const struct rule *r = pr->rule;
  rule_describe(r, settings, sizeof(settings));
  text_size(pr->bytes[DECISION_DELETE], bytes);
  fprintf(out, "\nrule %s  %s\n  %s\n", r->name, r->source, settings);
  if(r->basis)
    fprintf(out, "  basis: %s\n", r->basis);
  if(pr->error) {
    fprintf(out, "  ERROR: %s\n", pr->error);
    return;
  }
  if(r->report)
    fprintf(out, "  report %llu item%s (never deleted)",
            (unsigned long long)pr->count[DECISION_REPORT],
            pr->count[DECISION_REPORT] == 1 ? "" : "s");
  else
    fprintf(out, "  delete %llu item%s (%s)", (unsigned long long)pr->count[DECISION_DELETE],
            pr->count[DECISION_DELETE] == 1 ? "" : "s", bytes);
  if(pr->has_oldest) {
    isotime_format_date(pr->oldest, oldest);
    fprintf(out, ", oldest %s", oldest);
  }
  fprintf(out, "; grace %llu, held %llu, skipped %llu, not due %llu; %llu scanned\n",
          (unsigned long long)pr->count[DECISION_GRACE],
          (unsigned long long)pr->count[DECISION_HELD],
          (unsigned long long)pr->count[DECISION_SKIP],
          (unsigned long long)pr->count[DECISION_KEEP],
          (unsigned long long)pr->source_items);
}

lethe_rc report_text(struct plan *p, FILE *out)
{
  char now[ISOTIME_LEN], bytes[16];
  uint64_t count[DECISION__COUNT], size[DECISION__COUNT];
  lethe_rc rc = LETHE_OK;

  isotime_format(p->now, now);
  fprintf(out, "Lethe plan %s\nnow %s (dry run: nothing has been deleted)\n", p->hash, now);
  for(size_t i = 0; i < p->n_rules && !rc; i++) {
    rule_summary(&p->rules[i], out);
    rc = report_list(p, i, report_text_item, out);
  }
  plan_totals(p, count, size);
  text_size(size[DECISION_DELETE], bytes);
  fprintf(out, "\ntotal: delete %llu (%s), grace %llu, held %llu, skipped %llu",
          (unsigned long long)count[DECISION_DELETE], bytes,
          (unsigned long long)count[DECISION_GRACE], (unsigned long long)count[DECISION_HELD],
          (unsigned long long)count[DECISION_SKIP]);
  if(count[DECISION_REPORT])
    fprintf(out, ", reported %llu", (unsigned long long)count[DECISION_REPORT]);
  fputc('\n', out);
  if(!rc && ferror(out))
    rc = LETHE_E_IO;
  return rc;
}

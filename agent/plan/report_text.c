/* The plan for people: grouped by rule, a summary first (how many, how big,
 * the oldest), then each listed item with the reason a person can check. */
#include "report.h"

#include <string.h>

#include "isotime.h"
#include "plan_entry.h"
#include "text.h"
#include "uri.h"

static lethe_rc item_line(void *ctx, const struct plan_entry *e)
{
  FILE *out = ctx;
  struct dynbuf path, shown;
  char sz[16] = "";
  const char *enc = e->path;
  lethe_rc rc;

  db_init(&path, 4 * 1024 * 1024);
  db_init(&shown, 4 * 1024 * 1024);
  rc = enc ? uri_decode(enc, &path) : LETHE_OK;
  if(!rc)
    rc = text_add_printable(&shown, path.mem ? path.mem : "", path.len);
  text_size(e->size, sz);
  if(!rc)
    fprintf(out, "  %-6s %10s  %s\n           %s\n", decision_name(e->decision), sz,
            db_str(&shown), e->reason);
  db_release(&path);
  db_release(&shown);
  return rc == LETHE_E_PARSE ? LETHE_OK : rc;
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
    rc = plan_each(p, i, item_line, out);
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

/* The plan as CSV (RFC 4180), one row per listed item, for spreadsheets. */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "plan_entry.h"

static void field(FILE *out, const char *s, bool last)
{
  bool quote = s && strpbrk(s, ",\"\r\n");
  if(quote) {
    fputc('"', out);
    for(; *s; s++) {
      if(*s == '"')
        fputc('"', out);
      fputc(*s, out);
    }
    fputc('"', out);
  }
  else if(s) {
    fputs(s, out);
  }
  fputs(last ? "\r\n" : ",", out);
}

static lethe_rc row(void *ctx, const struct plan_entry *e)
{
  FILE *out = ctx;
  char size[24];
  snprintf(size, sizeof(size), "%llu", (unsigned long long)e->size);
  field(out, e->rule, false);
  field(out, decision_name(e->decision), false);
  field(out, e->uri, false);
  field(out, item_kind_name(e->kind), false);
  field(out, size, false);
  field(out, e->clock_name, false);
  field(out, e->clock_value, false);
  field(out, e->expires, false);
  field(out, e->due, false);
  field(out, e->hold, false);
  field(out, e->action, false);
  field(out, e->reason, true);
  return ferror(out) ? LETHE_E_IO : LETHE_OK;
}

lethe_rc report_csv(struct plan *p, FILE *out)
{
  lethe_rc rc = LETHE_OK;
  fputs("rule,decision,uri,kind,size,clock,clock_value,expires,due,hold,action,reason\r\n",
        out);
  for(size_t i = 0; i < p->n_rules && !rc; i++)
    rc = plan_each(p, i, row, out);
  return rc;
}

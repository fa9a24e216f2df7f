/* The plan as CSV (RFC 4180), one row per listed item, for spreadsheets. */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "plan_entry.h"
#include "text.h"

/* One field and what follows it: quoted when it holds a comma, a quote or
 * a line break, its quotes doubled; NULL is an empty field. */
static lethe_rc field(struct dynbuf *out, const char *s, bool last)
{
  lethe_rc rc = LETHE_OK;
  if(s && strpbrk(s, ",\"\r\n")) {
    rc = db_add(out, "\"", 1);
    while(*s && !rc) {
      size_t run = strcspn(s, "\"");
      rc = db_add(out, s, run);
      s += run;
      if(*s && !rc) {
        rc = db_add(out, "\"\"", 2);
        s++;
      }
    }
    if(!rc)
      rc = db_add(out, "\"", 1);
  }
  else if(s) {
    rc = db_adds(out, s);
  }
  return rc ? rc : db_add(out, last ? "\r\n" : ",", last ? 2 : 1);
}

lethe_rc report_csv_row(const struct plan_entry *e, struct plan_render_bufs *b)
{
  const char *fields[] = {
    e->rule, decision_name(e->decision), e->uri, item_kind_name(e->kind), NULL,
    e->clock_name, e->clock_value, e->expires, e->due, e->hold, e->action, e->reason,
  };
  const size_t n = sizeof(fields) / sizeof(fields[0]);
  char size[24];
  lethe_rc rc = LETHE_OK;
  *text_put_u64(size, e->size) = '\0';
  fields[4] = size;
  for(size_t i = 0; i < n && !rc; i++)
    rc = field(&b->out, fields[i], i == n - 1);
  return rc;
}

lethe_rc report_csv(struct plan *p, FILE *out)
{
  lethe_rc rc = LETHE_OK;
  fputs("rule,decision,uri,kind,size,clock,clock_value,expires,due,hold,action,reason\r\n",
        out);
  for(size_t i = 0; i < p->n_rules && !rc; i++)
    rc = report_list(p, i, report_csv_row, out);
  return rc;
}

#include "report.h"

#include <stdio.h>
#include <string.h>

#include "plan_entry.h"

lethe_rc report_parse_format(const char *name, enum report_format *out)
{
  if(!strcmp(name, "text"))
    *out = REPORT_TEXT;
  else if(!strcmp(name, "json"))
    *out = REPORT_JSON;
  else if(!strcmp(name, "csv"))
    *out = REPORT_CSV;
  else if(!strcmp(name, "html"))
    *out = REPORT_HTML;
  else
    return LETHE_E_USAGE;
  return LETHE_OK;
}

lethe_rc report_write(struct plan *p, enum report_format f, FILE *out)
{
  switch(f) {
  case REPORT_JSON:
    return report_json(p, out);
  case REPORT_CSV:
    return report_csv(p, out);
  case REPORT_HTML:
    return report_html(p, out);
  default:
    return report_text(p, out);
  }
}

void report_prepare(struct plan *p, enum report_format f)
{
  switch(f) {
  case REPORT_TEXT:
    plan_render_with(p, report_text_item);
    break;
  case REPORT_CSV:
    plan_render_with(p, report_csv_row);
    break;
  case REPORT_HTML:
    plan_render_with(p, report_html_row);
    break;
  default:
    plan_join_lines(p); /* json: the plan's own lines, as its items array */
    break;
  }
}

struct render_now {
  plan_render_fn render;
  struct plan_render_bufs bufs;
  FILE *out;
};

static lethe_rc render_one(void *ctx, const struct plan_entry *e)
{
  struct render_now *r = ctx;
  lethe_rc rc;
  db_reset(&r->bufs.out);
  rc = r->render(e, &r->bufs);
  if(!rc && fwrite(r->bufs.out.mem, 1, r->bufs.out.len, r->out) != r->bufs.out.len)
    rc = LETHE_E_IO;
  return rc;
}

lethe_rc report_list(struct plan *p, size_t i, plan_render_fn render, FILE *out)
{
  struct render_now r = { .render = render, .out = out };
  lethe_rc rc;
  if(p->render == render)
    return plan_copy_rendered(p, i, out);
  plan_render_bufs_init(&r.bufs);
  rc = plan_each(p, i, render_one, &r);
  plan_render_bufs_release(&r.bufs);
  return rc;
}

/* The plan as CSV (RFC 4180), one row per listed item, for spreadsheets. */
#include "report.h"

#include <string.h>

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

static const char *get(struct json_object *o, const char *key)
{
  struct json_object *v;
  if(!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
    return NULL;
  return json_object_get_string(v);
}

static lethe_rc row(void *ctx, struct json_object *e)
{
  FILE *out = ctx;
  struct json_object *clock = NULL;
  json_object_object_get_ex(e, "clock", &clock);
  field(out, get(e, "rule"), false);
  field(out, get(e, "decision"), false);
  field(out, get(e, "uri"), false);
  field(out, get(e, "kind"), false);
  field(out, get(e, "size"), false);
  field(out, clock ? get(clock, "name") : NULL, false);
  field(out, clock ? get(clock, "value") : NULL, false);
  field(out, get(e, "expires"), false);
  field(out, get(e, "due"), false);
  field(out, get(e, "hold"), false);
  field(out, get(e, "action"), false);
  field(out, get(e, "reason"), true);
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

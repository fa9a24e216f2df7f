#include "report.h"

#include <stdio.h>
#include <string.h>

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

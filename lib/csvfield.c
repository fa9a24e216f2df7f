#include "csvfield.h"

#include <string.h>

const char *csv_field(const char **p, const char *end, struct dynbuf *out)
{
  const char *s = *p;
  db_reset(out);
  if(s < end && *s == '"') {
    for(s++;; s++) {
      /* One record per line: a quote left open does not swallow the next
       * lines, and line numbers stay true. */
      if(s >= end || *s == '\n')
        return "unterminated quoted field";
      if(*s == '"' && s + 1 < end && s[1] == '"')
        s++;
      else if(*s == '"')
        break;
      if(db_add(out, s, 1))
        return "field too long";
    }
    s++;
    if(s < end && *s != ',' && *s != '\n' && *s != '\r')
      return "text after a closing quote";
  }
  else {
    const char *start = s;
    while(s < end && *s != ',' && *s != '\n' && *s != '\r')
      s++;
    if(memchr(start, '"', (size_t)(s - start)))
      return "quote inside an unquoted field";
    if(db_add(out, start, (size_t)(s - start)))
      return "field too long";
  }
  *p = s;
  return NULL;
}

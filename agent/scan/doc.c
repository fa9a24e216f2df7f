/* Document XML to text: every text node goes to the scanner, and the end of
 * a paragraph, row or cell becomes a separator so that values in adjacent
 * cells never run together. Runs inside a paragraph (<w:r>, <a:r>,
 * <text:span>) are joined with nothing, as Word splits words across them. */
#include "office.h"

#include <string.h>

static const char *separator(const char *local)
{
  static const char *const lines[] = { "p", "h", "tr", "row", "si", "table-row", "br", "cr",
                                       "line-break", "list-item", "txBody" };
  static const char *const cells[] = { "tab", "tc", "c", "table-cell", "covered-table-cell" };
  size_t i;
  for(i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
    if(!strcmp(local, lines[i]))
      return "\n";
  for(i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
    if(!strcmp(local, cells[i]))
      return "\t";
  if(!strcmp(local, "s"))   /* <text:s/>: ODF's run of spaces */
    return " ";
  return NULL;
}

lethe_rc doc_end(void *ctx, const char *local)
{
  struct office *o = ctx;
  const char *sep = separator(local);
  return sep ? text_scan_feed(&o->ts, sep, 1) : LETHE_OK;
}

lethe_rc doc_text(void *ctx, const char *s, size_t n)
{
  struct office *o = ctx;
  return text_scan_feed(&o->ts, s, n);
}

const struct xml_handler doc_handler = { NULL, doc_end, doc_text };

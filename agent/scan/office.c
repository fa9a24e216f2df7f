/* Office containers: which members hold text, and in what order they are
 * read. Only fixed member names are opened; relationships, external links,
 * macros (vbaProject.bin), embedded objects and media are never read. */
#include "office.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

enum part {
  PART_NONE,
  PART_DOC,       /* document text */
  PART_SST,       /* xlsx shared strings: text */
  PART_SHEET,     /* xlsx worksheet: cells and the header */
  PART_ODF,       /* ODF content.xml: text and tables */
};

struct route {
  const char *glob;
  enum part part;
  enum scan_format format;
};

static const struct route routes[] = {
  { "word/document.xml", PART_DOC, SCAN_FMT_DOCX },
  { "word/header*.xml", PART_DOC, SCAN_FMT_DOCX },
  { "word/footer*.xml", PART_DOC, SCAN_FMT_DOCX },
  { "word/footnotes.xml", PART_DOC, SCAN_FMT_DOCX },
  { "word/endnotes.xml", PART_DOC, SCAN_FMT_DOCX },
  { "word/comments.xml", PART_DOC, SCAN_FMT_DOCX },
  { "xl/sharedStrings.xml", PART_SST, SCAN_FMT_XLSX },
  { "xl/worksheets/*.xml", PART_SHEET, SCAN_FMT_XLSX },
  { "xl/workbook.xml", PART_NONE, SCAN_FMT_XLSX },
  { "ppt/slides/*.xml", PART_DOC, SCAN_FMT_PPTX },
  { "ppt/notesSlides/*.xml", PART_DOC, SCAN_FMT_PPTX },
  { "ppt/presentation.xml", PART_NONE, SCAN_FMT_PPTX },
  { "content.xml", PART_ODF, SCAN_FMT_ODF },
  { "mimetype", PART_NONE, SCAN_FMT_ODF },
};

/* The route of a member name (FNM_PATHNAME: '*' stays within a folder). */
static const struct route *route_of(const char *name)
{
  size_t i;
  for(i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
    if(!fnmatch(routes[i].glob, name, FNM_PATHNAME))
      return &routes[i];
  return NULL;
}

static lethe_rc member(struct office *o, struct zip *z, enum part part, char *err, size_t errlen)
{
  const struct xml_handler *h = &doc_handler;
  lethe_rc rc;
  if(part == PART_SHEET) {
    h = &xlsx_sheet_handler;
    if(o->tables) {
      rc = sheets_begin(&o->sh);
      if(rc)
        return rc;
    }
  } else if(part == PART_ODF) {
    h = &odf_handler;
  }
  rc = xml_parse(z, h, o, o->r->lim.max_depth, err, errlen);
  o->sh.cur = NULL;
  if(!rc)   /* members never run together */
    rc = text_scan_feed(&o->ts, "\n", 1);
  return rc;
}

static lethe_rc members(struct office *o, const struct scan_input *in, char *err, size_t errlen)
{
  struct zip z;
  const char *name = "";
  lethe_rc rc = zip_open(&z, in, &o->r->lim, err, errlen);
  while(!rc) {
    const struct route *rt;
    rc = zip_next(&z, &name, err, errlen);
    if(rc || !name)
      break;
    rt = route_of(name);
    if(!rt)
      continue;
    if(o->out->format == SCAN_FMT_ZIP)
      o->out->format = rt->format;
    if(rt->part != PART_NONE)
      rc = member(o, &z, rt->part, err, errlen);
  }
  zip_close(&z);
  return rc;
}

lethe_rc scan_office(const struct scan_rules *r, const struct scan_input *in,
                     struct scan_findings *out, char *err, size_t errlen)
{
  struct office *o = calloc(1, sizeof(*o));
  lethe_rc rc;
  if(!o)
    return LETHE_E_NOMEM;
  o->r = r;
  o->out = out;
  o->tables = scan_wants(r, SCAN_PERSON_COLUMN);
  out->format = SCAN_FMT_ZIP;
  rc = text_scan_init(&o->ts, r, out);
  if(!rc)
    rc = members(o, in, err, errlen);
  if(!rc)
    rc = text_scan_finish(&o->ts);
  if(!rc && o->tables && out->format == SCAN_FMT_XLSX)
    rc = sst_resolve_and_report(o, in, err, errlen);
  else if(!rc && o->tables)
    sheets_report(&o->sh, out, NULL, NULL);
  text_scan_release(&o->ts);
  sheets_release(&o->sh);
  free(o);
  return rc;
}

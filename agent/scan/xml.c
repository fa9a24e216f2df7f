/* XML of zip members through xmlTextReader, guarded. */
#include "xml.h"

#include <libxml/xmlreader.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

struct feed {
  struct zip *z;
  char tail[16];        /* the end of the previous block, for the DTD guard */
  size_t tail_len;
  lethe_rc rc;          /* a failure inside the read callback */
  char err[256];
  char xmlerr[256];     /* the first message libxml2 gave */
};

/* Is "<!DOCTYPE" or "<!ENTITY" in p[0..n)? */
static bool find_dtd(const char *p, size_t n)
{
  const char *end = p + n, *lt;
  while(p < end && (lt = memchr(p, '<', (size_t)(end - p)))) {
    size_t left = (size_t)(end - lt);
    if((left >= 9 && !memcmp(lt, "<!DOCTYPE", 9)) || (left >= 8 && !memcmp(lt, "<!ENTITY", 8)))
      return true;
    p = lt + 1;
  }
  return false;
}

/* Refuse a DTD: "<!DOCTYPE" or "<!ENTITY" anywhere, even across blocks. */
static bool has_dtd(struct feed *f, const char *p, size_t n)
{
  char seam[32];
  size_t k = n < 16 ? n : 16;
  bool hit = find_dtd(p, n);
  memcpy(seam, f->tail, f->tail_len);
  memcpy(seam + f->tail_len, p, k);
  hit = hit || find_dtd(seam, f->tail_len + k);
  f->tail_len = n < 8 ? n : 8;
  memcpy(f->tail, p + n - f->tail_len, f->tail_len);
  return hit;
}

static int on_read(void *ctx, char *buf, int len)
{
  struct feed *f = ctx;
  size_t got;
  if(f->rc)
    return -1;
  f->rc = zip_read(f->z, buf, (size_t)len, &got, f->err, sizeof(f->err));
  if(!f->rc && got && has_dtd(f, buf, got))
    f->rc = scan_err(f->err, sizeof(f->err), LETHE_E_UNSAFE,
                     "member %s: has a DTD (refused: entities are never expanded)", f->z->member);
  return f->rc ? -1 : (int)got;
}

static int on_close(void *ctx)
{
  (void)ctx;
  return 0;
}

static void on_error(void *ctx, xmlErrorPtr e)
{
  struct feed *f = ctx;
  if(!f->xmlerr[0] && e && e->message)
    snprintf(f->xmlerr, sizeof(f->xmlerr), "line %d: %.*s", e->line,
             (int)strcspn(e->message, "\n"), e->message);
}

static lethe_rc node(xmlTextReaderPtr r, const struct xml_handler *h, void *ctx)
{
  int type = xmlTextReaderNodeType(r);
  const char *local = (const char *)xmlTextReaderConstLocalName(r);
  const char *value;
  lethe_rc rc = LETHE_OK;
  switch(type) {
  case XML_READER_TYPE_ELEMENT:
    if(h->start)
      rc = h->start(ctx, local, r);
    if(!rc && h->end && xmlTextReaderIsEmptyElement(r))
      rc = h->end(ctx, local);
    return rc;
  case XML_READER_TYPE_END_ELEMENT:
    return h->end ? h->end(ctx, local) : LETHE_OK;
  case XML_READER_TYPE_TEXT:
  case XML_READER_TYPE_CDATA:
  case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
    value = (const char *)xmlTextReaderConstValue(r);
    return h->text && value ? h->text(ctx, value, strlen(value)) : LETHE_OK;
  case XML_READER_TYPE_DOCUMENT_TYPE:
  case XML_READER_TYPE_ENTITY_REFERENCE:
  case XML_READER_TYPE_ENTITY:
    return LETHE_E_UNSAFE;
  default:
    return LETHE_OK;
  }
}

static lethe_rc walk(xmlTextReaderPtr r, struct feed *f, const struct xml_handler *h,
                     void *ctx, unsigned max_depth, char *err, size_t errlen)
{
  int more;
  lethe_rc rc = LETHE_OK;
  while((more = xmlTextReaderRead(r)) == 1) {
    if(xmlTextReaderDepth(r) > (int)max_depth)
      return scan_err(err, errlen, LETHE_E_RANGE, "member %s: line %d: elements nested deeper than %u",
                      f->z->member, xmlTextReaderGetParserLineNumber(r), max_depth);
    rc = node(r, h, ctx);
    if(rc == LETHE_E_UNSAFE)
      return scan_err(err, errlen, rc, "member %s: line %d: DTD or entity reference refused",
                      f->z->member, xmlTextReaderGetParserLineNumber(r));
    if(rc)
      return scan_err(err, errlen, rc, "member %s: %s", f->z->member,
                      rc == LETHE_E_NOMEM ? "out of memory" : "could not be scanned");
  }
  if(f->rc)
    return scan_err(err, errlen, f->rc, "%s", f->err);
  if(more < 0)
    return scan_err(err, errlen, LETHE_E_PARSE, "member %s: malformed XML: %s", f->z->member,
                    f->xmlerr[0] ? f->xmlerr : "parse error");
  return LETHE_OK;
}

lethe_rc xml_parse(struct zip *z, const struct xml_handler *h, void *ctx, unsigned max_depth,
                   char *err, size_t errlen)
{
  struct feed f;
  xmlTextReaderPtr r;
  lethe_rc rc;

  memset(&f, 0, sizeof(f));
  f.z = z;
  r = xmlReaderForIO(on_read, on_close, &f, z->member, NULL, XML_OPTIONS);
  if(!r)
    return f.rc ? scan_err(err, errlen, f.rc, "%s", f.err)
                : scan_err(err, errlen, LETHE_E_PARSE, "member %s: not XML", z->member);
  xmlTextReaderSetStructuredErrorHandler(r, on_error, &f);
  rc = walk(r, &f, h, ctx, max_depth, err, errlen);
  xmlFreeTextReader(r);
  return rc;
}

/* The attribute's value in the reader's own memory, valid until the next
 * read: no copy to free, so libxml2's xmlFree (a variable, which the
 * first-use loading of lazy.h cannot reach) is never needed. */
static const char *attr_value(xmlTextReaderPtr reader, const char *name)
{
  const xmlChar *v = NULL;
  if(xmlTextReaderMoveToAttribute(reader, (const xmlChar *)name) == 1) {
    v = xmlTextReaderConstValue(reader);
    xmlTextReaderMoveToElement(reader);
  }
  return (const char *)v;
}

long xml_attr_long(void *reader, const char *name, long dflt)
{
  const char *v = attr_value(reader, name);
  char *end;
  long n;
  if(!v)
    return dflt;
  n = strtol(v, &end, 10);
  if(end == v || *end)
    n = dflt;
  return n;
}

bool xml_attr_is(void *reader, const char *name, const char *value)
{
  const char *v = attr_value(reader, name);
  return v && !strcmp(v, value);
}

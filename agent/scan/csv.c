/* CSV header sniffing and row counting. */
#include "csv.h"

#include <string.h>

void csv_init(struct csv *c, bool tsv)
{
  memset(c, 0, offsetof(struct csv, header));
  c->in_header = true;
  c->tsv = tsv;
}

static char sniff(const struct csv *c)
{
  size_t i, n[3] = { 0, 0, 0 };
  bool q = false;
  for(i = 0; i < c->hlen; i++) {
    char ch = c->header[i];
    if(ch == '"')
      q = !q;
    else if(!q)
      n[0] += ch == ',', n[1] += ch == ';', n[2] += ch == '\t';
  }
  if(c->tsv && n[2])
    return '\t';
  if(n[1] > n[0] && n[1] >= n[2])
    return ';';
  if(n[2] > n[0] && n[2] > n[1])
    return '\t';
  return ',';
}

/* Split the header into cells and keep those that name a person. */
static void header_done(struct csv *c)
{
  size_t i, start = 0;
  bool q = false;
  c->in_header = false;
  c->delim = sniff(c);
  for(i = 0; i <= c->hlen; i++) {
    if(i < c->hlen && c->header[i] == '"')
      q = !q;
    if(i == c->hlen || (!q && c->header[i] == c->delim)) {
      columns_add(&c->cols, c->header + start, i - start);
      start = i + 1;
    }
  }
  explicit_bzero(c->header, c->hlen);
  if(!c->cols.found)
    c->done = true;
}

/* Header bytes up to the first newline outside quotes; returns bytes used. */
static size_t feed_header(struct csv *c, const unsigned char *p, size_t n)
{
  size_t i;
  for(i = 0; i < n; i++) {
    if(p[i] == '"')
      c->quoted = !c->quoted;
    else if(p[i] == '\n' && !c->quoted) {
      header_done(c);
      return i + 1;
    }
    if(c->hlen == CSV_HEADER_MAX) {   /* no header a person would write */
      c->done = true;
      return n;
    }
    c->header[c->hlen++] = (char)p[i];
  }
  return n;
}

static bool blank(unsigned char ch, char delim)
{
  return ch == ' ' || ch == '\r' || ch == (unsigned char)delim;
}

void csv_feed(struct csv *c, const unsigned char *p, size_t n)
{
  size_t i;
  if(c->done)
    return;
  if(c->in_header) {
    size_t used = feed_header(c, p, n);
    p += used;
    n -= used;
    c->quoted = false;
    if(c->done || c->in_header)
      return;
  }
  for(i = 0; i < n; i++) {
    unsigned char ch = p[i];
    if(ch == '"')
      c->quoted = !c->quoted;
    if(ch == '\n' && !c->quoted) {
      c->rows += c->row_has;
      c->row_has = false;
    } else if(!c->row_has && !blank(ch, c->delim))
      c->row_has = true;
  }
}

void csv_finish(struct csv *c, struct scan_findings *f)
{
  if(c->in_header && !c->done && c->hlen)
    header_done(c);
  if(!c->done && !c->in_header) {
    c->rows += c->row_has;
    findings_add_rows(f, c->rows, c->cols.list);
  }
  explicit_bzero(c->header, c->hlen);
  c->hlen = 0;
}

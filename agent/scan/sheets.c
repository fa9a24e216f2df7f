/* Spreadsheet tables for the person-column detector: the first row of each
 * xlsx worksheet or ODF table is its header; the rows after it that hold
 * anything are its data rows. Cell text also goes to the text scanner. */
#include "office.h"
#include "columns.h"

#include <stdlib.h>
#include <string.h>

#define ODF_REPEAT_MAX (1L << 20)

lethe_rc sheets_begin(struct sheets *sh)
{
  sh->cur = NULL;
  sh->row_no = 0;
  if(sh->n == SHEETS_MAX)
    return LETHE_OK;   /* scanned as text, but its header is not kept */
  sh->cur = calloc(1, sizeof(*sh->cur));
  if(!sh->cur)
    return LETHE_E_NOMEM;
  sh->v[sh->n++] = sh->cur;
  return LETHE_OK;
}

static void cell_begin(struct sheets *sh, bool sst)
{
  sh->in_cell = true;
  sh->cell_has = false;
  sh->cell_sst = sst;
  sh->cell.sst = -1;
  sh->cell.len = 0;
}

/* Text inside a cell: header text kept, shared-string index parsed. */
static void cell_text(struct sheets *sh, const char *s, size_t n)
{
  struct sheet_cell *c = &sh->cell;
  size_t i;
  if(!n)
    return;
  sh->cell_has = true;
  if(sh->row_no != 1)
    return;
  if(sh->cell_sst) {
    for(i = 0; i < n && s[i] >= '0' && s[i] <= '9' && c->sst < 100000000; i++)
      c->sst = (c->sst < 0 ? 0 : c->sst * 10) + (s[i] - '0');
    return;
  }
  for(i = 0; i < n && c->len + 1 < CELL_TEXT; i++)
    c->text[c->len++] = s[i];
}

static void cell_end(struct sheets *sh)
{
  sh->in_cell = false;
  if(sh->cell_has)
    sh->row_has = true;
  if(sh->row_no == 1 && sh->cur && sh->cur->ncells < HEADER_CELLS && sh->cell_has)
    sh->cur->cells[sh->cur->ncells++] = sh->cell;
  explicit_bzero(&sh->cell, sizeof(sh->cell));
}

static void row_end(struct sheets *sh, long repeat)
{
  if(sh->row_no > 1 && sh->row_has && sh->cur)
    sh->cur->rows += (uint64_t)repeat;
  sh->row_has = false;
}

/* xlsx: <row><c t="s"><v>3</v></c><c t="inlineStr"><is><t>Name</t></is></c>... */
static lethe_rc xlsx_start(void *ctx, const char *local, void *reader)
{
  struct office *o = ctx;
  struct sheets *sh = &o->sh;
  if(!strcmp(local, "row"))
    sh->row_no++;
  else if(!strcmp(local, "c"))
    cell_begin(sh, xml_attr_is(reader, "t", "s"));
  else if(!strcmp(local, "v") || !strcmp(local, "t"))
    sh->in_value = sh->in_cell;
  return LETHE_OK;
}

static lethe_rc xlsx_end(void *ctx, const char *local)
{
  struct office *o = ctx;
  struct sheets *sh = &o->sh;
  if(!strcmp(local, "v") || !strcmp(local, "t"))
    sh->in_value = false;
  else if(!strcmp(local, "c") && sh->in_cell) {
    bool sst = sh->cell_sst;
    cell_end(sh);
    return sst ? LETHE_OK : text_scan_feed(&o->ts, "\t", 1);
  } else if(!strcmp(local, "row")) {
    row_end(sh, 1);
    return text_scan_feed(&o->ts, "\n", 1);
  }
  return LETHE_OK;
}

static lethe_rc xlsx_text(void *ctx, const char *s, size_t n)
{
  struct office *o = ctx;
  struct sheets *sh = &o->sh;
  if(!sh->in_value)
    return LETHE_OK;
  cell_text(sh, s, n);
  return sh->cell_sst ? LETHE_OK : text_scan_feed(&o->ts, s, n);
}

const struct xml_handler xlsx_sheet_handler = { xlsx_start, xlsx_end, xlsx_text };

/* ODF: <table:table><table:table-row table:number-rows-repeated="3">
 * <table:table-cell><text:p>Name</text:p></table:table-cell>... */
static lethe_rc odf_start(void *ctx, const char *local, void *reader)
{
  struct office *o = ctx;
  struct sheets *sh = &o->sh;
  if(!strcmp(local, "table")) {
    if(sh->table_depth++ == 0 && o->tables)
      return sheets_begin(sh);
  } else if(sh->table_depth == 1 && !strcmp(local, "table-row")) {
    long rep = xml_attr_long(reader, "table:number-rows-repeated", 1);
    sh->repeat = rep < 1 ? 1 : rep > ODF_REPEAT_MAX ? ODF_REPEAT_MAX : rep;
    sh->row_no++;
  } else if(sh->table_depth == 1 && (!strcmp(local, "table-cell") ||
                                     !strcmp(local, "covered-table-cell"))) {
    cell_begin(sh, false);
  }
  return LETHE_OK;
}

static lethe_rc odf_end(void *ctx, const char *local)
{
  struct office *o = ctx;
  struct sheets *sh = &o->sh;
  if(!strcmp(local, "table")) {
    if(--sh->table_depth == 0)
      sh->cur = NULL;
  } else if(sh->table_depth == 1 && !strcmp(local, "table-row")) {
    row_end(sh, sh->repeat);
  } else if(sh->table_depth == 1 && sh->in_cell &&
            (!strcmp(local, "table-cell") || !strcmp(local, "covered-table-cell"))) {
    cell_end(sh);
  } else if(sh->in_cell && sh->row_no == 1 && (!strcmp(local, "p") || !strcmp(local, "s"))) {
    cell_text(sh, " ", 1);
  }
  return doc_end(ctx, local);
}

static lethe_rc odf_text(void *ctx, const char *s, size_t n)
{
  struct office *o = ctx;
  if(o->sh.in_cell)
    cell_text(&o->sh, s, n);
  return doc_text(ctx, s, n);
}

const struct xml_handler odf_handler = { odf_start, odf_end, odf_text };

void sheets_report(struct sheets *sh, struct scan_findings *out,
                   const char *(*lookup)(void *ctx, long idx), void *ctx)
{
  unsigned i, k;
  for(i = 0; i < sh->n; i++) {
    struct sheet *s = sh->v[i];
    struct columns c;
    if(!s->rows)
      continue;
    memset(&c, 0, sizeof(c));
    for(k = 0; k < s->ncells; k++) {
      const struct sheet_cell *cell = &s->cells[k];
      const char *t = cell->sst >= 0 && lookup ? lookup(ctx, cell->sst) : NULL;
      if(t)
        columns_add(&c, t, strlen(t));
      else if(cell->sst < 0)
        columns_add(&c, cell->text, cell->len);
    }
    if(c.found)
      findings_add_rows(out, s->rows, c.list);
  }
}

void sheets_release(struct sheets *sh)
{
  unsigned i;
  for(i = 0; i < sh->n; i++) {
    explicit_bzero(sh->v[i], sizeof(*sh->v[i]));
    free(sh->v[i]);
  }
  explicit_bzero(sh, sizeof(*sh));
}

/* Office documents: what the members of a docx, xlsx, pptx or ODF file
 * share while one is scanned. (office.c routes the members, doc.c turns
 * document XML into text, sheets.c follows spreadsheet tables for the
 * person-column detector, sst.c looks up xlsx shared strings.) */
#ifndef LETHE_SCAN_OFFICE_H
#define LETHE_SCAN_OFFICE_H

#include <stdbool.h>
#include <stdint.h>
#include "text.h"
#include "xml.h"

#define SHEETS_MAX 256
#define HEADER_CELLS 64
#define CELL_TEXT 48

/* One header cell: inline text, or an index into the shared strings. */
struct sheet_cell {
  long sst;               /* -1: text holds the cell */
  size_t len;
  char text[CELL_TEXT];
};

/* A table's header row and how many data rows follow it. */
struct sheet {
  unsigned ncells;
  uint64_t rows;
  struct sheet_cell cells[HEADER_CELLS];
};

/* Where the parse of a table is. */
struct sheets {
  struct sheet *v[SHEETS_MAX];
  unsigned n;
  struct sheet *cur;       /* NULL: not in a table, or past SHEETS_MAX */
  uint64_t row_no;         /* rows begun in the current table */
  long repeat;             /* ODF: times the current row repeats */
  int table_depth;         /* ODF: tables nest; only the outermost counts */
  bool row_has, in_cell, cell_has, cell_sst, in_value;
  struct sheet_cell cell;
};

struct office {
  const struct scan_rules *r;
  struct scan_findings *out;
  struct text_scan ts;
  bool tables;             /* the person-column detector is wanted */
  struct sheets sh;
};

/* doc.c: the handler for document XML (docx, pptx, xlsx shared strings,
 * ODF): all text to the scanner, paragraphs and cells separated. */
extern const struct xml_handler doc_handler;
/* Feed the separator that ends element `local`, if any. */
lethe_rc doc_end(void *office, const char *local) WUR;
lethe_rc doc_text(void *office, const char *s, size_t n) WUR;

/* sheets.c: xlsx worksheets, and ODF content (text plus tables). */
extern const struct xml_handler xlsx_sheet_handler;
extern const struct xml_handler odf_handler;
/* Start a new worksheet (xlsx: each worksheet member is one). */
lethe_rc sheets_begin(struct sheets *sh) WUR;
/* Record the person-column findings of every table whose header is
 * resolved (lookup: shared string texts by index, may be NULL). */
void sheets_report(struct sheets *sh, struct scan_findings *out,
                   const char *(*lookup)(void *ctx, long idx), void *ctx);
/* Free and wipe. */
void sheets_release(struct sheets *sh);

/* sst.c: resolve the shared-string indices that headers use (a second pass
 * over the container), then report the tables. */
lethe_rc sst_resolve_and_report(struct office *o, const struct scan_input *in,
                                char *err, size_t errlen) WUR;

#endif

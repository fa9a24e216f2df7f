/* CSV files: the header row and the count of data rows, for the
 * person-column detector. (The text detectors see CSV as plain text.)
 *
 * The delimiter is sniffed from the header among ',', ';' and tab (most
 * frequent outside quotes; tab for .tsv); quoted fields may hold
 * delimiters, doubled quotes and newlines. Memory is one header record
 * (at most CSV_HEADER_MAX bytes); rows are only counted. */
#ifndef LETHE_SCAN_CSV_H
#define LETHE_SCAN_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "columns.h"
#include "scan_internal.h"

#define CSV_HEADER_MAX 16384

struct csv {
  bool done;          /* the header names no person: nothing more to do */
  bool in_header;
  bool quoted;
  bool row_has;       /* the current data row holds a non-blank field */
  bool tsv;
  char delim;
  size_t hlen;
  uint64_t rows;
  struct columns cols;
  char header[CSV_HEADER_MAX];
};

/* Start tracking a CSV file (tsv: the name ends in .tsv). */
void csv_init(struct csv *c, bool tsv);

/* The next n bytes of the file. */
void csv_feed(struct csv *c, const unsigned char *p, size_t n);

/* The file ended: record the rows in f if the header names a person and
 * there is at least one data row. Wipes the header. */
void csv_finish(struct csv *c, struct scan_findings *f);

#endif

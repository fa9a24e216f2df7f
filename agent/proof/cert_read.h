/* Reading one certificate file as it streams: a lethe-certificate/1
 * certificate, a lethe-certificate/2 certificate (ID.json) or one of its
 * parts (ID.part-NNNN.json). Its items come one by one, in the same form
 * whatever the schema (struct cert_item), and the rest of its top level
 * (id, schema, rules, totals, parts...) is kept as json-c values, small in
 * every schema. Memory: the file's "groups" and "details" tables (bounded
 * by CERT_PART_BYTES when lethe wrote it), never its items.
 *
 * Strict reading checks the canonical form too (canon_scan.h): lethe
 * verify. A lenient reader takes any JSON; when a file puts its tables
 * after its items (a certificate someone reformatted), read it twice: the
 * first pass, without fn, keeps the tables for the second
 * (cert_reader_again). */
#ifndef LETHE_CERT_READ_H
#define LETHE_CERT_READ_H

#include <json-c/json.h>
#include <stdbool.h>

#include "canon_scan.h"
#include "certificate.h"

/* A "groups" entry: what many items share. */
struct cert_group {
  const char *clock, *kind, *level, *level_reason, *method, *plugin, *rule, *store;
  bool recovered;
  char *block;
};

struct cert_reader {
  struct canon_scan scan;
  cert_item_fn fn;            /* NULL: items are only counted */
  void *ctx;
  struct json_object *meta;   /* top-level members but items and tables */
  char key[64];               /* the top-level member being read */
  int column[32];             /* row position -> enum cert_column, -1 unknown */
  size_t n_columns;
  struct cert_group *groups;
  size_t n_groups, cap_groups;
  char **details;
  size_t n_details, cap_details;
  bool tables_kept;           /* a later pass leaves the tables alone */
  int in;                     /* which top-level member: cert_read.c's enum */
  bool row;                   /* the item being read is a row (else an object) */
  char field[32];             /* an item object's member being read */
  char clock_field[8];        /* and its clock's */
  struct dynbuf text;         /* the item's strings, NUL-separated */
  size_t at[20];              /* offsets into text, SIZE_MAX: null */
  uint64_t size, group;
  long detail;                /* rows: the detail's index, -1 none */
  bool recovered, has_group;
  uint64_t n_items;
  char why[256];
};

void cert_reader_init(struct cert_reader *r, bool strict, cert_item_fn fn, void *ctx);

/* Read the next n bytes of the file. LETHE_E_PARSE with cert_reader_why()
 * when it is not JSON, not canonical (strict), or not a certificate's
 * shape; other codes are fn's. */
lethe_rc cert_reader_feed(struct cert_reader *r, const void *data, size_t n) WUR;

/* The file ends here. */
lethe_rc cert_reader_finish(struct cert_reader *r) WUR;

/* Read the same file again from its first byte, with the tables the last
 * pass read, calling fn this time. */
void cert_reader_again(struct cert_reader *r, cert_item_fn fn, void *ctx);

const char *cert_reader_why(const struct cert_reader *r);

/* The top-level member key (NULL when missing) and, as text, a string one
 * (NULL when missing or not a string). */
struct json_object *cert_reader_get(const struct cert_reader *r, const char *key);
const char *cert_reader_str(const struct cert_reader *r, const char *key);

void cert_reader_release(struct cert_reader *r);

#endif

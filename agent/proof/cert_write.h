/* Writing a certificate (lethe-certificate/2) item by item, in memory
 * bounded by CERT_PART_BYTES whatever the run's size.
 *
 * Items go into the current file's rows and tables. When the next one would
 * take them past CERT_PART_BYTES, they are handed to emit as a part file
 * (ID.part-NNNN.json) and the next file starts empty; at the end,
 * cert_writer_head gives the certificate itself, ID.json: the items too
 * when no part was needed, else the list of parts with their SHA-256. Files
 * are handed over as pieces to be written one after the other (and signed
 * as they are): they are never assembled in memory. */
#ifndef LETHE_CERT_WRITE_H
#define LETHE_CERT_WRITE_H

#include <stdbool.h>
#include <sys/uio.h>

#include "cert_intern.h"
#include "cert_journal.h"
#include "certificate.h"

#define CERT_PIECES 8

/* One file: its name and its bytes, the concatenation of the pieces. */
struct cert_file {
  char name[64];
  struct iovec v[CERT_PIECES];
  size_t n;
};

/* Store f (the caller's business: a git blob, a file) and put the hex
 * SHA-256 of its bytes in sha256. */
typedef lethe_rc (*cert_emit_fn)(void *ctx, const struct cert_file *f,
                                 char sha256[SHA256_HEX_LEN]);

struct cert_writer {
  char id[UUID_TEXT_LEN];
  cert_emit_fn emit;
  void *ctx;
  size_t part_bytes;          /* CERT_PART_BYTES (tests make it smaller) */
  struct dynbuf rows;         /* the current file's rows, joined by ',' */
  uint64_t n_rows;
  struct cert_intern groups, details;
  struct dynbuf row, group;   /* scratch for the item being added */
  unsigned parts;             /* part files emitted */
  struct dynbuf parts_list;   /* their {"file","items","sha256"} entries */
  struct dynbuf head, tail;   /* the head's text around its tables */
  struct dynbuf part_text;    /* a part's text around its tables */
  uint64_t deleted, failed, skipped, held, items, bytes_deleted;
  bool any_recovered;
};

void cert_writer_init(struct cert_writer *w, const char *id, cert_emit_fn emit, void *ctx);

/* Add one item (totals follow). May emit a part first. */
lethe_rc cert_writer_add(struct cert_writer *w, const struct cert_item *it) WUR;

/* No more items: if parts were emitted, the last rows become one too. */
lethe_rc cert_writer_finish(struct cert_writer *w) WUR;

/* What the head says beside its items; previous is NULL for the first
 * certificate of a ledger. */
struct cert_head {
  const struct cert_run *run;
  const struct cert_context *ctx;
  const char *issued_at;      /* ISO 8601, the ctx's issued_at formatted */
  const char *previous;
};

/* The head file ID.json into f, after cert_writer_finish; its pieces stay
 * valid until the next call or cert_writer_release. May be called again
 * (another previous) for another attempt. */
lethe_rc cert_writer_head(struct cert_writer *w, const struct cert_head *h,
                          struct cert_file *f) WUR;

void cert_writer_release(struct cert_writer *w);

#endif

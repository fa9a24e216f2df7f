/* The text scanner: runs the detectors over a stream of text.
 *
 * Text arrives in pieces of any size (a read() block, an XML text node, a
 * PDF page) and is kept in one buffer of fixed size. Each round examines the
 * triggers (an '@', the first digit of a digit run) up to SCAN_AHEAD bytes
 * before the end of what has arrived, then keeps the last SCAN_BEHIND +
 * SCAN_AHEAD bytes for the next round. So every value shorter than
 * SCAN_AHEAD is seen whole exactly once, wherever the pieces were cut, and
 * memory stays flat however long the stream. Bytes that are not UTF-8 are
 * read as Latin-1 (and so become UTF-8) on the way in. Every byte of text
 * held is wiped before it is freed. */
#ifndef LETHE_SCAN_TEXT_H
#define LETHE_SCAN_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include "scan_internal.h"

/* The most text one text_scan_space() hands out. */
#define TEXT_BLOCK (256u << 10)

struct clients_match;

struct text_scan {
  const struct scan_rules *rules;
  struct scan_findings *out;
  struct clients_match *cm;   /* NULL without a client list */
  unsigned char *buf;
  size_t cap;
  size_t len;        /* bytes in buf */
  size_t valid;      /* buf[0..valid) is UTF-8; the rest an unfinished sequence */
  size_t keep;       /* buf[0..keep) was examined already: context only */
  uint64_t base;     /* stream offset of buf[0] */
  uint64_t resume;   /* stream offset before which no trigger is examined */
  uint64_t resume_cn;
  unsigned char *scratch;
  bool triggers;     /* any detector besides client-name wanted */
};

/* Start scanning a stream whose findings go to out (not cleared). */
lethe_rc text_scan_init(struct text_scan *t, const struct scan_rules *r,
                        struct scan_findings *out) WUR;

/* Space for the next piece: up to *room (at most TEXT_BLOCK) bytes may be
 * written at the pointer returned, then handed over with text_scan_commit. */
unsigned char *text_scan_space(struct text_scan *t, size_t *room);

/* The next n bytes were written into the space. */
lethe_rc text_scan_commit(struct text_scan *t, size_t n) WUR;

/* Copy n bytes in (any size). */
lethe_rc text_scan_feed(struct text_scan *t, const void *p, size_t n) WUR;

/* The stream ended: examine what is left. */
lethe_rc text_scan_finish(struct text_scan *t) WUR;

/* Wipe and free the buffers. */
void text_scan_release(struct text_scan *t);

struct view;

/* Run the wanted detectors at every trigger in v[from, limit) and record
 * what they find in out. Returns the view offset from which the next round
 * must look for triggers: past the last value found, and at least limit.
 * (triggers.c) */
size_t text_triggers(const struct scan_rules *r, struct scan_findings *out,
                     const struct view *v, size_t from, size_t limit);

#endif

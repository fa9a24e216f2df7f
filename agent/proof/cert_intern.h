/* A table of distinct texts, numbered in the order they were first added:
 * a certificate file's "groups" and "details". The texts are kept joined by
 * commas, which is exactly how the file lists them. */
#ifndef LETHE_CERT_INTERN_H
#define LETHE_CERT_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "dynbuf.h"

struct cert_intern {
  struct dynbuf text;         /* "t0,t1,..." */
  size_t *off, *len;          /* where each text is in text */
  size_t n, cap;
  uint32_t *slots;            /* open addressing: index + 1, 0 for empty */
  size_t n_slots;
  size_t last;                /* the text added last (items in a row share
                                 one): looked at before hashing */
};

void cert_intern_init(struct cert_intern *t, size_t max_bytes);

/* The number of s[0..n) in the table, or -1. */
long cert_intern_find(const struct cert_intern *t, const char *s, size_t n);

/* Add s[0..n) if it is not there; its number into *index. */
lethe_rc cert_intern_add(struct cert_intern *t, const char *s, size_t n, size_t *index) WUR;

/* Bytes the table would hold with s[0..n) added (its current size when s is
 * in it already). */
size_t cert_intern_size_with(const struct cert_intern *t, const char *s, size_t n);

/* Empty the table, keeping its memory. */
void cert_intern_reset(struct cert_intern *t);

void cert_intern_release(struct cert_intern *t);

#endif

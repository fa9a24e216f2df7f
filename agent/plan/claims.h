/* Items claimed for deletion by a rule, so that a later rule selecting the
 * same file reports it as skipped instead of planning a second deletion that
 * apply would only find already done. Keyed by a 64-bit hash of the item's
 * identity: a collision can only make Lethe delete less, never more. */
#ifndef LETHE_CLAIMS_H
#define LETHE_CLAIMS_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

struct claims {
  struct claim {
    uint64_t key;     /* 0: empty slot */
    uint32_t owner;   /* index of the rule that claimed it */
  } *slots;
  size_t cap, count;
};

/* The rule index that claimed identity, or -1. */
long claims_owner(const struct claims *c, const char *identity);

/* Claim identity for rule owner (first claim wins). */
lethe_rc claims_add(struct claims *c, const char *identity, uint32_t owner) WUR;

void claims_release(struct claims *c);

#endif

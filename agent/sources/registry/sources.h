/* The stores this lethe knows (sources.c lists them), and what needs all
 * of them: binding each rule to its store, reading any store's identities. */
#ifndef LETHE_SOURCES_H
#define LETHE_SOURCES_H

#include "source.h"

/* The store of every rule in rs: find it by the source's scheme, then let
 * it check the rule (its URI, settings, clocks; a rule without a clock gets
 * the store's default). Every problem goes to d as FILE:LINE. Returns
 * LETHE_E_CONFIG when any was found, LETHE_E_NOMEM when memory ran out. */
lethe_rc sources_bind(struct ruleset *rs, struct diag *d) WUR;

/* The typed identity of an item of store (a LETHE_STORE_* bit) from its
 * text; LETHE_E_PARSE for text that is not one, or a store no source
 * yields. */
lethe_rc source_identity(uint32_t store, const char *text, struct lethe_identity *out) WUR;

#endif

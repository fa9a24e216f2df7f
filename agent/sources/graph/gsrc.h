/* Internals of the graph:// source, shared by its files: source_graph.c
 * (the table: rules, URIs, identities), gsrc.c (opening a scan, helpers),
 * gsrc_mail.c, gsrc_calendar.c and gsrc_drive.c (the scans) and
 * gsrc_presence.c (what recovery asks). Not an interface for anyone else. */
#ifndef LETHE_GSRC_H
#define LETHE_GSRC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "graph_client.h"
#include "graph_ident.h"
#include "graph_uri.h"
#include "source.h"

/* Rule settings of graph sources beyond graph_config's. */
#define GSRC_ITEMS "items"        /* calendar sources: events (default) or calendar */

/* One scan (or presence question) of one rule. */
struct gsrc {
  const struct rule *r;
  struct graph_source src;
  struct graph_config cfg;
  struct graph_client c;
  bool open;
  item_sink sink;
  void *ctx;
  struct scan_stats *stats;
  int64_t now;
  char held_by[400];          /* the phrase for items the store holds */
  char problem[600];
  struct dynbuf rel;          /* scratch: the item's path */
};

/* Parse r's source and settings and set up a client (no request yet).
 * Errors name the rule's source. */
lethe_rc gsrc_open(struct gsrc *g, const struct rule *r, struct lethe_err *err) WUR;

void gsrc_close(struct gsrc *g);

/* Whether the rule takes a calendar as one item (items = calendar). */
bool gsrc_whole_calendar(const struct rule *r);

/* The latest clock value that can be due at now under r's retain. */
int64_t gsrc_latest_due(const struct rule *r, int64_t now);

/* Whether the JSON array o[key] holds the string cat (case-insensitive, as
 * Outlook compares category names). */
bool gsrc_has_string(struct json_object *o, const char *key, const char *cat);

/* Lower-case hex SHA-256 of s[0..n) into hex (65 bytes). */
void gsrc_sha256_hex(const char *s, size_t n, char hex[65]);

/* The scans: yield the items of g->src to g->sink. */
lethe_rc gsrc_scan_mail(struct gsrc *g, struct lethe_err *err) WUR;
lethe_rc gsrc_scan_calendar(struct gsrc *g, struct lethe_err *err) WUR;
lethe_rc gsrc_scan_drive(struct gsrc *g, struct lethe_err *err) WUR;

/* source_ops.presence of graph rules (gsrc_presence.c). */
lethe_rc gsrc_presence(const struct rule *r, const char *const *identities,
                       const char *const *paths, size_t n, enum source_presence *out,
                       struct lethe_err *err) WUR;

#endif

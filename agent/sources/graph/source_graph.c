#include "source_graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "graph_config.h"
#include "graph_creds.h"
#include "gsrc.h"
#include "log.h"
#include "uri.h"

/* ---- the rule ----------------------------------------------------------------- */

static int line_of(const struct rule *r, const char *key)
{
  for(size_t i = 0; i < r->n_settings; i++)
    if(!strcmp(r->settings[i].key, key))
      return r->setting_lines[i];
  return r->line;
}

/* credentials and ca-file relative to the rule file, as for IMAP. */
static void absolute_paths(struct rule *r, struct diag *d)
{
  for(size_t i = 0; i < r->n_settings; i++) {
    const char *v = r->settings[i].value;
    char *abs;
    if((strcmp(r->settings[i].key, "credentials") && strcmp(r->settings[i].key, "ca-file")) ||
       v[0] == '/')
      continue;
    abs = config_resolve(r->file, v);
    if(!abs || rule_set_setting(r, i, abs))
      diag_error(d, r->file, r->setting_lines[i], "out of memory");
    free(abs);
  }
}

static bool clock_fits(enum graph_kind kind, bool whole, enum clock_kind c)
{
  switch(kind) {
  case GRAPH_MAIL:
    return c == CLOCK_RECEIVED || c == CLOCK_SENT || c == CLOCK_CREATED || c == CLOCK_MODIFIED;
  case GRAPH_CALENDAR:
    return c == CLOCK_END || (!whole && (c == CLOCK_CREATED || c == CLOCK_MODIFIED));
  default:
    return c == CLOCK_CREATED || c == CLOCK_MODIFIED || c == CLOCK_NAME;
  }
}

static void check_kind(struct rule *r, const struct graph_source *s, struct diag *d)
{
  const char *items = rule_setting(r, GSRC_ITEMS);
  bool whole = items && !strcmp(items, "calendar");
  static const char *const defaults[] = { "received", "end", "modified" };
  if(items && (s->kind != GRAPH_CALENDAR || (strcmp(items, "events") && !whole)))
    diag_error(d, r->file, line_of(r, GSRC_ITEMS), "[rule %s]: items '%s': %s", r->name, items,
               s->kind == GRAPH_CALENDAR ? "expected events or calendar"
                                         : "only a calendar source takes it");
  if(s->kind != GRAPH_DRIVE && (r->select.n || r->except.n || r->subject))
    diag_error(d, r->file, r->line, "[rule %s]: select, except and subject apply to drive "
               "sources only (a mail or calendar rule covers one whole folder)", r->name);
  if(!r->has_clock && s->kind != GRAPH_MAIL) {
    r->has_clock = true;
    r->clock = s->kind == GRAPH_CALENDAR ? CLOCK_END : CLOCK_MODIFIED;
  }
  /* A clock no Graph item has is refused by sources_bind, once. */
  if(r->has_clock && r->clock != CLOCK_EVENTS &&
     (source_graph_ops.clocks & SOURCE_CLOCK(r->clock)) && !clock_fits(s->kind, whole, r->clock))
    diag_error(d, r->file, r->line, "[rule %s]: clock '%s' does not apply to %s (use %s%s)",
               r->name, clock_name(r->clock),
               s->kind == GRAPH_MAIL ? "messages" : s->kind == GRAPH_DRIVE ? "drive items"
               : whole ? "a whole calendar" : "events", defaults[s->kind],
               s->kind == GRAPH_MAIL ? ", sent, created or modified"
               : s->kind == GRAPH_DRIVE ? ", created or name" : whole ? "" : ", created or modified");
}

static void graph_finish_rule(struct rule *r, struct diag *d)
{
  struct graph_source s;
  struct graph_config cfg;
  struct lethe_err err = { 0 };
  size_t bad = SIZE_MAX;
  if(graph_source_parse(r->source, &s, &err)) {
    diag_error(d, r->file, r->source_line, "[rule %s]: %s", r->name, err.msg);
    return;
  }
  absolute_paths(r, d);
  if(graph_config_read(&cfg, r->settings, r->n_settings, &bad, &err))
    diag_error(d, r->file, bad < r->n_settings ? r->setting_lines[bad] : r->line,
               "[rule %s]: %s", r->name, err.msg);
  check_kind(r, &s, d);
  graph_source_release(&s);
}

/* A credentials file a run could not use is an error; reads only the file
 * (never prints it). */
static void graph_check(const struct rule *r, struct diag *d)
{
  struct graph_creds *c = malloc(sizeof(*c));
  struct lethe_err err = { 0 };
  const char *path = rule_setting(r, "credentials");
  if(!c)
    return;
  if(!path)
    diag_error(d, r->file, r->line, "[rule %s] has no 'credentials': it cannot be scanned",
               r->name);
  else if(graph_creds_read(path, c, &err))
    diag_error(d, r->file, r->line, "[rule %s]: %s", r->name, err.msg);
  graph_creds_wipe(c);
  free(c);
}

/* ---- scanning ------------------------------------------------------------------- */

static lethe_rc graph_scan(const struct rule *r, int64_t now, item_sink sink, void *ctx,
                           struct scan_stats *stats, struct lethe_err *err)
{
  struct gsrc g = { .sink = sink, .ctx = ctx, .stats = stats, .now = now };
  lethe_rc rc = gsrc_open(&g, r, err);
  if(!rc)
    rc = graph_client_auth(&g.c, err); /* bad credentials: say so before anything else */
  if(!rc && g.src.kind == GRAPH_MAIL)
    rc = gsrc_scan_mail(&g, err);
  else if(!rc && g.src.kind == GRAPH_CALENDAR)
    rc = gsrc_scan_calendar(&g, err);
  else if(!rc)
    rc = gsrc_scan_drive(&g, err);
  gsrc_close(&g);
  return rc;
}

/* ---- URIs and identities ----------------------------------------------------------- */

/* The parsed source of the last rule asked about: items come rule by rule. */
static const struct graph_source *source_for(const struct rule *r)
{
  static struct graph_source cached;
  static char *uri;
  struct lethe_err err;
  if(uri && !strcmp(uri, r->source))
    return &cached;
  free(uri);
  graph_source_release(&cached);
  uri = strdup(r->source);
  if(!uri || graph_source_parse(r->source, &cached, &err)) {
    free(uri);
    uri = NULL;
    return NULL;
  }
  return &cached;
}

static lethe_rc graph_uris(const struct rule *r, const struct item *it, struct dynbuf *raw,
                           struct dynbuf *encoded, size_t *path_off)
{
  const struct graph_source *s = source_for(r);
  lethe_rc rc;
  if(!s)
    return LETHE_E_PARSE;
  db_reset(raw);
  db_reset(encoded);
  if(it->kind == ITEM_CALENDAR) {
    *path_off = (size_t)(strrchr(s->base, '/') + 1 - s->base);
    rc = db_adds(raw, s->base_raw);
    return rc ? rc : db_adds(encoded, s->base);
  }
  rc = db_adds(raw, s->base_raw);
  if(!rc)
    rc = db_add(raw, "/", 1);
  if(!rc)
    rc = db_add(raw, it->rel, it->rel_len);
  if(!rc)
    rc = db_adds(encoded, s->base);
  if(!rc)
    rc = db_add(encoded, "/", 1);
  *path_off = encoded->len;
  if(!rc)
    rc = s->kind == GRAPH_DRIVE ? uri_encode_path(it->rel, it->rel_len, encoded)
                                : graph_uri_component(encoded, it->rel, it->rel_len);
  return rc;
}

static lethe_rc graph_identity(const char *text, struct lethe_identity *out)
{
  struct graph_ident p;
  if(!graph_ident_parse(text, &p))
    return LETHE_E_PARSE;
  out->graph.id = p.id;
  out->graph.id_len = p.id_len;
  out->graph.change_key = p.tag;
  out->graph.change_key_len = p.tag_len;
  return LETHE_OK;
}

static const char *const graph_schemes[] = { "graph://", NULL };
static const char *const graph_keys[] = { "credentials", "cloud", "graph-endpoint",
                                          "login-endpoint", "ca-file", "hold-category",
                                          GSRC_ITEMS, NULL };

const struct source_ops source_graph_ops = {
  .name = "graph",
  .schemes = graph_schemes,
  .store = LETHE_STORE_GRAPH,
  .clocks = SOURCE_CLOCK(CLOCK_RECEIVED) | SOURCE_CLOCK(CLOCK_SENT) |
            SOURCE_CLOCK(CLOCK_CREATED) | SOURCE_CLOCK(CLOCK_MODIFIED) |
            SOURCE_CLOCK(CLOCK_END) | SOURCE_CLOCK(CLOCK_NAME),
  .default_clock = CLOCK_RECEIVED,
  .keys = graph_keys,
  .finish_rule = graph_finish_rule,
  .check = graph_check,
  .scan = graph_scan,
  .uris = graph_uris,
  .identity = graph_identity,
  .presence = gsrc_presence,
};

/* What recovery asks of a graph rule: is each planned item still there?
 * Only GETs. A message is gone when Graph no longer finds it, or finds it
 * in Recoverable Items (where DELETE and permanentDelete put it); an event
 * when its calendar no longer lists it; a calendar or a drive item when
 * Graph no longer finds it. Anything the service cannot answer now is an
 * error: the next run asks again. */
#include "gsrc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_json.h"
#include "graph_resolve.h"

struct ask {
  struct gsrc *g;
  const char *const *ids;
  size_t n;
  enum source_presence *out;
  struct graph_req *reqs;
  char gone_in[2][GRAPH_ID_MAX + 1]; /* Recoverable Items: Deletions, Purges */
};

static lethe_rc item_url(struct ask *a, size_t i, const struct graph_ident *id)
{
  struct graph_req *r = &a->reqs[i];
  struct gsrc *g = a->g;
  lethe_rc rc;
  graph_req_init(r, "GET", GRAPH_REPLY_SMALL);
  r->flags = GRAPH_REQ_AUTH | GRAPH_REQ_RESEND | GRAPH_REQ_IMMUTABLE;
  if(g->src.kind == GRAPH_DRIVE) {
    rc = db_addf(&r->url, "%s/v1.0/drives/", g->cfg.graph);
    if(!rc)
      rc = graph_url_escape(&r->url, id->drive, id->drive_len);
    if(!rc)
      rc = db_adds(&r->url, "/items/");
  }
  else {
    rc = graph_url_user(&g->cfg, g->src.mailbox, &r->url);
    if(!rc)
      rc = db_adds(&r->url, g->src.kind == GRAPH_MAIL ? "/messages/" : "/calendars/");
  }
  if(!rc)
    rc = graph_url_escape(&r->url, id->id, id->id_len);
  if(!rc)
    rc = db_adds(&r->url, g->src.kind == GRAPH_MAIL ? "?$select=id,parentFolderId"
                                                    : "?$select=id");
  return rc;
}

static enum source_presence verdict(struct ask *a, size_t i, struct lethe_err *err)
{
  struct graph_req *r = &a->reqs[i];
  struct json_object *o = NULL;
  const char *parent;
  enum source_presence p = SOURCE_PRESENT;
  if(!r->rc && r->status == 404)
    return SOURCE_GONE;
  if(!r->rc && r->status == 400 &&
     !gj_parse(r->reply.mem, r->reply.len, "reply", &o, err)) {
    bool malformed = !strcmp(gj_error_code(o, NULL), "ErrorInvalidIdMalformed");
    json_object_put(o);
    o = NULL;
    if(malformed)
      return SOURCE_MALFORMED;
  }
  err_clear(err);
  if(r->rc || r->status != 200 || gj_parse(r->reply.mem, r->reply.len, "reply", &o, err)) {
    if(!err->rc)
      graph_req_error(&a->g->c, r, LETHE_E_IO, err);
    return SOURCE_UNKNOWABLE;
  }
  parent = gj_str(o, "parentFolderId", NULL);
  if(a->g->src.kind == GRAPH_MAIL && parent &&
     ((a->gone_in[0][0] && !strcmp(parent, a->gone_in[0])) ||
      (a->gone_in[1][0] && !strcmp(parent, a->gone_in[1]))))
    p = SOURCE_GONE;
  json_object_put(o);
  return p;
}

/* Messages, calendars, drive items: one GET each, four at a time. */
static lethe_rc by_get(struct ask *a, struct lethe_err *err)
{
  struct graph_req **v = calloc(a->n + 1, sizeof(*v));
  size_t m = 0;
  lethe_rc rc = v ? LETHE_OK : err_set(err, LETHE_E_NOMEM, "out of memory");
  for(size_t i = 0; !rc && i < a->n; i++) {
    struct graph_ident id;
    if(!graph_ident_parse(a->ids[i], &id) || (a->g->src.kind == GRAPH_DRIVE) != !!id.drive) {
      a->out[i] = SOURCE_MALFORMED;
      continue;
    }
    if(item_url(a, i, &id))
      rc = err_set(err, LETHE_E_NOMEM, "out of memory");
    v[m++] = &a->reqs[i];
  }
  if(!rc)
    rc = graph_send_all(&a->g->c, v, m, GRAPH_INFLIGHT_MAX, err);
  for(size_t i = 0; !rc && i < a->n; i++) {
    if(a->out[i] == SOURCE_MALFORMED)
      continue;
    a->out[i] = verdict(a, i, err);
    if(a->out[i] == SOURCE_UNKNOWABLE)
      rc = err->rc ? err->rc : LETHE_E_IO;
  }
  free(v);
  return rc;
}

/* ---- events: listed by their calendar ----------------------------------------------------- */

struct listing {
  struct ask *a;
  bool *seen;
};

static lethe_rc on_event(void *ctx, struct json_object *o, struct lethe_err *err)
{
  struct listing *l = ctx;
  size_t n;
  const char *id = gj_str(o, "id", &n);
  (void)err;
  for(size_t i = 0; id && i < l->a->n; i++) {
    struct graph_ident p;
    if(l->a->out[i] != SOURCE_MALFORMED && graph_ident_parse(l->a->ids[i], &p) &&
       p.id_len == n && !memcmp(p.id, id, n))
      l->seen[i] = true;
  }
  return LETHE_OK;
}

static lethe_rc by_listing(struct ask *a, struct lethe_err *err)
{
  char cal[GRAPH_ID_MAX + 1], ck[GRAPH_ID_MAX + 1];
  bool def, *seen = calloc(a->n + 1, sizeof(*seen));
  struct listing l = { a, seen };
  struct dynbuf url;
  lethe_rc rc = seen ? graph_find_calendar(&a->g->c, &a->g->src, cal, ck, &def, err)
                     : err_set(err, LETHE_E_NOMEM, "out of memory");
  db_init(&url, GRAPH_URL_MAX);
  for(size_t i = 0; i < a->n; i++) {
    struct graph_ident p;
    a->out[i] = graph_ident_parse(a->ids[i], &p) && !p.drive ? SOURCE_GONE : SOURCE_MALFORMED;
  }
  if(rc == LETHE_E_NOTFOUND) { /* the calendar itself is gone */
    free(seen);
    db_release(&url);
    return LETHE_OK;
  }
  if(!rc && graph_url_add(&url, "%s/v1.0/users/%e/calendars/%e/events?$top=1000&$select=id",
                         a->g->cfg.graph, a->g->src.mailbox, cal))
    rc = err_set(err, LETHE_E_NOMEM, "out of memory");
  if(!rc)
    rc = graph_each_page(&a->g->c, db_str(&url), GRAPH_REQ_IMMUTABLE, on_event, &l, err);
  for(size_t i = 0; !rc && i < a->n; i++)
    if(seen[i])
      a->out[i] = SOURCE_PRESENT;
  free(seen);
  db_release(&url);
  return rc;
}

lethe_rc gsrc_presence(const struct rule *r, const char *const *identities,
                       const char *const *paths, size_t n, enum source_presence *out,
                       struct lethe_err *err)
{
  struct gsrc g = { 0 };
  struct ask a = { .g = &g, .ids = identities, .n = n, .out = out };
  lethe_rc rc = gsrc_open(&g, r, err);
  (void)paths; /* the identity names the item; the path adds nothing here */
  for(size_t i = 0; i < n; i++)
    out[i] = SOURCE_UNKNOWABLE;
  a.reqs = rc ? NULL : calloc(n + 1, sizeof(*a.reqs));
  if(!rc && !a.reqs)
    rc = err_set(err, LETHE_E_NOMEM, "out of memory");
  if(!rc && g.src.kind == GRAPH_MAIL)
    rc = graph_recoverable_ids(&g.c, g.src.mailbox, a.gone_in[0], a.gone_in[1], err);
  if(!rc && g.src.kind == GRAPH_CALENDAR && !gsrc_whole_calendar(r))
    rc = by_listing(&a, err);
  else if(!rc)
    rc = by_get(&a, err);
  for(size_t i = 0; a.reqs && i < n; i++)
    graph_req_release(&a.reqs[i]);
  free(a.reqs);
  gsrc_close(&g);
  return rc;
}

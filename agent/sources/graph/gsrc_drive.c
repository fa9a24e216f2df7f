/* The files below a folder of a OneDrive or a SharePoint library: children
 * listed page by page (List children has no $filter, so times are judged
 * here: https://learn.microsoft.com/graph/api/driveitem-list-children),
 * select/except matched against the path below the source as for files,
 * folders no select pattern can reach left unvisited. A file that may be
 * due has its retention label read (GET .../retentionLabel,
 * https://learn.microsoft.com/graph/api/driveitem-getretentionlabel, four
 * at a time): a label that does not allow deletion holds it. */
#include "gsrc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glob.h"
#include "graph_json.h"
#include "graph_resolve.h"
#include "uri.h"

#define SELECT "id,name,eTag,size,createdDateTime,lastModifiedDateTime,file,folder"
#define LABEL_CHUNK 64

struct folder {
  char *id, *rel;
};

/* A file waiting for its retention label. */
struct cand {
  struct item it;
  char *rel;
  struct graph_req req;
};

struct walk {
  struct gsrc *g;
  char drive[GRAPH_ID_MAX + 1];
  struct folder *stack;
  size_t n_stack, cap_stack;
  const char *dir;            /* the rel of the folder being listed ("" at the top) */
  bool prune;
  int64_t latest;             /* latest clock that can be due */
  struct cand cand[LABEL_CHUNK];
  size_t n_cand;
};

static bool selected(const struct rule *r, const char *rel, size_t len)
{
  bool in = r->select.n == 0;
  for(size_t i = 0; !in && i < r->select.n; i++)
    in = glob_match(r->select.v[i], rel, len);
  for(size_t i = 0; in && i < r->except.n; i++)
    in = !glob_match(r->except.v[i], rel, len);
  return in;
}

static bool reachable(const struct walk *w, const char *rel)
{
  bool reach = !w->prune;
  for(size_t i = 0; !reach && i < w->g->r->select.n; i++)
    reach = glob_could_match_below(w->g->r->select.v[i], rel, strlen(rel));
  return reach;
}

static lethe_rc push(struct walk *w, const char *id, size_t idn, const char *rel)
{
  struct folder *f;
  if(w->n_stack == w->cap_stack) {
    size_t cap = w->cap_stack ? w->cap_stack * 2 : 16;
    struct folder *v = realloc(w->stack, cap * sizeof(*v));
    if(!v)
      return LETHE_E_NOMEM;
    w->stack = v;
    w->cap_stack = cap;
  }
  f = &w->stack[w->n_stack];
  f->id = strndup(id, idn);
  f->rel = strdup(rel);
  if(!f->id || !f->rel) {
    free(f->id);
    free(f->rel);
    return LETHE_E_NOMEM;
  }
  w->n_stack++;
  return LETHE_OK;
}

/* The subject of rel: its first subject_depth components, if they match. */
static void subject_of(const struct rule *r, struct item *it)
{
  unsigned seen = 0;
  for(size_t i = 0; i < it->rel_len; i++) {
    if(it->rel[i] == '/' && ++seen == r->subject_depth) {
      if(glob_match(r->subject, it->rel, i)) {
        it->subject = it->rel;
        it->subject_len = i;
      }
      return;
    }
  }
}

/* ---- yielding, after the retention labels ------------------------------------------ */

static void label_verdict(struct walk *w, struct cand *c, char *held, size_t n, char *problem,
                          size_t pn)
{
  struct graph_req *r = &c->req;
  struct json_object *o = NULL;
  struct lethe_err e = { 0 };
  bool allowed = true;
  const char *name;
  if(r->status == 404 && !r->rc)
    return; /* no label */
  if(r->rc || r->status != 200 || gj_parse(r->reply.mem, r->reply.len, "label", &o, &e)) {
    graph_req_error(&w->g->c, r, LETHE_E_IO, &e);
    snprintf(problem, pn, "retention label unreadable: %.500s", e.msg);
    c->it.problem = problem;
    return;
  }
  name = gj_str(o, "name", NULL);
  if(name && gj_bool(gj_obj(o, "retentionSettings"), "isDeleteAllowed", &allowed) && !allowed) {
    snprintf(held, n, "the retention label '%.200s' does not allow deletion", name);
    c->it.held_by = held;
  }
  json_object_put(o);
}

static lethe_rc yield(struct walk *w, struct cand *c)
{
  struct gsrc *g = w->g;
  c->it.rel = c->rel;
  c->it.rel_len = strlen(c->rel);
  c->it.name = strrchr(c->rel, '/') ? strrchr(c->rel, '/') + 1 : c->rel;
  if(g->r->subject) {
    subject_of(g->r, &c->it);
    if(!c->it.subject && !c->it.problem)
      c->it.problem = "not inside a subject folder (see the rule's 'subject')";
  }
  return g->sink(g->ctx, &c->it, NULL);
}

static lethe_rc flush(struct walk *w, struct lethe_err *err)
{
  struct graph_req *reqs[LABEL_CHUNK];
  char held[LABEL_CHUNK][300], problem[LABEL_CHUNK][600];
  lethe_rc rc;
  for(size_t i = 0; i < w->n_cand; i++)
    reqs[i] = &w->cand[i].req;
  rc = graph_send_all(&w->g->c, reqs, w->n_cand, GRAPH_INFLIGHT_MAX, err);
  for(size_t i = 0; i < w->n_cand && !rc; i++) {
    label_verdict(w, &w->cand[i], held[i], sizeof(held[i]), problem[i], sizeof(problem[i]));
    rc = yield(w, &w->cand[i]);
  }
  for(size_t i = 0; i < w->n_cand; i++) {
    graph_req_release(&w->cand[i].req);
    free(w->cand[i].rel);
  }
  w->n_cand = 0;
  return rc;
}

/* ---- files and folders ---------------------------------------------------------------- */

static bool may_be_due(const struct walk *w, const struct item *it)
{
  enum item_time t = w->g->r->clock == CLOCK_CREATED ? TIME_CREATED : TIME_MODIFIED;
  if(w->g->r->clock != CLOCK_CREATED && w->g->r->clock != CLOCK_MODIFIED)
    return true; /* name, events: only the policy can tell */
  return !it->has_time[t] || it->times[t] <= w->latest;
}

static lethe_rc label_request(struct walk *w, struct cand *c, const char *id, size_t idn)
{
  struct graph_req *r = &c->req;
  lethe_rc rc;
  graph_req_init(r, "GET", GRAPH_REPLY_SMALL);
  r->flags = GRAPH_REQ_AUTH | GRAPH_REQ_RESEND;
  rc = db_addf(&r->url, "%s/v1.0/drives/", w->g->cfg.graph);
  if(!rc)
    rc = graph_url_escape(&r->url, w->drive, strlen(w->drive));
  if(!rc)
    rc = db_adds(&r->url, "/items/");
  if(!rc)
    rc = graph_url_escape(&r->url, id, idn);
  if(!rc)
    rc = db_adds(&r->url, "/retentionLabel");
  return rc;
}

static lethe_rc on_file(struct walk *w, struct json_object *o, const char *rel,
                        struct lethe_err *err)
{
  struct cand *c = &w->cand[w->n_cand];
  size_t idn = 0, tn = 0;
  const char *id = gj_str(o, "id", &idn), *tag = gj_str(o, "eTag", &tn);
  int64_t size = 0;
  lethe_rc rc;
  scan_stats_saw(w->g->stats);
  if(!selected(w->g->r, rel, strlen(rel)))
    return LETHE_OK;
  memset(&c->it, 0, sizeof(c->it));
  c->it = (struct item){ .store = LETHE_STORE_GRAPH, .kind = ITEM_DRIVE_ITEM, .nlink = 1 };
  if(!graph_ident_format(c->it.identity, sizeof(c->it.identity), w->drive, id, idn, tag, tn))
    c->it.problem = "the service gave no usable id or eTag";
  if(gj_int(o, "size", &size) && size > 0)
    c->it.size = (uint64_t)size;
  c->it.has_time[TIME_CREATED] = gj_time(o, "createdDateTime", &c->it.times[TIME_CREATED]);
  c->it.has_time[TIME_MODIFIED] = gj_time(o, "lastModifiedDateTime",
                                          &c->it.times[TIME_MODIFIED]);
  c->rel = strdup(rel);
  if(!c->rel)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  if(!may_be_due(w, &c->it) || c->it.problem) {
    rc = yield(w, c);
    free(c->rel);
    return rc;
  }
  rc = label_request(w, c, id, idn);
  w->n_cand++;
  if(rc)
    return err_set(err, rc, "cannot build a request");
  return w->n_cand == LABEL_CHUNK ? flush(w, err) : LETHE_OK;
}

static lethe_rc on_child(void *ctx, struct json_object *o, struct lethe_err *err)
{
  struct walk *w = ctx;
  size_t nn = 0, idn = 0;
  const char *name = gj_str(o, "name", &nn), *id = gj_str(o, "id", &idn);
  struct dynbuf rel;
  lethe_rc rc;
  if(!name || !nn || nn != strlen(name) || strchr(name, '/') || !gj_token_ok(id, idn,
                                                                             GRAPH_ID_MAX))
    return err_set(err, LETHE_E_PROTOCOL, "the service listed a drive item without a usable "
                   "name or id");
  db_init(&rel, 64 * 1024);
  rc = db_adds(&rel, w->dir);
  if(!rc && w->dir[0])
    rc = db_add(&rel, "/", 1);
  if(!rc)
    rc = db_add(&rel, name, nn);
  if(rc)
    rc = err_set(err, rc, "path too long below %s", w->g->src.base_raw);
  else if(gj_obj(o, "folder"))
    rc = reachable(w, rel.mem) ? push(w, id, idn, rel.mem) : LETHE_OK;
  else if(gj_obj(o, "file"))
    rc = on_file(w, o, rel.mem, err);
  if(rc == LETHE_E_NOMEM)
    err_set(err, rc, "out of memory");
  db_release(&rel);
  return rc;
}

static lethe_rc list(struct walk *w, struct folder *f, struct lethe_err *err)
{
  struct dynbuf url;
  lethe_rc rc;
  db_init(&url, GRAPH_URL_MAX);
  rc = db_addf(&url, "%s/v1.0/drives/", w->g->cfg.graph);
  if(!rc)
    rc = graph_url_escape(&url, w->drive, strlen(w->drive));
  if(!rc)
    rc = db_adds(&url, "/items/");
  if(!rc)
    rc = graph_url_escape(&url, f->id, strlen(f->id));
  if(!rc)
    rc = db_adds(&url, "/children?$select=" SELECT);
  w->dir = f->rel;
  if(!rc)
    rc = graph_each_page(&w->g->c, db_str(&url), 0, on_child, w, err);
  db_release(&url);
  return rc;
}

lethe_rc gsrc_scan_drive(struct gsrc *g, struct lethe_err *err)
{
  struct walk w = { .g = g };
  char top[GRAPH_ID_MAX + 1];
  lethe_rc rc = graph_find_drive(&g->c, &g->src, w.drive, top, err);
  w.latest = gsrc_latest_due(g->r, g->now);
  w.prune = g->r->select.n && !(g->r->max_delete.set && g->r->max_delete.percent);
  if(!rc && push(&w, top, strlen(top), ""))
    rc = err_set(err, LETHE_E_NOMEM, "out of memory");
  while(!rc && w.n_stack) {
    struct folder f = w.stack[--w.n_stack];
    rc = list(&w, &f, err);
    free(f.id);
    free(f.rel);
  }
  if(!rc && w.n_cand)
    rc = flush(&w, err);
  for(size_t i = 0; i < w.n_cand; i++) {
    graph_req_release(&w.cand[i].req);
    free(w.cand[i].rel);
  }
  for(size_t i = 0; i < w.n_stack; i++) {
    free(w.stack[i].id);
    free(w.stack[i].rel);
  }
  free(w.stack);
  return rc;
}

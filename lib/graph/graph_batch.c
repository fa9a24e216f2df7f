/* Running a batch: see graph_batch.h. */
#include "graph_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_json.h"

#define CASCADES_MAX 40   /* 424s one request may get before the run gives up on it */

struct envelope {
  struct graph_req req;
  size_t idx[GRAPH_BATCH_MAX];
  size_t k;
  bool busy;
};

struct run {
  struct graph_client *c;
  struct graph_sub *subs;
  size_t n;
  const struct graph_batch_opts *o;
  struct envelope env[GRAPH_INFLIGHT_MAX];
  size_t open;                 /* subs not answered yet */
  char url[GRAPH_ENDPOINT_MAX + 16];
};

static struct envelope *free_envelope(struct run *r)
{
  for(unsigned i = 0; i < r->o->inflight; i++)
    if(!r->env[i].busy)
      return &r->env[i];
  return NULL;
}

/* Up to GRAPH_BATCH_MAX pending subs due at now into e, urgent ones first. */
static size_t gather(struct run *r, struct envelope *e, int64_t now, int64_t *wake)
{
  e->k = 0;
  for(int pass = 0; pass < 2; pass++) {
    for(size_t i = 0; i < r->n && e->k < GRAPH_BATCH_MAX; i++) {
      struct graph_sub *s = &r->subs[i];
      if(!s->pending || s->urgent != !pass)
        continue;
      if(s->not_before > now) {
        if(*wake < 0 || s->not_before < *wake)
          *wake = s->not_before;
        continue;
      }
      e->idx[e->k++] = i;
      s->pending = false; /* taken: not gathered twice */
    }
  }
  for(size_t i = 0; i < e->k; i++)
    r->subs[e->idx[i]].pending = true; /* next_envelope marks them sent */
  return e->k;
}

static struct graph_req *next_envelope(void *ctx, int64_t now, int64_t *wake)
{
  struct run *r = ctx;
  struct envelope *e = free_envelope(r);
  *wake = -1;
  if(!e || !gather(r, e, now, wake))
    return NULL;
  graph_req_clear_outcome(&e->req);
  db_reset(&e->req.body);
  e->req.tries = e->req.auth_tries = e->req.throttles = 0;
  if(graph_batch_envelope(r->subs, e->idx, e->k, r->o->chain, r->o->flags, &e->req.body))
    return NULL; /* cannot happen within the bounds; the subs stay pending */
  for(size_t i = 0; i < e->k; i++) {
    r->subs[e->idx[i]].pending = false;
    r->subs[e->idx[i]].sent = true;
  }
  e->busy = true;
  return &e->req;
}

static void reset_sub(struct graph_sub *s)
{
  json_object_put(s->body);
  s->body = NULL;
  s->status = 0;
  s->why[0] = s->request_id[0] = '\0';
  s->pending = true;
  s->sent = false;
  s->not_before = 0;
  s->resends = s->auth = s->cascades = s->throttles = 0;
  s->throttled_ms = 0;
}

static lethe_rc finish_sub(struct run *r, struct graph_sub *s, long status, const char *why,
                           struct lethe_err *err)
{
  size_t before = r->n;
  lethe_rc rc;
  s->status = status;
  if(why)
    snprintf(s->why, sizeof(s->why), "%.250s", why);
  r->open--;
  if(!r->o->answered)
    return LETHE_OK;
  rc = r->o->answered(r->o->ctx, r->subs, (size_t)(s - r->subs), &r->n, err);
  if(!rc && r->n > r->o->cap)
    rc = err_set(err, LETHE_E_RANGE, "a batch grew past its room");
  for(size_t i = before; !rc && i < r->n; i++)
    reset_sub(&r->subs[i]);
  r->open += r->n - before;
  return rc;
}

static void again(struct graph_sub *s, int64_t at)
{
  s->pending = true;
  s->not_before = at;
}

/* A throttled answer: wait as told, within the client's cap. */
static lethe_rc throttled(struct run *r, struct graph_sub *s, double retry_after,
                          struct lethe_err *err)
{
  struct graph_client *c = r->c;
  int64_t now = graph_now_ms();
  int64_t delay = retry_after >= 0 ? (int64_t)(retry_after * 1000) + 50
                                   : (1000LL << (s->throttles > 6 ? 6 : s->throttles));
  c->throttled++;
  if(c->throttle_wait_ms + delay > c->throttle_cap_ms) {
    char why[200];
    snprintf(why, sizeof(why), "throttled after waiting %lld s in total for the service, more "
             "than the %lld s allowed", (long long)(c->throttle_wait_ms / 1000),
             (long long)(c->throttle_cap_ms / 1000));
    return finish_sub(r, s, s->status, why, err);
  }
  s->throttles++;
  s->throttled_ms += delay;
  if(c->hold_until < now + delay)
    c->hold_until = now + delay;
  again(s, now + delay);
  return LETHE_OK;
}

/* One answer of an envelope's reply, as read: applied only once the whole
 * reply has been read and found sound. */
struct got {
  bool seen;
  long status;
  double retry_after;
  char request_id[80];
  struct json_object *body;
};

struct answer_ctx {
  struct envelope *e;
  struct got *got;
};

static lethe_rc on_answer(void *ctx, const struct graph_answer *a, struct lethe_err *err)
{
  struct answer_ctx *x = ctx;
  for(size_t i = 0; i < x->e->k; i++) {
    char id[24];
    snprintf(id, sizeof(id), "%zu", x->e->idx[i]);
    if(strcmp(id, a->id))
      continue;
    x->got[i].seen = true;
    x->got[i].status = a->status;
    x->got[i].retry_after = a->retry_after;
    snprintf(x->got[i].request_id, sizeof(x->got[i].request_id), "%s",
             a->request_id ? a->request_id : "");
    x->got[i].body = a->body ? json_object_get(a->body) : NULL;
    return LETHE_OK;
  }
  return err_set(err, LETHE_E_PROTOCOL, "the $batch reply answers a request '%.32s' that "
                 "was not sent", a->id);
}

/* What one answer means: again later, again now, or final. */
static lethe_rc apply(struct run *r, struct envelope *e, struct graph_sub *s, struct got *g,
                      struct lethe_err *err)
{
  s->status = g->status;
  snprintf(s->request_id, sizeof(s->request_id), "%.79s",
           g->request_id[0] ? g->request_id : e->req.request_id);
  json_object_put(s->body);
  s->body = g->body;
  g->body = NULL;
  if(g->status == 429 || g->status == 503)
    return throttled(r, s, g->retry_after, err);
  if(g->status == 424 && ++s->cascades <= CASCADES_MAX) {
    again(s, 0);
    return LETHE_OK;
  }
  if(g->status == 401 && !s->auth++) {
    if(e->req.token_gen == r->c->token_gen)
      r->c->refresh_at = 0; /* the token was refused: fetch a new one first */
    again(s, 0);
    return LETHE_OK;
  }
  return finish_sub(r, s, g->status, NULL, err);
}

/* The envelope's reply was lost or unreadable: its requests go again, a
 * bounded number of times. */
static lethe_rc resend(struct run *r, struct envelope *e, const bool *only, const char *why,
                       struct lethe_err *err)
{
  for(size_t i = 0; i < e->k; i++) {
    struct graph_sub *s = &r->subs[e->idx[i]];
    if(only && !only[i])
      continue;
    if(++s->resends > GRAPH_RESENDS)
      return err_set(err, LETHE_E_IO, "a $batch exchange failed %u times (%s): what its "
                     "requests did is not known", s->resends, why);
    again(s, graph_now_ms() + (500LL << (s->resends - 1)));
  }
  return LETHE_OK;
}

static lethe_rc answers(struct run *r, struct envelope *e, struct lethe_err *err)
{
  struct got got[GRAPH_BATCH_MAX];
  bool missing[GRAPH_BATCH_MAX] = { false }, any = false;
  struct answer_ctx x = { e, got };
  struct lethe_err perr = { 0 };
  lethe_rc rc;
  memset(got, 0, sizeof(got));
  rc = graph_batch_parse(e->req.reply.mem, e->req.reply.len, on_answer, &x, &perr);
  if(rc) {
    for(size_t i = 0; i < e->k; i++)
      json_object_put(got[i].body);
    return rc == LETHE_E_NOMEM ? err_set(err, rc, "out of memory")
                               : resend(r, e, NULL, perr.msg, err);
  }
  rc = LETHE_OK;
  for(size_t i = 0; i < e->k; i++) {
    if(got[i].seen && !rc)
      rc = apply(r, e, &r->subs[e->idx[i]], &got[i], err);
    json_object_put(got[i].body);
    missing[i] = !got[i].seen;
    any = any || missing[i];
  }
  if(!rc && any) /* requests the reply left out */
    rc = resend(r, e, missing, "the reply left a request out", err);
  return rc;
}

static lethe_rc envelope_done(void *ctx, struct graph_req *req, struct lethe_err *err)
{
  struct run *r = ctx;
  struct envelope *e = (struct envelope *)req; /* req is the first member */
  lethe_rc rc;
  e->busy = false;
  if(req->rc == LETHE_E_IO)
    return resend(r, e, NULL, req->why, err);
  if(req->rc)
    return graph_req_error(r->c, req, req->rc, err);
  if(req->status == 429 || req->status == 503) { /* throttled past the cap: none ran */
    rc = LETHE_OK;
    for(size_t i = 0; i < e->k && !rc; i++)
      rc = finish_sub(r, &r->subs[e->idx[i]], req->status, req->why, err);
    return rc;
  }
  if(req->status != 200)
    return graph_req_error(r->c, req, LETHE_E_PROTOCOL, err);
  rc = answers(r, e, err);
  return rc;
}

static lethe_rc setup(struct run *r, struct lethe_err *err)
{
  snprintf(r->url, sizeof(r->url), "%s/v1.0/$batch", r->c->cfg.graph);
  for(unsigned i = 0; i < r->o->inflight; i++) {
    struct graph_req *q = &r->env[i].req;
    graph_req_init(q, "POST", GRAPH_REPLY_PAGE);
    q->content_type = "application/json";
    q->flags = GRAPH_REQ_AUTH; /* lost replies are resent here, by request */
    if(db_adds(&q->url, r->url))
      return err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  for(size_t i = 0; i < r->n; i++)
    reset_sub(&r->subs[i]);
  r->open = r->n;
  return LETHE_OK;
}

lethe_rc graph_batch_run(struct graph_client *c, struct graph_sub *subs, size_t n,
                         const struct graph_batch_opts *o, struct lethe_err *err)
{
  static const struct graph_producer p = { next_envelope, envelope_done };
  struct graph_batch_opts opts = *o;
  struct run r = { .c = c, .subs = subs, .n = n, .o = &opts };
  lethe_rc rc;
  if(!opts.inflight || opts.inflight > GRAPH_INFLIGHT_MAX)
    opts.inflight = GRAPH_INFLIGHT_MAX;
  rc = setup(&r, err);
  if(!rc && n)
    rc = graph_drive(c, &p, &r, opts.inflight, err);
  if(!rc && r.open) {
    for(size_t i = 0; i < n; i++)
      if(!subs[i].status && !subs[i].why[0])
        snprintf(subs[i].why, sizeof(subs[i].why), "no answer");
  }
  for(unsigned i = 0; i < opts.inflight; i++)
    graph_req_release(&r.env[i].req);
  return rc;
}

void graph_batch_release(struct graph_sub *subs, size_t n)
{
  for(size_t i = 0; i < n; i++) {
    json_object_put(subs[i].body);
    subs[i].body = NULL;
  }
}

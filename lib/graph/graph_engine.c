/* The request engine of graph_client.h: graph_drive. */
#include "graph_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#define BACKOFF_MAX_MS 60000
#define RETRY_MARGIN_MS 50   /* sent a little after Retry-After: never early */

struct engine {
  struct graph_client *c;
  const struct graph_producer *p;
  void *ctx;
  struct graph_req **waiting;   /* to be resent at their not_before */
  size_t n_waiting, cap_waiting;
  unsigned active, max;
  struct lethe_err *err;
};

static lethe_rc wait_for(struct engine *e, struct graph_req *r, int64_t at)
{
  if(e->n_waiting == e->cap_waiting) {
    size_t cap = e->cap_waiting ? e->cap_waiting * 2 : 16;
    struct graph_req **v = realloc(e->waiting, cap * sizeof(*v));
    if(!v)
      return err_set(e->err, LETHE_E_NOMEM, "out of memory");
    e->waiting = v;
    e->cap_waiting = cap;
  }
  r->not_before = at;
  e->waiting[e->n_waiting++] = r;
  return LETHE_OK;
}

/* The next request to start now: a resend that is due, else the
 * producer's. *wake: when one may be. */
static struct graph_req *pick(struct engine *e, int64_t now, int64_t *wake)
{
  int64_t pw = -1;
  struct graph_req *r;
  *wake = -1;
  if(now < e->c->hold_until) {
    *wake = e->c->hold_until;
    return NULL;
  }
  for(size_t i = 0; i < e->n_waiting; i++) {
    r = e->waiting[i];
    if(r->not_before <= now) {
      e->waiting[i] = e->waiting[--e->n_waiting];
      return r;
    }
    if(*wake < 0 || r->not_before < *wake)
      *wake = r->not_before;
  }
  r = e->p->next(e->ctx, now, &pw);
  if(!r && pw >= 0 && (*wake < 0 || pw < *wake))
    *wake = pw;
  return r;
}

static lethe_rc token_for(struct engine *e, struct graph_req *r)
{
  if(!(r->flags & GRAPH_REQ_AUTH))
    return LETHE_OK;
  if(e->c->token && graph_now_ms() < e->c->refresh_at)
    return LETHE_OK;
  return graph_client_auth(e->c, e->err);
}

static lethe_rc start(struct engine *e, struct graph_req *r)
{
  unsigned slot = 0;
  lethe_rc rc = token_for(e, r);
  if(rc)
    return rc;
  while(e->c->busy[slot])
    slot++;
  if(r->tries && r->sink_reset && r->sink_reset(r->sink_ctx))
    return err_set(e->err, LETHE_E_IO, "cannot restart a download");
  rc = graph_http_setup(e->c->easy[slot], r, &e->c->cfg,
                        (r->flags & GRAPH_REQ_AUTH) ? e->c->token->value : NULL, e->err);
  if(rc)
    return rc;
  if(curl_multi_add_handle(e->c->multi, e->c->easy[slot]) != CURLM_OK)
    return err_set(e->err, LETHE_E_IO, "libcurl refused a transfer");
  e->c->busy[slot] = true;
  r->token_gen = e->c->token_gen;
  r->tries++;
  e->c->sent++;
  e->active++;
  return LETHE_OK;
}

static int64_t backoff(unsigned n)
{
  int64_t ms = 1000LL << (n > 6 ? 6 : n);
  return ms > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms;
}

/* A 429 or 503: wait as told, unless the run has waited too long already. */
static lethe_rc throttled(struct engine *e, struct graph_req *r, int64_t now, bool *again)
{
  struct graph_client *c = e->c;
  int64_t delay = r->retry_after >= 0 ? (int64_t)(r->retry_after * 1000) + RETRY_MARGIN_MS
                                      : backoff(r->throttles);
  c->throttled++;
  *again = c->throttle_wait_ms + delay <= c->throttle_cap_ms;
  if(!*again) {
    snprintf(r->why, sizeof(r->why), "throttled (HTTP %ld) after waiting %lld s in total for "
             "the service, more than the %lld s allowed", r->status,
             (long long)(c->throttle_wait_ms / 1000), (long long)(c->throttle_cap_ms / 1000));
    return LETHE_OK;
  }
  r->throttles++;
  r->throttled_ms += delay;
  if(c->hold_until < now + delay)
    c->hold_until = now + delay;
  return wait_for(e, r, now + delay);
}

/* What to do with a finished request: resend it, or hand it back. */
static lethe_rc settle(struct engine *e, struct graph_req *r)
{
  int64_t now = graph_now_ms();
  bool again = false;
  lethe_rc rc;
  if(r->rc == LETHE_E_IO && (r->flags & GRAPH_REQ_RESEND) && r->tries <= GRAPH_RESENDS)
    return wait_for(e, r, now + (500LL << (r->tries - 1)));
  if(!r->rc && r->status == 401 && (r->flags & GRAPH_REQ_AUTH) && !r->auth_tries) {
    r->auth_tries++;
    if(r->token_gen == e->c->token_gen)
      e->c->refresh_at = 0; /* the token was refused: fetch a new one first */
    return wait_for(e, r, now);
  }
  if(!r->rc && (r->status == 429 || r->status == 503)) {
    rc = throttled(e, r, now, &again);
    if(rc || again)
      return rc;
  }
  return e->p->done(e->ctx, r, e->err);
}

/* Hand back every finished transfer; *n counts them. */
static lethe_rc reap(struct engine *e, unsigned *n)
{
  CURLMsg *m;
  int left;
  lethe_rc rc = LETHE_OK;
  *n = 0;
  while(!rc && (m = curl_multi_info_read(e->c->multi, &left))) {
    struct graph_req *r = NULL;
    if(m->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
    graph_http_finish(m->easy_handle, r, m->data.result);
    curl_multi_remove_handle(e->c->multi, m->easy_handle);
    for(unsigned i = 0; i < GRAPH_INFLIGHT_MAX; i++)
      if(e->c->easy[i] == m->easy_handle)
        e->c->busy[i] = false;
    e->active--;
    (*n)++;
    rc = settle(e, r);
  }
  return rc;
}

/* Nothing in flight: sleep until wake, counting throttled time. */
static void idle(struct engine *e, int64_t now, int64_t wake)
{
  int64_t ms = wake - now;
  if(ms <= 0)
    return;
  if(e->c->hold_until > now)
    e->c->throttle_wait_ms += (e->c->hold_until < wake ? e->c->hold_until : wake) - now;
  curl_multi_poll(e->c->multi, NULL, 0, (int)(ms > 1000 ? 1000 : ms), NULL);
}

static lethe_rc fill(struct engine *e, int64_t *wake)
{
  int64_t now = graph_now_ms();
  struct graph_req *r;
  lethe_rc rc = LETHE_OK;
  *wake = -1;
  while(!rc && e->active < e->max && (r = pick(e, now, wake)))
    rc = start(e, r);
  return rc;
}

static void abandon(struct engine *e)
{
  for(unsigned i = 0; i < GRAPH_INFLIGHT_MAX; i++) {
    if(e->c->busy[i]) {
      struct graph_req *r = NULL;
      curl_easy_getinfo(e->c->easy[i], CURLINFO_PRIVATE, (char **)&r);
      curl_multi_remove_handle(e->c->multi, e->c->easy[i]);
      if(r)
        graph_http_finish(e->c->easy[i], r, CURLE_ABORTED_BY_CALLBACK);
      e->c->busy[i] = false;
    }
  }
  e->active = 0;
}

lethe_rc graph_drive(struct graph_client *c, const struct graph_producer *p, void *ctx,
                     unsigned inflight, struct lethe_err *err)
{
  struct engine e = { .c = c, .p = p, .ctx = ctx, .err = err,
                      .max = inflight && inflight <= GRAPH_INFLIGHT_MAX ? inflight : 1 };
  lethe_rc rc = LETHE_OK;
  for(;;) {
    int64_t wake, now;
    int running = 0;
    unsigned reaped;
    rc = fill(&e, &wake);
    if(rc)
      break;
    now = graph_now_ms();
    if(!e.active) {
      if(wake < 0)
        break;
      idle(&e, now, wake);
      continue;
    }
    curl_multi_perform(c->multi, &running);
    rc = reap(&e, &reaped);
    if(rc)
      break;
    if(running && !reaped) /* a freed slot is filled before waiting */
      curl_multi_poll(c->multi, NULL, 0, wake > now && wake - now < 1000 ? (int)(wake - now)
                                                                         : 1000, NULL);
  }
  if(e.active)
    abandon(&e);
  free(e.waiting);
  return rc;
}

#include "graph_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "graph_json.h"

#define PAGES_MAX 10000000u   /* a service sending pages for ever is hostile */

int64_t graph_now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

lethe_rc graph_client_open(struct graph_client *c, const struct graph_config *cfg,
                           struct lethe_err *err)
{
  memset(c, 0, sizeof(*c));
  c->cfg = *cfg;
  c->throttle_cap_ms = GRAPH_THROTTLE_CAP_MS;
  if(curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return err_set(err, LETHE_E_IO, "cannot initialise libcurl");
  c->multi = curl_multi_init();
  c->token_easy = curl_easy_init();
  bool ok = c->multi && c->token_easy;
  for(unsigned i = 0; i < GRAPH_INFLIGHT_MAX; i++) {
    c->easy[i] = curl_easy_init();
    ok = ok && c->easy[i];
  }
  if(!ok) {
    graph_client_close(c);
    return err_set(err, LETHE_E_NOMEM, "cannot set up libcurl");
  }
  curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)GRAPH_INFLIGHT_MAX * 2);
  return LETHE_OK;
}

void graph_client_close(struct graph_client *c)
{
  if(c->token) {
    graph_token_wipe(c->token);
    free(c->token);
  }
  for(unsigned i = 0; i < GRAPH_INFLIGHT_MAX; i++)
    if(c->easy[i])
      curl_easy_cleanup(c->easy[i]);
  if(c->token_easy)
    curl_easy_cleanup(c->token_easy);
  if(c->multi)
    curl_multi_cleanup(c->multi);
  memset(c, 0, sizeof(*c));
}

lethe_rc graph_client_auth(struct graph_client *c, struct lethe_err *err)
{
  int64_t life, margin;
  lethe_rc rc;
  if(!c->token) {
    c->token = calloc(1, sizeof(*c->token));
    if(!c->token)
      return err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  rc = graph_token_fetch(c->token_easy, &c->cfg, c->token, err);
  if(rc) {
    free(c->token);
    c->token = NULL;
    return rc;
  }
  life = c->token->expires_in;
  margin = life >= 1500 ? 300 : life / 5;
  c->refresh_at = graph_now_ms() + (life - margin) * 1000;
  c->token_gen++;
  c->tokens++;
  return LETHE_OK;
}

/* ---- a list of requests ---------------------------------------------------- */

struct list {
  struct graph_req *const *v;
  size_t n, next;
};

static struct graph_req *list_next(void *ctx, int64_t now, int64_t *wake)
{
  struct list *l = ctx;
  (void)now;
  *wake = -1;
  return l->next < l->n ? l->v[l->next++] : NULL;
}

static lethe_rc list_done(void *ctx, struct graph_req *r, struct lethe_err *err)
{
  (void)ctx;
  (void)r;
  (void)err;
  return LETHE_OK;
}

lethe_rc graph_send_all(struct graph_client *c, struct graph_req *const *reqs, size_t n,
                        unsigned inflight, struct lethe_err *err)
{
  static const struct graph_producer p = { list_next, list_done };
  struct list l = { reqs, n, 0 };
  return graph_drive(c, &p, &l, inflight, err);
}

/* ---- errors, single GETs, pages ----------------------------------------------- */

lethe_rc graph_req_error(const struct graph_client *c, const struct graph_req *r, lethe_rc rc,
                         struct lethe_err *err)
{
  const char *url = db_str(&r->url), *q;
  size_t base = strlen(c->cfg.graph);
  char graph_err[400] = "";
  struct json_object *o = NULL;
  struct lethe_err ignored;
  int pathlen;
  if(!strncmp(url, c->cfg.graph, base))
    url += base;
  q = strchr(url, '?');
  pathlen = (int)(q ? (size_t)(q - url) : strlen(url));
  if(pathlen > 300)
    pathlen = 300;
  if(r->rc)
    return err_set(err, rc, "%s %.*s: %s", r->method, pathlen, url, r->why);
  if(!gj_parse(r->reply.mem, r->reply.len, "reply", &o, &ignored))
    gj_error_text(o, graph_err, sizeof(graph_err));
  json_object_put(o);
  return err_set(err, rc, "%s %.*s: HTTP %ld%s%s%s%s%s", r->method, pathlen, url, r->status,
                 graph_err[0] ? " " : "", graph_err, r->why[0] ? " (" : "", r->why,
                 r->why[0] ? ")" : "");
}

lethe_rc graph_get_json(struct graph_client *c, const char *url, unsigned flags,
                        struct json_object **out, struct lethe_err *err)
{
  struct graph_req r, *one = &r;
  lethe_rc rc;
  *out = NULL;
  graph_req_init(&r, "GET", GRAPH_REPLY_PAGE);
  r.flags = flags | GRAPH_REQ_AUTH | GRAPH_REQ_RESEND;
  rc = db_adds(&r.url, url) ? err_set(err, LETHE_E_RANGE, "URL too long") : LETHE_OK;
  if(!rc)
    rc = graph_send_all(c, &one, 1, 1, err);
  if(!rc && r.rc)
    rc = graph_req_error(c, &r, r.rc == LETHE_E_RANGE ? LETHE_E_RANGE : LETHE_E_IO, err);
  else if(!rc && (r.status < 200 || r.status > 299))
    rc = graph_req_error(c, &r, r.status == 404 ? LETHE_E_NOTFOUND : LETHE_E_PROTOCOL, err);
  if(!rc)
    rc = gj_parse(r.reply.mem, r.reply.len, "the reply to a GET", out, err);
  graph_req_release(&r);
  return rc;
}

static lethe_rc next_link(struct graph_client *c, struct json_object *page, struct dynbuf *url,
                          struct lethe_err *err)
{
  size_t n, base = strlen(c->cfg.graph);
  const char *link = gj_str(page, "@odata.nextLink", &n);
  db_reset(url);
  if(!link)
    return LETHE_OK;
  if(n != strlen(link) || strncmp(link, c->cfg.graph, base) || link[base] != '/')
    return err_set(err, LETHE_E_PROTOCOL, "the service sent a next-page link outside %s: "
                   "refused (the bearer token would go with it)", c->cfg.graph);
  for(size_t i = 0; i < n; i++)
    if((unsigned char)link[i] <= 0x20 || (unsigned char)link[i] >= 0x7f)
      return err_set(err, LETHE_E_PROTOCOL, "the service sent a malformed next-page link");
  return db_add(url, link, n) ? err_set(err, LETHE_E_RANGE, "next-page link too long")
                              : LETHE_OK;
}

static lethe_rc each_item(struct json_object *page, graph_item_fn fn, void *ctx,
                          struct lethe_err *err)
{
  struct json_object *v = gj_arr(page, "value");
  size_t n;
  lethe_rc rc = LETHE_OK;
  if(!v)
    return err_set(err, LETHE_E_PROTOCOL, "a collection page without a \"value\" array");
  n = json_object_array_length(v);
  for(size_t i = 0; i < n && !rc; i++)
    rc = fn(ctx, json_object_array_get_idx(v, i), err);
  return rc;
}

lethe_rc graph_each_page(struct graph_client *c, const char *url, unsigned flags,
                         graph_item_fn fn, void *ctx, struct lethe_err *err)
{
  struct dynbuf link;
  lethe_rc rc;
  db_init(&link, GRAPH_URL_MAX);
  rc = db_adds(&link, url) ? err_set(err, LETHE_E_RANGE, "URL too long") : LETHE_OK;
  for(unsigned pages = 0; !rc && link.len; pages++) {
    struct json_object *page = NULL;
    if(pages == PAGES_MAX) {
      rc = err_set(err, LETHE_E_PROTOCOL, "the service sent more than %u pages", PAGES_MAX);
      break;
    }
    rc = graph_get_json(c, db_str(&link), flags, &page, err);
    if(!rc)
      rc = each_item(page, fn, ctx, err);
    if(!rc)
      rc = next_link(c, page, &link, err);
    json_object_put(page);
  }
  db_release(&link);
  return rc;
}

#include "graph_token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "graph_creds.h"
#include "graph_http.h"
#include "graph_json.h"
#include "graph_jwt.h"

#define ATTEMPTS 3

void graph_token_wipe(struct graph_token *t)
{
  explicit_bzero(t, sizeof(*t));
}

void graph_token_url(const struct graph_config *cfg, const char *tenant, char *out, size_t n)
{
  snprintf(out, n, "%s/%s/oauth2/v2.0/token", cfg->login, tenant);
}

static lethe_rc add_pair(struct dynbuf *b, const char *key, const char *value)
{
  lethe_rc rc = db_adds(b, b->len ? "&" : "");
  if(!rc)
    rc = db_adds(b, key);
  if(!rc)
    rc = db_add(b, "=", 1);
  if(!rc)
    rc = graph_url_escape(b, value, strlen(value));
  return rc;
}

static lethe_rc form(const struct graph_config *cfg, const struct graph_creds *c,
                     const char *url, struct dynbuf *b, struct lethe_err *err)
{
  struct dynbuf jwt;
  lethe_rc rc = add_pair(b, "grant_type", "client_credentials");
  if(!rc)
    rc = add_pair(b, "client_id", c->client_id);
  if(!rc)
    rc = add_pair(b, "scope", cfg->scope);
  if(!rc && c->has_secret)
    return add_pair(b, "client_secret", c->secret);
  if(rc)
    return err_set(err, rc, "cannot build the token request");
  db_init(&jwt, 64 * 1024);
  rc = graph_jwt_assertion(c, url, (int64_t)time(NULL), &jwt, err);
  if(!rc)
    rc = add_pair(b, "client_assertion_type",
                  "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  if(!rc)
    rc = add_pair(b, "client_assertion", db_str(&jwt));
  if(jwt.mem)
    explicit_bzero(jwt.mem, jwt.cap);
  db_release(&jwt);
  return rc;
}

static lethe_rc refused(long status, struct json_object *o, struct lethe_err *err)
{
  const char *code = gj_str(o, "error", NULL), *desc = gj_str(o, "error_description", NULL);
  char text[300] = "";
  for(size_t i = 0; desc && desc[i] && desc[i] != '\r' && desc[i] != '\n' &&
                    i + 1 < sizeof(text); i++)
    text[i] = (unsigned char)desc[i] < 0x20 ? '?' : desc[i];
  return err_set(err, status == 400 || status == 401 ? LETHE_E_CONFIG : LETHE_E_PROTOCOL,
                 "the token endpoint refused (HTTP %ld %s): %s", status,
                 code ? code : "no error code", text[0] ? text : "no description");
}

lethe_rc graph_token_parse(long status, const char *body, size_t len, struct graph_token *t,
                           struct lethe_err *err)
{
  struct json_object *o;
  const char *tok, *type;
  size_t n;
  int64_t life = 0;
  lethe_rc rc = gj_parse(body, len, "token endpoint", &o, err);
  if(rc)
    return status >= 200 && status < 300 ? rc : err_set(err, LETHE_E_PROTOCOL, "the token "
                                                        "endpoint answered HTTP %ld", status);
  if(status != 200)
    rc = refused(status, o, err);
  else if(!(tok = gj_str(o, "access_token", &n)) || !gj_token_ok(tok, n, GRAPH_TOKEN_MAX) ||
          !(type = gj_str(o, "token_type", NULL)) || strcasecmp(type, "Bearer") ||
          !gj_int(o, "expires_in", &life) || life <= 0 || life > 86400 * 7)
    rc = err_set(err, LETHE_E_PROTOCOL, "the token endpoint answered without a usable bearer "
                 "token and expires_in");
  else {
    memcpy(t->value, tok, n);
    t->value[n] = '\0';
    t->len = n;
    t->expires_in = life;
  }
  if(!rc || status == 200) { /* json-c's copy of the token: clear it before freeing */
    tok = gj_str(o, "access_token", &n);
    if(tok)
      explicit_bzero((char *)tok, n);
  }
  json_object_put(o);
  return rc;
}

static lethe_rc one_attempt(void *easy, const struct graph_config *cfg, const char *url,
                            const struct graph_creds *c, struct graph_token *t,
                            struct lethe_err *err)
{
  struct graph_req r;
  lethe_rc rc;
  graph_req_init(&r, "POST", 64 * 1024);
  r.content_type = "application/x-www-form-urlencoded";
  rc = db_adds(&r.url, url) ? err_set(err, LETHE_E_RANGE, "token URL too long") : LETHE_OK;
  if(!rc)
    rc = form(cfg, c, url, &r.body, err);
  if(!rc) {
    graph_http_perform(easy, &r, cfg);
    if(r.rc)
      rc = err_set(err, LETHE_E_IO, "cannot reach the token endpoint %s: %s", cfg->login, r.why);
    else if(r.status == 429 || r.status >= 500)
      rc = err_set(err, LETHE_E_IO, "the token endpoint is busy (HTTP %ld)", r.status);
    else
      rc = graph_token_parse(r.status, r.reply.mem, r.reply.len, t, err);
  }
  graph_req_release(&r); /* wipes the form and the reply */
  return rc;
}

lethe_rc graph_token_fetch(void *easy, const struct graph_config *cfg, struct graph_token *t,
                           struct lethe_err *err)
{
  struct graph_creds *c = malloc(sizeof(*c));
  char url[GRAPH_ENDPOINT_MAX + 400];
  lethe_rc rc;
  if(!c)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  graph_token_wipe(t);
  rc = cfg->credentials ? graph_creds_read(cfg->credentials, c, err)
                        : err_set(err, LETHE_E_CONFIG, "a Graph source needs 'credentials', "
                                  "the credentials file (see lethe-graph(7))");
  if(!rc)
    graph_token_url(cfg, c->tenant, url, sizeof(url));
  for(int i = 0; !rc && i < ATTEMPTS; i++) {
    rc = one_attempt(easy, cfg, url, c, t, err);
    if(rc != LETHE_E_IO || i + 1 == ATTEMPTS)
      break;
    struct timespec ts = { .tv_sec = 1 << i, .tv_nsec = 0 };
    nanosleep(&ts, NULL);
    rc = LETHE_OK;
  }
  graph_creds_wipe(c);
  free(c);
  return rc;
}

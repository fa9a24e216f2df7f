/* A Graph client: one cloud, one set of credentials, a token kept in memory
 * and an engine that runs requests over libcurl's multi interface.
 *
 * The engine keeps at most the asked number of requests in flight and
 * retries what the service asks it to:
 *   - 429 and 503 after Retry-After (the throttling guidance,
 *     https://learn.microsoft.com/graph/throttling), or with exponential
 *     back-off from 1 s when there is none; while one waits, no new request
 *     starts either, so a retry is never early and a throttled service gets
 *     no new load. The time spent waiting with nothing in flight is counted
 *     and capped (GRAPH_THROTTLE_CAP_MS): past it the request is answered
 *     with its 429, and why says the cap was reached.
 *   - 401: the token is fetched again once, and the request resent once.
 *   - a dropped connection or a timeout: resent up to three times, with
 *     back-off, but only requests flagged GRAPH_REQ_RESEND.
 * The token is fetched before the first request that needs one and again
 * before expires_in runs out (five minutes early, or a fifth of its life
 * for short ones). */
#ifndef LETHE_GRAPH_CLIENT_H
#define LETHE_GRAPH_CLIENT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "graph_config.h"
#include "graph_http.h"
#include "graph_token.h"

#define GRAPH_INFLIGHT_MAX 4                        /* Outlook's per-mailbox concurrency */
#define GRAPH_THROTTLE_CAP_MS (15LL * 60 * 1000)    /* waiting for throttling, in total */
#define GRAPH_RESENDS 3

struct graph_client {
  struct graph_config cfg;
  struct graph_token *token;      /* NULL until fetched; wiped */
  int64_t refresh_at;             /* monotonic ms: fetch a new token from then on */
  uint64_t token_gen;             /* bumped with each new token */
  void *multi;                    /* CURLM */
  void *easy[GRAPH_INFLIGHT_MAX];
  bool busy[GRAPH_INFLIGHT_MAX];
  void *token_easy;
  int64_t hold_until;             /* monotonic ms: nothing new starts before */
  int64_t throttle_cap_ms;
  /* Counters, for reports and benchmarks. */
  int64_t throttle_wait_ms;       /* idle because of throttling, in total */
  uint64_t sent;                  /* requests sent, resends included */
  uint64_t throttled;             /* 429 and 503 answers */
  uint64_t tokens;                /* tokens fetched */
};

/* Set up c for cfg (copied; its strings stay borrowed). Nothing is sent. */
lethe_rc graph_client_open(struct graph_client *c, const struct graph_config *cfg,
                           struct lethe_err *err) WUR;

/* Free everything, wiping the token. Safe on a zeroed client. */
void graph_client_close(struct graph_client *c);

/* Make sure a fresh token is held now (open checks credentials with it). */
lethe_rc graph_client_auth(struct graph_client *c, struct lethe_err *err) WUR;

/* Milliseconds of a monotonic clock. */
int64_t graph_now_ms(void);

/* Where requests come from and where they go when done. */
struct graph_producer {
  /* The next request to send at now, or NULL; with NULL, *wake is the
   * instant one may be ready, or -1 when none will be until a request
   * in flight is done. */
  struct graph_req *(*next)(void *ctx, int64_t now, int64_t *wake);
  /* r has its answer (r->status), or failed for good (r->rc). Returning
   * non-zero stops the engine (requests in flight are abandoned). */
  lethe_rc (*done)(void *ctx, struct graph_req *r, struct lethe_err *err);
};

/* Run requests from p, at most inflight (<= GRAPH_INFLIGHT_MAX) at a time,
 * until p has none left and none is in flight. An error only for what stops
 * everything: no token, no memory, or p->done's own. */
lethe_rc graph_drive(struct graph_client *c, const struct graph_producer *p, void *ctx,
                     unsigned inflight, struct lethe_err *err) WUR;

/* Send the n requests of reqs, inflight at a time; each gets its outcome. */
lethe_rc graph_send_all(struct graph_client *c, struct graph_req *const *reqs, size_t n,
                        unsigned inflight, struct lethe_err *err) WUR;

/* "GET /v1.0/users/x/...: HTTP 404 ErrorItemNotFound: ... (request-id R)"
 * for a request that did not succeed, into err, with code rc. */
lethe_rc graph_req_error(const struct graph_client *c, const struct graph_req *r, lethe_rc rc,
                         struct lethe_err *err);

/* GET url (absolute) with flags and parse a 2xx JSON answer into *out (a
 * reference the caller puts). A 404 gives LETHE_E_NOTFOUND, other failures
 * LETHE_E_IO, LETHE_E_PROTOCOL or LETHE_E_PARSE, each with the request and
 * Graph's error in err. */
lethe_rc graph_get_json(struct graph_client *c, const char *url, unsigned flags,
                        struct json_object **out, struct lethe_err *err) WUR;

/* Called with each element of a collection's "value" arrays. */
typedef lethe_rc (*graph_item_fn)(void *ctx, struct json_object *item, struct lethe_err *err);

/* GET url and every page after it, following @odata.nextLink as given (it
 * must stay on the Graph endpoint: the bearer token goes with it), calling
 * fn with each element. A page without "value", or a link elsewhere, is
 * LETHE_E_PROTOCOL. */
lethe_rc graph_each_page(struct graph_client *c, const char *url, unsigned flags,
                         graph_item_fn fn, void *ctx, struct lethe_err *err) WUR;

#endif

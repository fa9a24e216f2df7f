/* JSON batching (https://learn.microsoft.com/graph/json-batching): many
 * requests in POST /v1.0/$batch envelopes of at most GRAPH_BATCH_MAX, each
 * request's answer read by its id.
 *
 * Outlook runs up to four requests of a batch at once against the mailbox,
 * and a mailbox takes four concurrent requests of an app in all (Outlook
 * service limits, https://learn.microsoft.com/graph/throttling-limits). So
 * that several envelopes can be in flight without going over that, a
 * chained run makes each request of an envelope depend on the one before
 * it (dependsOn): an envelope then holds one mailbox slot, and four in
 * flight hold four. A request that fails makes the ones after it fail with
 * 424; those are simply sent again.
 *
 * Each answer is handled on its own: 429 and 503 are sent again after their
 * Retry-After (no new envelope leaves before that either, and the time is
 * counted against the client's cap); 401 fetches a new token once; an
 * envelope whose reply is lost (connection cut, malformed or incomplete
 * reply) is sent again, at most GRAPH_RESENDS times, which is safe only
 * because every request Lethe batches is a GET or a deletion (sending a
 * deletion again answers 404). */
#ifndef LETHE_GRAPH_BATCH_H
#define LETHE_GRAPH_BATCH_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph_client.h"

#define GRAPH_BATCH_MAX 20
#define GRAPH_SUB_URL_MAX 2048

/* One request of a batch. */
struct graph_sub {
  /* The request: method and URL relative to the version root
   * ("/users/cs%40example.org/messages/ID?$select=id"). */
  const char *method;
  char url[GRAPH_SUB_URL_MAX];
  char if_match[256];          /* "" for none */

  /* The answer. */
  long status;                 /* 0: none could be had (why says so) */
  char request_id[80];
  struct json_object *body;    /* a JSON answer's body, or NULL; graph_batch_release puts it */
  char why[256];
  int64_t throttled_ms;        /* waited for this request's Retry-After */

  bool urgent;                 /* goes out before the others (a deletion whose check is in) */

  /* Bookkeeping of graph_batch_run. */
  int64_t not_before;
  unsigned resends, auth, cascades, throttles;
  bool pending, sent;
};

/* Called as soon as subs[i] has its final answer. It may append requests
 * at subs[*n] and up (method, url, if_match, urgent set; at most the run's
 * cap in all), raising *n: they are sent in the same run. Non-zero stops
 * the run. */
typedef lethe_rc (*graph_answered_fn)(void *ctx, struct graph_sub *subs, size_t i, size_t *n,
                                      struct lethe_err *err);

struct graph_batch_opts {
  bool chain;                  /* dependsOn chains (Outlook) */
  unsigned inflight;           /* envelopes in flight, 1..GRAPH_INFLIGHT_MAX */
  unsigned flags;              /* GRAPH_REQ_IMMUTABLE, GRAPH_REQ_UTC: for every request */
  graph_answered_fn answered;  /* optional */
  void *ctx;
  size_t cap;                  /* with answered: room in subs */
};

/* Send subs[0..n) (whose method and url are set) and fill their answers.
 * LETHE_E_IO when an envelope could not be exchanged even after resends
 * (what its requests did is then unknown: the caller must not guess),
 * LETHE_E_PROTOCOL when the service refused a whole envelope; per-request
 * failures are only in their status. */
lethe_rc graph_batch_run(struct graph_client *c, struct graph_sub *subs, size_t n,
                         const struct graph_batch_opts *o, struct lethe_err *err) WUR;

/* Put every answer body of subs[0..n). */
void graph_batch_release(struct graph_sub *subs, size_t n);

/* One answer of a $batch reply, as graph_batch_parse hands it over. */
struct graph_answer {
  const char *id;
  long status;
  double retry_after;          /* -1: none */
  const char *request_id;      /* NULL: none */
  struct json_object *body;    /* borrowed; NULL when absent or not JSON */
};

typedef lethe_rc (*graph_answer_fn)(void *ctx, const struct graph_answer *a,
                                    struct lethe_err *err);

/* Check a $batch reply body and call fn with each answer, in the reply's
 * order. LETHE_E_PARSE for text that is not JSON; LETHE_E_PROTOCOL for a
 * reply of another shape: no "responses" array, an answer without a string
 * id of 1 to 32 bytes or without an integer status from 100 to 599, an id
 * given twice, headers that are not an object. (graph_batch_parse.c) */
lethe_rc graph_batch_parse(const char *text, size_t len, graph_answer_fn fn, void *ctx,
                           struct lethe_err *err) WUR;

/* Append the envelope for subs[idx[0..k)] to out: ids are the indices in
 * subs, chained with dependsOn when chain. (graph_batch_parse.c) */
lethe_rc graph_batch_envelope(const struct graph_sub *subs, const size_t *idx, size_t k,
                              bool chain, unsigned flags, struct dynbuf *out) WUR;

#endif

/* One HTTPS request to Graph or to the token endpoint, over a libcurl easy
 * handle: what is sent, what came back, both bounded.
 *
 * TLS is always verified (the system's CAs, or ca-file); only https is
 * allowed, redirects are never followed (a 302 is answered to the caller,
 * who decides whether the target gets the bearer token: a pre-authenticated
 * download URL must not). The Authorization header is built only while the
 * request is being set up and wiped when it is done. A reply body goes to a
 * buffer with a hard maximum (over it, the request fails with
 * LETHE_E_RANGE), or, for a 2xx answer with a sink, to the sink as it
 * arrives. */
#ifndef LETHE_GRAPH_HTTP_H
#define LETHE_GRAPH_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynbuf.h"
#include "graph_config.h"

#define GRAPH_URL_MAX (64 * 1024)
#define GRAPH_REPLY_SMALL (256 * 1024)        /* one object, an error */
#define GRAPH_REPLY_PAGE (32 * 1024 * 1024)   /* a page of 1000 messages, a $batch reply */

/* Request flags. */
#define GRAPH_REQ_AUTH 1u        /* send the bearer token */
#define GRAPH_REQ_IMMUTABLE 2u   /* Prefer: IdType="ImmutableId" (Outlook ids) */
#define GRAPH_REQ_UTC 4u         /* Prefer: outlook.timezone="UTC" (event times) */
#define GRAPH_REQ_RESEND 8u      /* may be sent again after a dropped connection: the
                                    request is read-only or idempotent in effect */

/* Receives a 2xx reply body as it arrives; non-zero aborts the transfer. */
typedef lethe_rc (*graph_sink_fn)(void *ctx, const char *data, size_t n);

struct graph_req {
  /* What to send: set by the caller (graph_req_init, then the fields). */
  const char *method;         /* "GET", "POST", "DELETE" */
  struct dynbuf url;          /* absolute */
  struct dynbuf body;         /* may be empty; wiped when released */
  const char *content_type;   /* of body */
  char if_match[256];         /* "" for none */
  unsigned flags;             /* GRAPH_REQ_* */
  graph_sink_fn sink;         /* optional: where a 2xx body goes */
  void *sink_ctx;
  lethe_rc (*sink_reset)(void *ctx); /* before a resend; required with RESEND and a sink */
  void *user;                 /* the caller's */

  /* What came back: set by the engine (graph_client.h). */
  long status;                /* 0 when rc says the exchange itself failed */
  struct dynbuf reply;        /* the body (unless a sink took it), bounded */
  struct dynbuf location;     /* the Location header, for a 3xx */
  char request_id[80];        /* the request-id header, "" if none */
  double retry_after;         /* seconds from Retry-After, or -1 */
  lethe_rc rc;                /* the exchange: LETHE_OK when an answer was read */
  char why[512];              /* when rc is set: what went wrong */

  /* The engine's bookkeeping. */
  int64_t not_before;         /* monotonic ms */
  unsigned tries, auth_tries, throttles;
  int64_t throttled_ms;       /* waited for Retry-After, in total */
  uint64_t token_gen;
  void *easy;
  struct curl_slist *headers;
  lethe_rc sink_rc;
};

/* Prepare r for method, with reply bodies of up to reply_max bytes. */
void graph_req_init(struct graph_req *r, const char *method, size_t reply_max);

/* Free what r holds, wiping its body and headers. */
void graph_req_release(struct graph_req *r);

/* Forget the last answer (before sending again). */
void graph_req_clear_outcome(struct graph_req *r);

/* Set up the easy handle for r: URL, method, headers (token, if not NULL,
 * as "Authorization: Bearer"), body, TLS as cfg says, callbacks. */
lethe_rc graph_http_setup(void *easy, struct graph_req *r, const struct graph_config *cfg,
                          const char *token, struct lethe_err *err) WUR;

/* After the transfer ended with curl code result: fill status and rc/why,
 * and free the header list (wiping it). */
void graph_http_finish(void *easy, struct graph_req *r, int result);

/* Run r to the end on easy, blocking (the token request). */
void graph_http_perform(void *easy, struct graph_req *r, const struct graph_config *cfg);

/* Append to out the text of fmt, where each "%s" takes the next argument
 * (a string) as it is, each "%e" takes it percent-encoded (graph_url_escape)
 * and "%%" is a '%': graph_url_add(&u, "%s/v1.0/users/%e/drive", root, upn).
 * Only strings: not a printf. */
lethe_rc graph_url_add(struct dynbuf *out, const char *fmt, ...) WUR;

/* Append s[0..n) to out percent-encoded for a URL path segment or a query
 * value (everything but unreserved characters is encoded). */
lethe_rc graph_url_escape(struct dynbuf *out, const char *s, size_t n) WUR;

#endif

#include "graph_http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#define LOW_SPEED_TIME 120L   /* seconds under 1 byte/s before giving up */
#define CONNECT_TIMEOUT 30L

void graph_req_init(struct graph_req *r, const char *method, size_t reply_max)
{
  memset(r, 0, sizeof(*r));
  r->method = method;
  db_init(&r->url, GRAPH_URL_MAX);
  db_init(&r->body, GRAPH_REPLY_PAGE);
  db_init(&r->reply, reply_max);
  db_init(&r->location, GRAPH_URL_MAX);
  r->retry_after = -1;
}

static void wipe_buf(struct dynbuf *b)
{
  if(b->mem)
    explicit_bzero(b->mem, b->cap);
  db_release(b);
}

static void free_headers(struct graph_req *r)
{
  for(struct curl_slist *h = r->headers; h; h = h->next)
    explicit_bzero(h->data, strlen(h->data));
  curl_slist_free_all(r->headers);
  r->headers = NULL;
}

void graph_req_release(struct graph_req *r)
{
  free_headers(r);
  db_release(&r->url);
  wipe_buf(&r->body);
  wipe_buf(&r->reply);
  db_release(&r->location);
}

void graph_req_clear_outcome(struct graph_req *r)
{
  r->status = 0;
  db_reset(&r->reply);
  db_reset(&r->location);
  r->request_id[0] = '\0';
  r->retry_after = -1;
  r->rc = LETHE_OK;
  r->why[0] = '\0';
  r->sink_rc = LETHE_OK;
}

lethe_rc graph_url_escape(struct dynbuf *out, const char *s, size_t n)
{
  static const char hex[] = "0123456789ABCDEF";
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < n && !rc; i++) {
    unsigned char c = (unsigned char)s[i];
    if((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
       strchr("-._~", c)) {
      rc = db_add(out, s + i, 1);
    }
    else {
      char e[3] = { '%', hex[c >> 4], hex[c & 15] };
      rc = db_add(out, e, 3);
    }
  }
  return rc;
}

lethe_rc graph_url_add(struct dynbuf *out, const char *fmt, ...)
{
  va_list ap;
  lethe_rc rc = LETHE_OK;
  va_start(ap, fmt);
  for(const char *p = fmt; *p && !rc; p++) {
    const char *arg;
    if(*p != '%' || (p[1] != 's' && p[1] != 'e')) {
      rc = db_add(out, p, 1);
      p += *p == '%' && p[1] == '%';
      continue;
    }
    arg = va_arg(ap, const char *);
    rc = p[1] == 's' ? db_adds(out, arg) : graph_url_escape(out, arg, strlen(arg));
    p++;
  }
  va_end(ap);
  return rc;
}

/* ---- callbacks ------------------------------------------------------------ */

static bool header_is(const char *h, size_t n, const char *name, const char **value,
                      size_t *vlen)
{
  size_t k = strlen(name);
  if(n <= k || strncasecmp(h, name, k) || h[k] != ':')
    return false;
  h += k + 1;
  n -= k + 1;
  while(n && (*h == ' ' || *h == '\t'))
    h++, n--;
  while(n && (h[n - 1] == '\r' || h[n - 1] == '\n' || h[n - 1] == ' '))
    n--;
  *value = h;
  *vlen = n;
  return true;
}

static double parse_retry_after(const char *v, size_t n)
{
  char buf[32];
  char *end;
  double d;
  if(!n || n >= sizeof(buf))
    return -1;
  memcpy(buf, v, n);
  buf[n] = '\0';
  d = strtod(buf, &end);
  if(end == buf || *end || d < 0 || d > 86400)
    return -1; /* an HTTP date or garbage: back off exponentially instead */
  return d;
}

static size_t on_header(char *h, size_t size, size_t nmemb, void *ctx)
{
  struct graph_req *r = ctx;
  size_t n = size * nmemb, vlen;
  const char *v;
  if(n >= 5 && !strncmp(h, "HTTP/", 5)) { /* a new response (after 100 Continue) */
    r->request_id[0] = '\0';
    r->retry_after = -1;
    db_reset(&r->location);
  }
  else if(header_is(h, n, "request-id", &v, &vlen)) {
    snprintf(r->request_id, sizeof(r->request_id), "%.*s", (int)vlen, v);
    for(char *p = r->request_id; *p; p++)
      if((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e || *p == '"' || *p == '\\')
        *p = '?';
  }
  else if(header_is(h, n, "Retry-After", &v, &vlen)) {
    r->retry_after = parse_retry_after(v, vlen);
  }
  else if(header_is(h, n, "Location", &v, &vlen)) {
    db_reset(&r->location);
    if(db_add(&r->location, v, vlen))
      db_reset(&r->location);
  }
  return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
  struct graph_req *r = ctx;
  size_t n = size * nmemb;
  long code = 0;
  curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
  if(r->sink && code >= 200 && code < 300) {
    r->sink_rc = r->sink(r->sink_ctx, data, n);
    return r->sink_rc ? 0 : n;
  }
  if(db_add(&r->reply, data, n)) {
    r->sink_rc = LETHE_E_RANGE;
    return 0;
  }
  return n;
}

/* ---- setup ----------------------------------------------------------------- */

/* "name: value", or "name:" alone (which removes a header libcurl adds). */
static lethe_rc add_header(struct graph_req *r, const char *name, const char *value)
{
  char line[1024];
  struct curl_slist *l;
  if((size_t)snprintf(line, sizeof(line), "%s:%s%s", name, value ? " " : "",
                      value ? value : "") >= sizeof(line))
    return LETHE_E_RANGE;
  l = curl_slist_append(r->headers, line);
  explicit_bzero(line, sizeof(line));
  if(!l)
    return LETHE_E_NOMEM;
  r->headers = l;
  return LETHE_OK;
}

static lethe_rc auth_header(struct graph_req *r, const char *token)
{
  size_t n = strlen(token);
  char *line = malloc(n + 32);
  struct curl_slist *l;
  if(!line)
    return LETHE_E_NOMEM;
  memcpy(line, "Authorization: Bearer ", 22);
  memcpy(line + 22, token, n + 1);
  l = curl_slist_append(r->headers, line);
  explicit_bzero(line, n + 32);
  free(line);
  if(!l)
    return LETHE_E_NOMEM;
  r->headers = l;
  return LETHE_OK;
}

static lethe_rc headers(struct graph_req *r, const char *token)
{
  lethe_rc rc = add_header(r, "Accept", "application/json");
  if(!rc && token)
    rc = auth_header(r, token);
  if(!rc && (r->flags & GRAPH_REQ_IMMUTABLE))
    rc = add_header(r, "Prefer", "IdType=\"ImmutableId\"");
  if(!rc && (r->flags & GRAPH_REQ_UTC))
    rc = add_header(r, "Prefer", "outlook.timezone=\"UTC\"");
  if(!rc && r->if_match[0])
    rc = add_header(r, "If-Match", r->if_match);
  if(!rc && r->content_type)
    rc = add_header(r, "Content-Type", r->content_type);
  if(!rc)
    rc = add_header(r, "Expect", NULL); /* no 100-continue round trip */
  return rc;
}

static void tls(CURL *e, const struct graph_config *cfg)
{
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if(cfg->ca_file)
    curl_easy_setopt(e, CURLOPT_CAINFO, cfg->ca_file);
}

lethe_rc graph_http_setup(void *easy, struct graph_req *r, const struct graph_config *cfg,
                          const char *token, struct lethe_err *err)
{
  CURL *e = easy;
  lethe_rc rc;
  curl_easy_reset(e);
  free_headers(r);
  graph_req_clear_outcome(r);
  r->easy = e;
  rc = headers(r, token);
  if(rc)
    return err_set(err, rc, "cannot build the request's headers");
  tls(e, cfg);
  curl_easy_setopt(e, CURLOPT_URL, db_str(&r->url));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_TIME);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
  curl_easy_setopt(e, CURLOPT_PRIVATE, r);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "lethe");
  if(!strcmp(r->method, "POST")) {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, db_str(&r->body));
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body.len);
  }
  else if(strcmp(r->method, "GET")) {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
  }
  return LETHE_OK;
}

void graph_http_finish(void *easy, struct graph_req *r, int result)
{
  long code = 0;
  CURLcode res = (CURLcode)result;
  free_headers(r);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  r->status = res == CURLE_OK ? code : 0;
  if(res == CURLE_OK)
    return;
  if(r->sink_rc == LETHE_E_RANGE && !(r->sink && code >= 200 && code < 300)) {
    r->rc = LETHE_E_RANGE;
    snprintf(r->why, sizeof(r->why), "the reply is larger than the %zu bytes allowed",
             r->reply.max);
  }
  else if(r->sink_rc) {
    r->rc = r->sink_rc;
    snprintf(r->why, sizeof(r->why), "the reply could not be stored: %s",
             lethe_strerror(r->sink_rc));
  }
  else {
    r->rc = LETHE_E_IO;
    snprintf(r->why, sizeof(r->why), "%s", curl_easy_strerror(res));
  }
}

void graph_http_perform(void *easy, struct graph_req *r, const struct graph_config *cfg)
{
  struct lethe_err err = { 0 };
  if(graph_http_setup(easy, r, cfg, NULL, &err)) {
    r->rc = err.rc;
    snprintf(r->why, sizeof(r->why), "%.500s", err.msg);
    return;
  }
  graph_http_finish(easy, r, curl_easy_perform(easy));
}

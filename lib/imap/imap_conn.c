/* The IMAP session: transport through libcurl, the bounded response reader,
 * and running one command. Authentication is in imap_auth.c, opening a
 * session (connect, log in, check) in imap_open.c. */
#include "imap_conn.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>


#define RECV_CHUNK 65536
#define IN_MAX (IMAP_LINE_MAX + RECV_CHUNK)
#define CMD_MAX (64 * 1024)
#define CAPS_MAX 8192

static lethe_rc broken(struct imap_conn *c, lethe_rc rc, struct lethe_err *err,
                       const char *fmt, ...) PRINTF(4, 5);

static lethe_rc broken(struct imap_conn *c, lethe_rc rc, struct lethe_err *err,
                       const char *fmt, ...)
{
  va_list ap;
  if(!c->broken) {
    va_start(ap, fmt);
    vsnprintf(c->broken_why, sizeof(c->broken_why), fmt, ap);
    va_end(ap);
    c->broken = true;
  }
  return err_set(err, rc, "%s", c->broken_why);
}

void imap_conn_init(struct imap_conn *c)
{
  memset(c, 0, sizeof(*c));
  c->sock = -1;
  db_init(&c->in, IN_MAX);
  db_init(&c->resp, IMAP_RESP_DEFAULT);
  db_init(&c->cmd, CMD_MAX);
  db_init(&c->caps, CAPS_MAX);
  c->literal_max = IMAP_LITERAL_DEFAULT;
  c->resp_max = IMAP_RESP_DEFAULT;
  c->timeout_ms = IMAP_TIMEOUT_MS;
}

void imap_conn_limits(struct imap_conn *c, size_t literal_max, size_t resp_max)
{
  c->literal_max = literal_max;
  c->resp_max = resp_max;
  c->resp.max = resp_max;
}

bool imap_conn_has_cap(const struct imap_conn *c, const char *cap)
{
  return imap_caps_has(db_str(&c->caps), c->caps.len, cap);
}

bool imap_host_is_loopback(const char *host)
{
  struct in_addr a;
  if(inet_pton(AF_INET, host, &a) == 1)
    return (ntohl(a.s_addr) >> 24) == 127;
  return !strcasecmp(host, "localhost") || !strcmp(host, "[::1]");
}

/* ---- transport -------------------------------------------------------------- */

static int remaining_ms(const struct timespec *start, int timeout_ms)
{
  struct timespec now;
  long elapsed;
  clock_gettime(CLOCK_MONOTONIC, &now);
  elapsed = (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
  return elapsed >= timeout_ms ? 0 : (int)(timeout_ms - elapsed);
}

/* Wait until the socket is ready for events, or time out. */
static lethe_rc wait_socket(struct imap_conn *c, short events, const struct timespec *start,
                            struct lethe_err *err)
{
  struct pollfd pfd = { .fd = (int)c->sock, .events = events };
  for(;;) {
    int left = remaining_ms(start, c->timeout_ms), n;
    if(!left)
      return broken(c, LETHE_E_IO, err, "the IMAP server did not answer within %d seconds",
                    c->timeout_ms / 1000);
    n = poll(&pfd, 1, left);
    if(n > 0)
      return LETHE_OK;
    if(n < 0 && errno != EINTR)
      return broken(c, LETHE_E_IO, err, "waiting for the IMAP server: %s", strerror(errno));
  }
}

/* Receive more bytes into c->in. */
static lethe_rc fill(struct imap_conn *c, struct lethe_err *err)
{
  char buf[RECV_CHUNK];
  struct timespec start;
  lethe_rc rc;
  if(!c->curl)
    return broken(c, LETHE_E_IO, err, "the IMAP server closed the connection");
  if(c->in_off) { /* keep the unread bytes at the front: room for a full chunk */
    memmove(c->in.mem, c->in.mem + c->in_off, c->in.len - c->in_off);
    db_truncate(&c->in, c->in.len - c->in_off);
    c->in_off = 0;
  }
  clock_gettime(CLOCK_MONOTONIC, &start);
  for(;;) {
    size_t got = 0, room = c->in.max - c->in.len;
    CURLcode cc = curl_easy_recv(c->curl, buf, room < sizeof(buf) ? room : sizeof(buf), &got);
    if(cc == CURLE_AGAIN) {
      rc = wait_socket(c, POLLIN, &start, err);
      if(rc)
        return rc;
      continue;
    }
    if(cc != CURLE_OK)
      return broken(c, LETHE_E_IO, err, "reading from the IMAP server: %s",
                    curl_easy_strerror(cc));
    if(!got)
      return broken(c, LETHE_E_IO, err, "the IMAP server closed the connection");
    rc = db_add(&c->in, buf, got);
    if(rc)
      return broken(c, rc, err, "reading from the IMAP server: %s", lethe_strerror(rc));
    return LETHE_OK;
  }
}

lethe_rc imap_conn_feed(struct imap_conn *c, const void *data, size_t n)
{
  return db_add(&c->in, data, n);
}

static lethe_rc send_all(struct imap_conn *c, const char *p, size_t n, struct lethe_err *err)
{
  struct timespec start;
  if(!c->curl)
    return broken(c, LETHE_E_IO, err, "not connected to the IMAP server");
  clock_gettime(CLOCK_MONOTONIC, &start);
  while(n) {
    size_t sent = 0;
    CURLcode cc = curl_easy_send(c->curl, p, n, &sent);
    if(cc == CURLE_AGAIN) {
      lethe_rc rc = wait_socket(c, POLLOUT, &start, err);
      if(rc)
        return rc;
      continue;
    }
    if(cc != CURLE_OK)
      return broken(c, LETHE_E_IO, err, "writing to the IMAP server: %s",
                    curl_easy_strerror(cc));
    p += sent;
    n -= sent;
  }
  return LETHE_OK;
}

/* ---- the bounded reader -------------------------------------------------------- */

/* The next line (without CRLF) at in_off: *line and *len; consumed. */
static lethe_rc read_line(struct imap_conn *c, const char **line, size_t *len,
                          struct lethe_err *err)
{
  size_t scanned = 0;
  for(;;) {
    const char *start = c->in.mem ? c->in.mem + c->in_off : NULL;
    size_t avail = c->in.len - c->in_off;
    const char *lf = avail > scanned ? memchr(start + scanned, '\n', avail - scanned) : NULL;
    lethe_rc rc;
    if(lf) {
      *line = start;
      *len = (size_t)(lf - start);
      if(*len && start[*len - 1] == '\r')
        (*len)--;
      c->in_off += (size_t)(lf - start) + 1;
      return LETHE_OK;
    }
    if(avail > IMAP_LINE_MAX)
      return broken(c, LETHE_E_RANGE, err, "the IMAP server sent a line longer than %d "
                    "bytes", IMAP_LINE_MAX);
    scanned = avail;
    rc = fill(c, err);
    if(rc)
      return rc;
  }
}

/* Move n bytes of literal from the input to the response. */
static lethe_rc read_literal(struct imap_conn *c, uint64_t n, struct lethe_err *err)
{
  while(n) {
    size_t avail = c->in.len - c->in_off, take = avail < n ? avail : (size_t)n;
    lethe_rc rc;
    if(take) {
      rc = db_add(&c->resp, c->in.mem + c->in_off, take);
      if(rc)
        return broken(c, rc, err, "an IMAP response larger than %zu bytes", c->resp_max);
      c->in_off += take;
      n -= take;
      continue;
    }
    rc = fill(c, err);
    if(rc)
      return rc;
  }
  return LETHE_OK;
}

/* A status response ("A1 OK ...", "* BYE ...") carries no literal, whatever
 * its text ends with. */
static bool is_status_line(const char *p, size_t n)
{
  static const char *const words[] = { "OK ", "NO ", "BAD ", "BYE ", "PREAUTH " };
  const char *sp = memchr(p, ' ', n);
  if(!sp)
    return false;
  n -= (size_t)(sp + 1 - p);
  for(size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
    if(n >= strlen(words[i]) && !strncasecmp(sp + 1, words[i], strlen(words[i])))
      return true;
  return false;
}

/* The size of the literal announced at the end of line p[0..n), or false. */
static bool literal_at_end(const char *p, size_t n, uint64_t *size)
{
  size_t i;
  uint64_t v = 0;
  if(n < 3 || p[n - 1] != '}')
    return false;
  for(i = n - 1; i > 0 && p[i - 1] >= '0' && p[i - 1] <= '9'; i--)
    ;
  if(i == 0 || p[i - 1] != '{' || i == n - 1 || n - 1 - i > 19)
    return false;
  for(size_t k = i; k < n - 1; k++)
    v = v * 10 + (uint64_t)(p[k] - '0');
  *size = v;
  return true;
}

lethe_rc imap_conn_read(struct imap_conn *c, struct imap_resp *r, struct lethe_err *err)
{
  bool first = true, status = false;
  lethe_rc rc;
  if(c->broken)
    return err_set(err, LETHE_E_IO, "%s", c->broken_why);
  db_reset(&c->resp);
  for(;;) {
    const char *line = NULL;
    size_t len = 0;
    uint64_t lit = 0;
    rc = read_line(c, &line, &len, err);
    if(rc)
      return rc;
    if(first)
      status = is_status_line(line, len);
    first = false;
    rc = db_add(&c->resp, line, len);
    if(rc)
      return broken(c, rc, err, "an IMAP response larger than %zu bytes", c->resp_max);
    if(status || !literal_at_end(line, len, &lit))
      break;
    if(lit > c->literal_max)
      return broken(c, LETHE_E_RANGE, err, "the IMAP server announced a literal of %llu "
                    "bytes, more than the %zu allowed here", (unsigned long long)lit,
                    c->literal_max);
    rc = db_add(&c->resp, "\r\n", 2);
    if(!rc)
      rc = read_literal(c, lit, err);
    if(rc)
      return rc == LETHE_E_RANGE || rc == LETHE_E_NOMEM
             ? broken(c, rc, err, "an IMAP response larger than %zu bytes", c->resp_max) : rc;
  }
  rc = imap_resp_parse(c->resp.mem, c->resp.len, r, err);
  if(rc)
    return broken(c, rc, err, "%s", err ? err->msg : "malformed IMAP response");
  return LETHE_OK;
}

/* ---- commands --------------------------------------------------------------------- */

/* Remember a CAPABILITY list: from "* CAPABILITY ..." or a [CAPABILITY ...] code. */
static void note_caps(struct imap_conn *c, const struct imap_resp *r)
{
  const char *p = NULL;
  size_t n = 0;
  if(r->kind == IMAP_UNTAGGED && imap_resp_is(r, "CAPABILITY")) {
    p = r->rest.p;
    n = (size_t)(r->rest.end - r->rest.p);
  }
  else if(r->code && r->code_len > 11 && !strncasecmp(r->code, "CAPABILITY ", 11)) {
    p = r->code + 11;
    n = r->code_len - 11;
  }
  if(!p)
    return;
  while(n && *p == ' ')
    p++, n--;
  db_reset(&c->caps);
  if(db_add(&c->caps, p, n))
    db_reset(&c->caps);
}

static void verb_of(const char *cmd, char *out, size_t n)
{
  size_t len = strcspn(cmd, " ");
  if(len >= 4 && !strncasecmp(cmd, "UID ", 4))
    len = 4 + strcspn(cmd + 4, " ");
  snprintf(out, n, "%.*s", (int)len, cmd);
}

static lethe_rc finish_tagged(struct imap_conn *c, const struct imap_resp *r,
                              const char *verb, enum imap_status *status,
                              struct lethe_err *err)
{
  char tag[16];
  snprintf(tag, sizeof(tag), "L%u", c->tag);
  if(r->tag_len != strlen(tag) || memcmp(r->tag, tag, r->tag_len))
    return broken(c, LETHE_E_PROTOCOL, err, "the IMAP server answered tag '%.*s' while "
                  "Lethe waited for %s", (int)(r->tag_len > 20 ? 20 : r->tag_len), r->tag,
                  tag);
  note_caps(c, r);
  if(status)
    *status = r->status;
  if(r->status == IMAP_ST_OK)
    return LETHE_OK;
  return err_set(err, LETHE_E_PROTOCOL, "the IMAP server answered %s to %s: %s%.*s%s%.*s",
                 r->status == IMAP_ST_NO ? "NO" : "BAD", verb, r->code ? "[" : "",
                 (int)(r->code ? (r->code_len > 100 ? 100 : r->code_len) : 0),
                 r->code ? r->code : "", r->code ? "] " : "",
                 (int)(r->text_len > 300 ? 300 : r->text_len), r->text);
}

/* Read responses until the tagged one of the command just sent. */
static lethe_rc await_tagged(struct imap_conn *c, const char *verb, imap_untagged_fn fn,
                             void *ctx, enum imap_status *status, struct lethe_err *err)
{
  lethe_rc stop = LETHE_OK;
  struct lethe_err stop_err = { 0 };
  for(;;) {
    struct imap_resp r;
    lethe_rc rc = imap_conn_read(c, &r, err);
    if(rc)
      return rc;
    if(r.kind == IMAP_TAGGED) {
      rc = finish_tagged(c, &r, verb, status, err);
      if(!rc && stop && err)
        *err = stop_err;
      return rc ? rc : stop;
    }
    if(r.kind == IMAP_CONTINUE)
      return broken(c, LETHE_E_PROTOCOL, err, "the IMAP server asked for more input during "
                    "%s", verb);
    if(r.status == IMAP_ST_BYE)
      return broken(c, LETHE_E_IO, err, "the IMAP server closed the session during %s: "
                    "%.*s", verb, (int)(r.text_len > 300 ? 300 : r.text_len), r.text);
    note_caps(c, &r);
    if(fn && !stop)
      stop = fn(ctx, &r, &stop_err);
  }
}

lethe_rc imap_command(struct imap_conn *c, imap_untagged_fn fn, void *ctx,
                      enum imap_status *status, struct lethe_err *err, const char *fmt, ...)
{
  char verb[32];
  va_list ap;
  lethe_rc rc;
  if(c->broken)
    return err_set(err, LETHE_E_IO, "%s", c->broken_why);
  db_reset(&c->cmd);
  rc = db_addf(&c->cmd, "L%u ", ++c->tag);
  va_start(ap, fmt);
  if(!rc)
    rc = db_vaddf(&c->cmd, fmt, ap);
  va_end(ap);
  verb_of(db_str(&c->cmd) + strcspn(db_str(&c->cmd), " ") + 1, verb, sizeof(verb));
  if(!rc && strpbrk(db_str(&c->cmd), "\r\n"))
    rc = LETHE_E_PARSE;
  if(!rc)
    rc = db_add(&c->cmd, "\r\n", 2);
  if(rc)
    return err_set(err, rc, "cannot form the IMAP command %s: %s", verb, lethe_strerror(rc));
  rc = send_all(c, c->cmd.mem, c->cmd.len, err);
  explicit_bzero(c->cmd.mem, c->cmd.cap);
  if(rc)
    return rc;
  return await_tagged(c, verb, fn, ctx, status, err);
}

/* Send one line of input inside a command (a SASL response), then wipe it. */
lethe_rc imap_conn_send_line(struct imap_conn *c, const char *line, size_t n,
                             struct lethe_err *err)
{
  lethe_rc rc;
  db_reset(&c->cmd);
  rc = db_add(&c->cmd, line, n);
  if(!rc)
    rc = db_add(&c->cmd, "\r\n", 2);
  if(!rc)
    rc = send_all(c, c->cmd.mem, c->cmd.len, err);
  else
    rc = err_set(err, rc, "an IMAP command line too long");
  explicit_bzero(c->cmd.mem, c->cmd.cap);
  return rc;
}

/* Send the command tag + text (wiped after), without waiting. */
lethe_rc imap_conn_start(struct imap_conn *c, const char *text, size_t n,
                         struct lethe_err *err)
{
  lethe_rc rc;
  if(c->broken)
    return err_set(err, LETHE_E_IO, "%s", c->broken_why);
  db_reset(&c->cmd);
  rc = db_addf(&c->cmd, "L%u ", ++c->tag);
  if(!rc)
    rc = db_add(&c->cmd, text, n);
  if(!rc)
    rc = db_add(&c->cmd, "\r\n", 2);
  if(!rc)
    rc = send_all(c, c->cmd.mem, c->cmd.len, err);
  else
    rc = err_set(err, rc, "an IMAP command line too long");
  explicit_bzero(c->cmd.mem, c->cmd.cap);
  return rc;
}

lethe_rc imap_conn_await(struct imap_conn *c, const char *verb, struct imap_resp *r,
                         struct lethe_err *err)
{
  for(;;) {
    lethe_rc rc = imap_conn_read(c, r, err);
    if(rc)
      return rc;
    if(r->kind == IMAP_TAGGED) {
      enum imap_status st;
      return finish_tagged(c, r, verb, &st, err);
    }
    if(r->kind == IMAP_CONTINUE)
      return LETHE_OK;
    if(r->status == IMAP_ST_BYE)
      return broken(c, LETHE_E_IO, err, "the IMAP server closed the session during %s: "
                    "%.*s", verb, (int)(r->text_len > 300 ? 300 : r->text_len), r->text);
    note_caps(c, r);
  }
}

/* ---- open, select, close ------------------------------------------------------------- */

lethe_rc imap_conn_connect(struct imap_conn *c, const struct imap_url *u,
                             const struct imap_opts *o, struct lethe_err *err)
{
  struct dynbuf url;
  curl_socket_t sock;
  CURLcode cc;
  CURL *h = curl_easy_init();
  if(!h) {
    curl_global_cleanup();
    return err_set(err, LETHE_E_NOMEM, "cannot start libcurl");
  }
  c->curl = h;
  db_init(&url, 1024);
  if(imap_url_server(u, &url))
    return err_set(err, LETHE_E_RANGE, "the server address is too long");
  curl_easy_setopt(h, CURLOPT_URL, url.mem);
  db_release(&url);
  curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "imap,imaps");
  if(!o->tls_none)
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
  cc = curl_easy_perform(h);
  if(cc != CURLE_OK)
    return err_set(err, LETHE_E_IO, "cannot connect to IMAP server %s:%u%s: %s", u->host,
                   u->port, o->tls_none || u->imaps ? "" : " with STARTTLS",
                   curl_easy_strerror(cc));
  cc = curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &sock);
  if(cc != CURLE_OK || sock == CURL_SOCKET_BAD)
    return err_set(err, LETHE_E_IO, "libcurl kept no connection to %s", u->host);
  c->sock = (long)sock;
  return LETHE_OK;
}

void imap_conn_close(struct imap_conn *c)
{
  if(c->curl && !c->broken) {
    lethe_rc ignored;
    c->timeout_ms = 5000;
    ignored = imap_command(c, NULL, NULL, NULL, NULL, "LOGOUT");
    (void)ignored; /* the session ends either way */
  }
  if(c->curl) {
    curl_easy_cleanup(c->curl);
    curl_global_cleanup();
  }
  if(c->cmd.mem)
    explicit_bzero(c->cmd.mem, c->cmd.cap);
  db_release(&c->in);
  db_release(&c->resp);
  db_release(&c->cmd);
  db_release(&c->caps);
  c->curl = NULL;
  c->sock = -1;
}

static lethe_rc on_select(void *ctx, const struct imap_resp *r, struct lethe_err *err)
{
  struct imap_mailbox *mb = ctx;
  uint32_t v;
  (void)err;
  if(imap_code_number(r, "UIDVALIDITY", &v) && v)
    mb->uidvalidity = v;
  else if(imap_code_number(r, "UIDNEXT", &v))
    mb->uidnext = v, mb->has_uidnext = true;
  else if(r->has_number && imap_resp_is(r, "EXISTS"))
    mb->exists = r->number;
  return LETHE_OK;
}

lethe_rc imap_conn_select(struct imap_conn *c, const char *mailbox, bool readonly,
                          struct imap_mailbox *mb, struct lethe_err *err)
{
  struct dynbuf enc, quoted;
  lethe_rc rc;
  memset(mb, 0, sizeof(*mb));
  db_init(&enc, 16384);
  db_init(&quoted, 32768);
  rc = imap_utf7_encode(mailbox, strlen(mailbox), &enc);
  if(!rc)
    rc = imap_quote(db_str(&enc), enc.len, &quoted);
  if(rc) {
    db_release(&enc);
    db_release(&quoted);
    return err_set(err, LETHE_E_CONFIG, "folder '%s' cannot be named in IMAP", mailbox);
  }
  rc = imap_command(c, on_select, mb, NULL, err, "%s %s", readonly ? "EXAMINE" : "SELECT",
                    quoted.mem);
  db_release(&enc);
  db_release(&quoted);
  if(rc)
    return err_prefix(err, "folder '%s'", mailbox);
  if(!mb->uidvalidity)
    return err_set(err, LETHE_E_PROTOCOL, "folder '%s': the server gave no UIDVALIDITY, so "
                   "messages cannot be identified safely", mailbox);
  return LETHE_OK;
}

struct list_probe {
  const char *name;           /* the name as sent (modified UTF-7) */
  size_t len;
  bool found;
};

/* "* LIST (attributes) delimiter name": is name the one asked for? */
static lethe_rc on_list(void *ctx, const struct imap_resp *r, struct lethe_err *err)
{
  struct list_probe *p = ctx;
  struct imap_cursor c = r->rest;
  struct imap_tok t;
  lethe_rc rc;
  if(r->has_number || !imap_resp_is(r, "LIST"))
    return LETHE_OK;
  rc = imap_skip_value(&c, err); /* the attributes */
  if(!rc)
    rc = imap_skip_value(&c, err); /* the hierarchy delimiter */
  if(!rc)
    rc = imap_next(&c, &t, err);
  if(!rc && (t.type == IMAP_TOK_ATOM || t.type == IMAP_TOK_STRING) && t.len == p->len &&
     !memcmp(t.p, p->name, t.len))
    p->found = true;
  if(!rc && t.type == IMAP_TOK_ATOM && t.len == 5 && p->len == 5 &&
     !strncasecmp(t.p, "INBOX", 5) && !strncasecmp(p->name, "INBOX", 5))
    p->found = true; /* INBOX is case-insensitive */
  return rc;
}

lethe_rc imap_conn_exists(struct imap_conn *c, const char *mailbox, bool *exists,
                          struct lethe_err *err)
{
  struct dynbuf enc, quoted;
  struct list_probe p = { 0 };
  lethe_rc rc;
  db_init(&enc, 16384);
  db_init(&quoted, 32768);
  rc = imap_utf7_encode(mailbox, strlen(mailbox), &enc);
  if(!rc)
    rc = imap_quote(db_str(&enc), enc.len, &quoted);
  if(rc) {
    db_release(&enc);
    db_release(&quoted);
    return err_set(err, LETHE_E_CONFIG, "folder '%s' cannot be named in IMAP", mailbox);
  }
  p.name = db_str(&enc);
  p.len = enc.len;
  rc = imap_command(c, on_list, &p, NULL, err, "LIST \"\" %s", quoted.mem);
  *exists = p.found;
  db_release(&enc);
  db_release(&quoted);
  return rc;
}

#include "source_imap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "credentials.h"
#include "duration.h"
#include "imap_conn.h"
#include "imap_date.h"
#include "imap_url.h"
#include "isotime.h"

#define SEARCH_WINDOW 4000u   /* UIDs per UID SEARCH: its reply stays under the line bound */
#define FETCH_CHUNK 500u      /* UIDs per UID FETCH */
#define SET_MAX 8000          /* bytes of a UID set in one command */
#define HEADER_MAX (256 * 1024) /* the Date: and Message-ID: header block of one message */

/* ---- rule settings ------------------------------------------------------------ */

static const char *setting(const struct rule *r, const char *key, size_t *index)
{
  for(size_t i = 0; i < r->n_settings; i++) {
    if(!strcmp(r->settings[i].key, key)) {
      if(index)
        *index = i;
      return r->settings[i].value;
    }
  }
  return NULL;
}

static void absolute_credentials(struct rule *r, size_t i, const char *path, struct diag *d)
{
  char *abs;
  if(path[0] == '/')
    return;
  abs = config_resolve(r->file, path);
  if(!abs || rule_set_setting(r, i, abs))
    diag_error(d, r->file, r->line, "out of memory");
  free(abs);
}

static void imap_finish_rule(struct rule *r, struct diag *d)
{
  struct imap_url u;
  struct lethe_err err = { 0 };
  const char *tls = setting(r, "tls", NULL), *hk = setting(r, "hold-keyword", NULL), *cred;
  size_t ci = 0;

  if(imap_url_parse(r->source, &u, &err)) {
    diag_error(d, r->file, r->line, "[rule %s]: %s", r->name, err.msg);
    return;
  }
  if(tls && strcmp(tls, "required") && strcmp(tls, "none"))
    diag_error(d, r->file, r->line, "[rule %s]: tls '%s': expected required or none",
               r->name, tls);
  else if(tls && !strcmp(tls, "none") && !u.imaps && !imap_host_is_loopback(u.host))
    diag_error(d, r->file, r->line, "[rule %s]: tls = none is only for a loopback test "
               "server (127.0.0.1, ::1, localhost), not %s", r->name, u.host);
  if(hk && !imap_keyword_valid(hk))
    diag_error(d, r->file, r->line, "[rule %s]: hold-keyword '%s' is not an IMAP keyword "
               "(an atom such as $LetheHold)", r->name, hk);
  if(r->select.n || r->except.n || r->subject)
    diag_error(d, r->file, r->line, "[rule %s]: select, except and subject do not apply to "
               "a mailbox source (a rule covers one whole folder)", r->name);
  cred = setting(r, "credentials", &ci);
  if(cred) /* without one, scanning says so: the rule may be checked elsewhere */
    absolute_credentials(r, ci, cred, d);
  imap_url_release(&u);
}

/* A credentials file a run could not use (missing, readable by others, not
 * one line) is an error; read, checked and wiped, never printed. */
static void imap_check(const struct rule *r, struct diag *d)
{
  const char *path = setting(r, "credentials", NULL);
  struct credentials c;
  struct lethe_err err = { 0 };
  if(!path) {
    diag_error(d, r->file, r->line, "[rule %s] has no 'credentials': the server cannot be "
               "asked", r->name);
    return;
  }
  if(credentials_read(path, &c, &err)) {
    diag_error(d, r->file, r->line, "[rule %s]: %s", r->name, err.msg);
    return;
  }
  credentials_wipe(&c);
}

static lethe_rc imap_uris(const struct rule *r, const struct item *it, struct dynbuf *raw,
                          struct dynbuf *encoded, size_t *path_off)
{
  struct imap_url u;
  uint32_t v, uid;
  lethe_rc rc;
  if(!imap_identity_parse(it->identity, &v, &uid))
    return LETHE_E_PARSE;
  rc = imap_url_parse(r->source, &u, NULL);
  if(rc)
    return rc == LETHE_E_NOMEM ? rc : LETHE_E_PARSE;
  db_reset(raw);
  db_reset(encoded);
  rc = imap_url_message(&u, v, uid, false, raw);
  if(!rc)
    rc = imap_url_message(&u, v, uid, true, encoded);
  *path_off = strlen(u.base) + 1;
  imap_url_release(&u);
  return rc;
}

/* ---- the scan --------------------------------------------------------------------- */

struct imap_scan {
  const struct rule *r;
  item_sink sink;
  void *ctx;
  struct imap_url url;
  struct imap_conn conn;
  struct imap_mailbox mb;
  const char *keyword;
  char held_by[256];
  uint32_t *cand;             /* candidate UIDs of the current window, ascending */
  size_t n_cand, cap_cand;
  const uint32_t *chunk;      /* the UIDs of the FETCH running */
  size_t n_chunk;
  bool *seen;                 /* chunk[i] was answered */
  struct dynbuf rel, text;
  char problem[1100];
};

static lethe_rc add_candidate(void *ctx, uint32_t uid)
{
  struct imap_scan *s = ctx;
  if(s->n_cand == s->cap_cand) {
    size_t cap = s->cap_cand ? s->cap_cand * 2 : 1024;
    uint32_t *p = realloc(s->cand, cap * sizeof(*p));
    if(!p)
      return LETHE_E_NOMEM;
    s->cand = p;
    s->cap_cand = cap;
  }
  s->cand[s->n_cand++] = uid;
  return LETHE_OK;
}

static lethe_rc on_search(void *ctx, const struct imap_resp *r, struct lethe_err *err)
{
  if(!imap_resp_is(r, "SEARCH") || r->has_number)
    return LETHE_OK;
  return imap_search_each(r, add_candidate, ctx, err);
}

static int cmp_u32(const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* The latest clock value that can be due at now: the greatest t with
 * t + retain <= now (calendar months make this a search, not a subtraction). */
static int64_t latest_due_clock(const struct duration *retain, int64_t now)
{
  int64_t lo = now - (retain->count + 1) * 400LL * 86400, hi = now, t;
  while(lo < hi) {
    int64_t mid = lo + (hi - lo + 1) / 2;
    if(!duration_add(mid, retain, &t) && t <= now)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

/* "22-Nov-2026": the SEARCH BEFORE date that takes in every message whose
 * INTERNALDATE can be due, in whatever zone it and the server count days. */
static void before_date(const struct rule *r, int64_t now, char *buf, size_t n)
{
  static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                     "Sep", "Oct", "Nov", "Dec" };
  struct civil c;
  isotime_to_civil(latest_due_clock(&r->retain, now) + 2 * 86400, &c);
  snprintf(buf, n, "%d-%s-%04d", c.day, mon[c.month - 1], c.year);
}

/* Find the candidates in UIDs [first, last]. */
static lethe_rc search_window(struct imap_scan *s, uint32_t first, uint32_t last,
                              const char *before, struct lethe_err *err)
{
  lethe_rc rc;
  s->n_cand = 0;
  if(before)
    rc = imap_command(&s->conn, on_search, s, NULL, err, "UID SEARCH UID %u:%u BEFORE %s",
                      first, last, before);
  else
    rc = imap_command(&s->conn, on_search, s, NULL, err, "UID SEARCH UID %u:%u", first, last);
  if(!rc && s->n_cand > 1)
    qsort(s->cand, s->n_cand, sizeof(*s->cand), cmp_u32);
  return rc;
}

/* The times of a message; a clock the rule needs and cannot read makes a
 * problem (the message is then skipped, never deleted). */
static void set_times(struct imap_scan *s, const struct imap_fetch *f, struct item *it)
{
  struct lethe_err e = { 0 };
  int64_t t;
  if(f->has_internaldate && !imap_date_internal(f->internaldate, f->internaldate_len, &t, &e)) {
    it->times[TIME_INTERNALDATE] = t;
    it->has_time[TIME_INTERNALDATE] = true;
  }
  else if(s->r->clock == CLOCK_INTERNALDATE) {
    snprintf(s->problem, sizeof(s->problem), "clock unreadable: %s",
             e.msg[0] ? e.msg : "the server sent no INTERNALDATE");
    it->problem = s->problem;
  }
  db_reset(&s->text);
  if(f->header && !imap_header_field(f->header, f->header_len, "Date", &s->text) &&
     !imap_date_rfc5322(s->text.mem, s->text.len, &t, &e)) {
    it->times[TIME_SENTDATE] = t;
    it->has_time[TIME_SENTDATE] = true;
  }
  else if(s->r->clock == CLOCK_SENTDATE && !it->problem) {
    snprintf(s->problem, sizeof(s->problem), "clock unreadable: %s",
             s->text.len ? e.msg : "the message has no Date: header");
    it->problem = s->problem;
  }
}

static lethe_rc yield(struct imap_scan *s, const struct imap_fetch *f)
{
  struct item it = { .store = LETHE_STORE_IMAP, .kind = ITEM_MESSAGE };
  size_t slash;
  lethe_rc rc;
  db_reset(&s->rel);
  rc = db_addf(&s->rel, "%s/", s->url.mailbox);
  slash = s->rel.len;
  if(!rc)
    rc = db_addf(&s->rel, "%u", f->uid);
  if(rc)
    return rc;
  it.rel = s->rel.mem;
  it.rel_len = s->rel.len;
  it.name = s->rel.mem + slash;
  it.size = f->has_size ? f->size : 0;
  it.nlink = 1;
  imap_identity_format(s->mb.uidvalidity, f->uid, it.identity);
  set_times(s, f, &it);
  if(f->has_flags && imap_flags_has(&f->flags, s->keyword))
    it.held_by = s->held_by;
  imap_message_id_sha256(f->header, f->header_len, &s->text, it.message_id_sha256);
  return s->sink(s->ctx, &it, NULL);
}

/* Index of uid in the running chunk, or -1. */
static long chunk_index(const struct imap_scan *s, uint32_t uid)
{
  size_t lo = 0, hi = s->n_chunk;
  while(lo < hi) {
    size_t mid = (lo + hi) / 2;
    if(s->chunk[mid] == uid)
      return (long)mid;
    if(s->chunk[mid] < uid)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

static lethe_rc on_fetch(void *ctx, const struct imap_resp *r, struct lethe_err *err)
{
  struct imap_scan *s = ctx;
  struct imap_fetch f;
  long i;
  lethe_rc rc;
  if(!r->has_number || !imap_resp_is(r, "FETCH"))
    return LETHE_OK;
  rc = imap_fetch_parse(r, &f, err);
  if(rc)
    return rc;
  /* Only answers to this chunk, once each: unsolicited FETCHes (flag
   * changes by other sessions) carry no INTERNALDATE and are not ours. */
  if(!f.has_uid || !f.has_internaldate || (i = chunk_index(s, f.uid)) < 0 || s->seen[i])
    return LETHE_OK;
  s->seen[i] = true;
  rc = yield(s, &f);
  if(rc)
    return err_set(err, rc, "%s", lethe_strerror(rc));
  return LETHE_OK;
}

static lethe_rc fetch_candidates(struct imap_scan *s, struct lethe_err *err)
{
  struct dynbuf set;
  lethe_rc rc = LETHE_OK;
  db_init(&set, SET_MAX + 16);
  for(size_t i = 0; i < s->n_cand && !rc;) {
    size_t n = s->n_cand - i < FETCH_CHUNK ? s->n_cand - i : FETCH_CHUNK;
    db_reset(&set);
    n = imap_set_write(s->cand + i, n, SET_MAX, &set);
    if(!n) {
      rc = err_set(err, LETHE_E_NOMEM, "out of memory");
      break;
    }
    s->chunk = s->cand + i;
    s->n_chunk = n;
    memset(s->seen, 0, FETCH_CHUNK * sizeof(*s->seen));
    rc = imap_command(&s->conn, on_fetch, s, NULL, err, "UID FETCH %s (UID INTERNALDATE "
                      "RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (DATE MESSAGE-ID)])",
                      set.mem);
    i += n;
  }
  db_release(&set);
  return rc;
}

static lethe_rc on_uid(void *ctx, const struct imap_resp *r, struct lethe_err *err)
{
  struct imap_scan *s = ctx;
  struct imap_fetch f;
  lethe_rc rc;
  if(!r->has_number || !imap_resp_is(r, "FETCH"))
    return LETHE_OK;
  rc = imap_fetch_parse(r, &f, err);
  if(rc || !f.has_uid)
    return rc;
  if(s->n_cand > 2 * (size_t)s->mb.exists + 100000)
    return err_set(err, LETHE_E_PROTOCOL, "the server listed far more UIDs than the %u "
                   "messages it said the folder holds", s->mb.exists);
  return add_candidate(s, f.uid);
}

/* The bounds of the UID SEARCH windows, so that none holds more than
 * SEARCH_WINDOW messages: every SEARCH_WINDOW UIDs where they are dense
 * (UIDNEXT not far above the message count), else from the folder's own
 * UIDs (FETCH 1:* (UID)). The last window is open-ended: a message may be
 * appended with an old INTERNALDATE while the scan runs. */
static lethe_rc windows(struct imap_scan *s, uint32_t **bounds, size_t *n,
                        struct lethe_err *err)
{
  uint64_t top = s->mb.has_uidnext && s->mb.uidnext ? s->mb.uidnext : 0;
  lethe_rc rc;
  *n = 0;
  if(top && top / SEARCH_WINDOW <= 2 * (uint64_t)s->mb.exists / SEARCH_WINDOW + 8) {
    *bounds = malloc((top / SEARCH_WINDOW + 2) * sizeof(**bounds));
    if(!*bounds)
      return err_set(err, LETHE_E_NOMEM, "out of memory");
    for(uint64_t first = 1; first < top; first += SEARCH_WINDOW)
      (*bounds)[(*n)++] = (uint32_t)first;
    return LETHE_OK;
  }
  s->n_cand = 0;
  rc = imap_command(&s->conn, on_uid, s, NULL, err, "FETCH 1:* (UID)");
  if(rc)
    return rc;
  qsort(s->cand, s->n_cand, sizeof(*s->cand), cmp_u32);
  *bounds = malloc((s->n_cand / SEARCH_WINDOW + 2) * sizeof(**bounds));
  if(!*bounds)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  for(size_t i = 0; i < s->n_cand; i += SEARCH_WINDOW)
    (*bounds)[(*n)++] = s->cand[i];
  return LETHE_OK;
}

static lethe_rc scan_folder(struct imap_scan *s, int64_t now, struct lethe_err *err)
{
  char before[32];
  uint32_t *bounds = NULL;
  size_t n = 0;
  lethe_rc rc;
  before_date(s->r, now, before, sizeof(before));
  if(!s->mb.exists)
    return LETHE_OK;
  rc = windows(s, &bounds, &n, err);
  for(size_t i = 0; i < n && !rc; i++) {
    uint32_t last = i + 1 < n ? bounds[i + 1] - 1 : UINT32_MAX;
    rc = search_window(s, bounds[i], last, s->r->clock == CLOCK_INTERNALDATE ? before : NULL,
                       err);
    if(!rc)
      rc = fetch_candidates(s, err);
  }
  free(bounds);
  return rc;
}

static lethe_rc open_folder(struct imap_scan *s, struct lethe_err *err)
{
  const char *tls = setting(s->r, "tls", NULL);
  struct imap_opts o = { .tls_none = tls && !strcmp(tls, "none"),
                         .credentials = setting(s->r, "credentials", NULL) };
  lethe_rc rc = imap_url_parse(s->r->source, &s->url, err);
  if(rc)
    return rc;
  if(!o.credentials)
    return err_set(err, LETHE_E_CONFIG, "a mailbox source needs 'credentials', the file "
                   "holding the password or bearer:TOKEN (mode 0600)");
  rc = imap_conn_open(&s->conn, &s->url, &o, err);
  if(rc)
    return rc;
  imap_conn_limits(&s->conn, HEADER_MAX, IMAP_RESP_DEFAULT);
  return imap_conn_select(&s->conn, s->url.mailbox, true, &s->mb, err);
}

static lethe_rc imap_scan_rule(const struct rule *r, int64_t now, item_sink sink, void *ctx,
                          struct scan_stats *stats, struct lethe_err *err)
{
  struct imap_scan s = { .r = r, .sink = sink, .ctx = ctx };
  lethe_rc rc;
  s.keyword = setting(r, "hold-keyword", NULL);
  if(!s.keyword)
    s.keyword = IMAP_DEFAULT_HOLD_KEYWORD;
  snprintf(s.held_by, sizeof(s.held_by), "the message carries the IMAP keyword %s",
           s.keyword);
  db_init(&s.rel, 64 * 1024);
  db_init(&s.text, HEADER_MAX);
  s.seen = calloc(FETCH_CHUNK, sizeof(*s.seen));
  rc = s.seen ? open_folder(&s, err) : err_set(err, LETHE_E_NOMEM, "out of memory");
  if(!rc)
    stats->source_items = s.mb.exists;
  if(!rc)
    rc = scan_folder(&s, now, err);
  imap_conn_close(&s.conn);
  imap_url_release(&s.url);
  db_release(&s.rel);
  db_release(&s.text);
  free(s.cand);
  free(s.seen);
  return rc;
}

/* ---- presence, for recovery ---------------------------------------------------------- */

static lethe_rc mark_present(void *ctx, uint32_t uid)
{
  struct imap_scan *s = ctx;
  size_t lo = 0, hi = s->n_chunk;
  while(lo < hi) {
    size_t mid = (lo + hi) / 2;
    if(s->chunk[mid] == uid) {
      s->seen[mid] = true;
      return LETHE_OK;
    }
    if(s->chunk[mid] < uid)
      lo = mid + 1;
    else
      hi = mid;
  }
  return LETHE_OK;
}

static lethe_rc on_presence(void *ctx, const struct imap_resp *r, struct lethe_err *err)
{
  if(!imap_resp_is(r, "SEARCH") || r->has_number)
    return LETHE_OK;
  return imap_search_each(r, mark_present, ctx, err);
}

/* Which of the sorted UIDs s->cand[0..n_cand) exist: s->seen[i]. */
static lethe_rc search_present(struct imap_scan *s, struct lethe_err *err)
{
  struct dynbuf set;
  lethe_rc rc = LETHE_OK;
  db_init(&set, SET_MAX + 16);
  for(size_t i = 0; i < s->n_cand && !rc;) {
    size_t k;
    db_reset(&set);
    k = imap_set_write(s->cand + i, s->n_cand - i, SET_MAX, &set);
    if(!k)
      rc = err_set(err, LETHE_E_NOMEM, "out of memory");
    s->chunk = s->cand + i;
    s->n_chunk = k;
    if(!rc)
      rc = imap_command(&s->conn, on_presence, s, NULL, err, "UID SEARCH UID %s", set.mem);
    s->seen += k; /* the next chunk's flags follow */
    i += k;
  }
  db_release(&set);
  return rc;
}

static lethe_rc imap_presence(const struct rule *r, const char *const *identities,
                              const char *const *paths, size_t n, enum source_presence *out,
                              struct lethe_err *err)
{
  struct imap_scan s = { .r = r };
  bool *seen = NULL;
  (void)paths; /* the identity names the message */
  lethe_rc rc = open_folder(&s, err);
  for(size_t i = 0; !rc && i < n; i++) {
    uint32_t v, uid;
    out[i] = SOURCE_MALFORMED;
    if(!imap_identity_parse(identities[i], &v, &uid))
      continue;
    out[i] = v == s.mb.uidvalidity ? SOURCE_GONE : SOURCE_UNKNOWABLE;
    if(out[i] == SOURCE_GONE)
      rc = add_candidate(&s, uid);
  }
  if(!rc && s.n_cand > 1) {
    size_t keep = 1;
    qsort(s.cand, s.n_cand, sizeof(*s.cand), cmp_u32);
    for(size_t i = 1; i < s.n_cand; i++)
      if(s.cand[i] != s.cand[keep - 1])
        s.cand[keep++] = s.cand[i];
    s.n_cand = keep;
  }
  seen = rc ? NULL : calloc(s.n_cand + 1, sizeof(*seen));
  if(!rc && !seen)
    rc = err_set(err, LETHE_E_NOMEM, "out of memory");
  s.seen = seen;
  if(!rc)
    rc = search_present(&s, err);
  for(size_t i = 0; !rc && i < n; i++) {
    uint32_t v, uid;
    if(out[i] != SOURCE_GONE || !imap_identity_parse(identities[i], &v, &uid))
      continue;
    for(size_t lo = 0, hi = s.n_cand; lo < hi;) {
      size_t mid = (lo + hi) / 2;
      if(s.cand[mid] == uid) {
        if(seen[mid])
          out[i] = SOURCE_PRESENT;
        break;
      }
      if(s.cand[mid] < uid)
        lo = mid + 1;
      else
        hi = mid;
    }
  }
  imap_conn_close(&s.conn);
  imap_url_release(&s.url);
  db_release(&s.rel);
  db_release(&s.text);
  free(s.cand);
  free(seen);
  return rc;
}

/* ---- the table -------------------------------------------------------------------- */

static lethe_rc imap_identity(const char *text, struct lethe_identity *out)
{
  return imap_identity_parse(text, &out->imap.uidvalidity, &out->imap.uid) ? LETHE_OK
                                                                           : LETHE_E_PARSE;
}

static const char *const imap_schemes[] = { "imap://", "imaps://", NULL };
static const char *const imap_keys[] = { "credentials", "tls", "hold-keyword", NULL };

const struct source_ops source_imap_ops = {
  .name = "imap",
  .schemes = imap_schemes,
  .store = LETHE_STORE_IMAP,
  .clocks = SOURCE_CLOCK(CLOCK_INTERNALDATE) | SOURCE_CLOCK(CLOCK_SENTDATE),
  .default_clock = CLOCK_INTERNALDATE,
  .keys = imap_keys,
  .finish_rule = imap_finish_rule,
  .check = imap_check,
  .scan = imap_scan_rule,
  .uris = imap_uris,
  .identity = imap_identity,
  .presence = imap_presence,
};

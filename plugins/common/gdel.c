/* The Graph deletion engine: see gdel.h. */
#include "gdel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "graph_batch.h"
#include "graph_json.h"
#include "graph_resolve.h"

struct chunk {
  struct gdel_session *s;
  struct gdel_target *t;
  size_t n;
  const struct lethe_item *const *items;
  struct lethe_outcome *const *outs;
  struct graph_sub *subs;
  size_t *of;                 /* subs[k] is about t[of[k]] */
};

/* ---- the session ---------------------------------------------------------------- */

const char *gdel_method_text(const struct gdel_session *s)
{
  return s->method_text;
}

static void describe(struct gdel_session *s)
{
  bool drive = s->cfg.src.kind == GRAPH_DRIVE;
  const char *check = drive ? "If-Match: its planned eTag" : "its changeKey read right before "
                                                             "and compared with the plan's";
  if(s->cfg.method == GDEL_PERMANENT)
    snprintf(s->method_text, sizeof(s->method_text), "Microsoft Graph permanentDelete (POST "
             ".../permanentDelete) in $batch requests of at most 20, each item checked first "
             "(%s)", check);
  else
    snprintf(s->method_text, sizeof(s->method_text), "Microsoft Graph DELETE in $batch "
             "requests of at most 20, each item checked first (%s); recoverable: DELETE puts "
             "it in %s", check, drive ? "the recycle bin" : "Recoverable Items");
}

lethe_rc gdel_open(struct gdel_session *s, struct lethe_err *err)
{
  uint64_t total;
  lethe_rc rc = graph_client_open(&s->c, &s->cfg.cfg, err);
  if(rc)
    return rc;
  s->open = true;
  describe(s);
  s->details = calloc(LETHE_BATCH_MAX, sizeof(*s->details));
  if(!s->details)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  rc = graph_client_auth(&s->c, err);
  if(!rc && s->cfg.src.kind == GRAPH_MAIL)
    rc = graph_find_folder(&s->c, &s->cfg.src, s->folder, &total, err);
  if(!rc && s->cfg.src.kind == GRAPH_MAIL)
    rc = graph_recoverable_ids(&s->c, s->cfg.src.mailbox, s->gone_in[0], s->gone_in[1], err);
  return rc;
}

void gdel_close(struct gdel_session *s)
{
  if(s->open)
    graph_client_close(&s->c);
  s->open = false;
  free(s->details);
  s->details = NULL;
  gdel_config_release(&s->cfg);
}

/* ---- answers ------------------------------------------------------------------------ */

static void failed(struct chunk *k, size_t i, const struct graph_sub *sub, const char *what)
{
  char text[400] = "";
  gj_error_text(sub->body, text, sizeof(text));
  if(!sub->status)
    gdel_outcome(k->outs[k->t[i].item], LETHE_RESULT_FAILED, "%s: no answer (%s)", what,
                 sub->why[0] ? sub->why : "not sent");
  else
    gdel_outcome(k->outs[k->t[i].item], LETHE_RESULT_FAILED, "%s: HTTP %ld %s%s(request-id "
                 "%s)%s%s", what, sub->status, text, text[0] ? " " : "", sub->request_id,
                 sub->why[0] ? "; " : "", sub->why);
  k->t[i].chosen = false;
}

static void take_answer(struct gdel_target *t, const struct graph_sub *sub)
{
  t->status = sub->status;
  t->throttled_ms += sub->throttled_ms;
  snprintf(t->request_id, sizeof(t->request_id), "%s", sub->request_id);
  for(char *p = t->request_id; *p; p++)
    if((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
      *p = '?';
}

/* Whether o.categories holds cat (Outlook compares category names without
 * regard to case). */
static bool has_category(struct json_object *o, const char *cat)
{
  struct json_object *a = gj_arr(o, "categories");
  size_t n = a ? json_object_array_length(a) : 0;
  for(size_t i = 0; i < n; i++) {
    struct json_object *v = json_object_array_get_idx(a, i);
    if(json_object_is_type(v, json_type_string) && !strcasecmp(json_object_get_string(v), cat))
      return true;
  }
  return false;
}

static bool in_recoverable_items(const struct gdel_session *s, const char *parent)
{
  return parent && ((s->gone_in[0][0] && !strcmp(parent, s->gone_in[0])) ||
                    (s->gone_in[1][0] && !strcmp(parent, s->gone_in[1])));
}

/* The GET before deleting: still the planned item, where planned, not held? */
static void judge(struct chunk *k, size_t i, const struct graph_sub *sub)
{
  struct gdel_target *t = &k->t[i];
  struct lethe_outcome *o = k->outs[t->item];
  const char *tag, *parent = gj_str(sub->body, "parentFolderId", NULL);
  size_t tn = 0;
  bool def = false;
  take_answer(t, sub);
  if(sub->status == 404 || (t->kind == LETHE_ITEM_MESSAGE && in_recoverable_items(k->s, parent))) {
    t->chosen = false;
    gdel_deleted(k->s, t, true, o);
    return;
  }
  if(sub->status != 200 || !sub->body) {
    failed(k, i, sub, "could not be checked before deleting");
    return;
  }
  tag = gj_str(sub->body, t->kind == LETHE_ITEM_DRIVE_ITEM ? "eTag" : "changeKey", &tn);
  if(!gj_time(sub->body, "receivedDateTime", &t->received))
    t->received = 0;
  t->chosen = false;
  if(t->kind != LETHE_ITEM_DRIVE_ITEM && t->kind != LETHE_ITEM_CALENDAR &&
     has_category(sub->body, k->s->cfg.cfg.hold_category)) /* holds first (invariant 4) */
    gdel_outcome(o, LETHE_RESULT_HELD, "held: the %s now carries the Outlook category '%.200s'",
                 t->kind == LETHE_ITEM_MESSAGE ? "message" : "event",
                 k->s->cfg.cfg.hold_category);
  else if(t->kind == LETHE_ITEM_MESSAGE && parent && strcmp(parent, k->s->folder))
    gdel_outcome(o, LETHE_RESULT_SKIPPED, "moved to another folder since the plan: not deleted");
  else if(!tag || tn != t->id.tag_len || memcmp(tag, t->id.tag, tn))
    gdel_outcome(o, LETHE_RESULT_SKIPPED, "changed since planned: its %s is no longer the "
                 "planned one", t->kind == LETHE_ITEM_DRIVE_ITEM ? "eTag" : "changeKey");
  else if(t->kind != LETHE_ITEM_DRIVE_ITEM &&
          gj_bool(sub->body, "isDefaultCalendar", &def) && def)
    gdel_outcome(o, LETHE_RESULT_SKIPPED, "the mailbox's default calendar is never deleted");
  else
    t->chosen = true;
}

static void settle(struct chunk *k, size_t i, const struct graph_sub *sub)
{
  struct gdel_target *t = &k->t[i];
  struct lethe_outcome *o = k->outs[t->item];
  const char *code = gj_error_code(sub->body, NULL);
  char text[400] = "";
  take_answer(t, sub);
  t->chosen = false;
  gj_error_text(sub->body, text, sizeof(text));
  if(sub->status >= 200 && sub->status < 300)
    gdel_deleted(k->s, t, false, o);
  else if(sub->status == 404)
    gdel_deleted(k->s, t, true, o);
  else if(sub->status == 412)
    gdel_outcome(o, LETHE_RESULT_SKIPPED, "changed since planned: the service refused the "
                 "planned eTag (HTTP 412 %s)", text);
  else if(sub->status == 403 && t->kind == LETHE_ITEM_DRIVE_ITEM)
    gdel_outcome(o, LETHE_RESULT_HELD, "held by the service: it or its folder is on hold "
                 "(HTTP 403 %.200s)", text);
  else if(sub->status == 400 && !strcmp(code, "ErrorDeleteDistinguishedFolder"))
    gdel_outcome(o, LETHE_RESULT_SKIPPED, "the service will not delete a default folder");
  else
    failed(k, i, sub, "not deleted");
}

/* ---- stages ---------------------------------------------------------------------------- */

static bool needs_check(const struct gdel_session *s, const struct gdel_target *t)
{
  return t->kind != LETHE_ITEM_DRIVE_ITEM || s->cfg.method == GDEL_PERMANENT;
}

/* The request for target i: its check (a GET) or its deletion. False,
 * with the target's outcome written, when its id cannot make a URL. */
static bool fill_sub(struct chunk *k, size_t i, bool check, struct graph_sub *sub)
{
  static const char *const select[] = { [LETHE_ITEM_MESSAGE] = "?$select=id,changeKey,"
                                        "categories,parentFolderId,receivedDateTime",
                                        [LETHE_ITEM_EVENT] = "?$select=id,changeKey,categories",
                                        [LETHE_ITEM_CALENDAR] = "?$select=id,changeKey,"
                                        "isDefaultCalendar",
                                        [LETHE_ITEM_DRIVE_ITEM] = "?$select=id,eTag" };
  struct gdel_target *t = &k->t[i];
  bool purge = k->s->cfg.method == GDEL_PERMANENT;
  memset(sub, 0, sizeof(*sub));
  sub->method = check ? "GET" : purge ? "POST" : "DELETE";
  if(gdel_path(k->s, t, check ? select[t->kind] : purge ? "/permanentDelete" : "", sub->url,
               sizeof(sub->url))) {
    gdel_outcome(k->outs[t->item], LETHE_RESULT_SKIPPED, "its id is too long for a request");
    t->chosen = false;
    return false;
  }
  if(!check && t->kind == LETHE_ITEM_DRIVE_ITEM)
    snprintf(sub->if_match, sizeof(sub->if_match), "%.*s", (int)t->id.tag_len, t->id.tag);
  return true;
}

/* Fill k->subs for the chosen targets (check: a GET; else the deletion). */
static size_t requests(struct chunk *k, bool check)
{
  size_t m = 0;
  for(size_t i = 0; i < k->n; i++) {
    if(!k->t[i].chosen || (check && !needs_check(k->s, &k->t[i])))
      continue;
    if(fill_sub(k, i, check, &k->subs[m]))
      k->of[m++] = i;
  }
  return m;
}

static lethe_rc stage(struct chunk *k, bool check, struct lethe_err *err)
{
  bool drive = k->s->cfg.src.kind == GRAPH_DRIVE;
  struct graph_batch_opts o = { .chain = !drive, .inflight = GRAPH_INFLIGHT_MAX,
                                .flags = drive ? 0 : GRAPH_REQ_IMMUTABLE };
  size_t m = requests(k, check);
  lethe_rc rc = m ? graph_batch_run(&k->s->c, k->subs, m, &o, err) : LETHE_OK;
  for(size_t j = 0; !rc && j < m; j++) {
    if(check)
      judge(k, k->of[j], &k->subs[j]);
    else
      settle(k, k->of[j], &k->subs[j]);
  }
  graph_batch_release(k->subs, m);
  return rc;
}

struct hold_scan {
  const char *category;
  bool held;
};

static lethe_rc on_event(void *ctx, struct json_object *o, struct lethe_err *err)
{
  struct hold_scan *h = ctx;
  (void)err;
  if(has_category(o, h->category))
    h->held = true;
  return LETHE_OK;
}

/* A calendar about to go: none of its events may carry the hold category. */
static lethe_rc calendar_holds(struct chunk *k, struct lethe_err *err)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < k->n && !rc; i++) {
    struct gdel_target *t = &k->t[i];
    struct hold_scan h = { k->s->cfg.cfg.hold_category, false };
    struct dynbuf url;
    if(!t->chosen || t->kind != LETHE_ITEM_CALENDAR)
      continue;
    db_init(&url, GRAPH_URL_MAX);
    rc = graph_url_user(&k->s->cfg.cfg, k->s->cfg.src.mailbox, &url);
    if(!rc)
      rc = db_adds(&url, "/calendars/");
    if(!rc)
      rc = graph_url_escape(&url, t->id.id, t->id.id_len);
    if(!rc)
      rc = db_adds(&url, "/events?$top=1000&$select=categories");
    if(!rc)
      rc = graph_each_page(&k->s->c, db_str(&url), 0, on_event, &h, err);
    db_release(&url);
    if(!rc && h.held) {
      t->chosen = false;
      gdel_outcome(k->outs[t->item], LETHE_RESULT_HELD, "held: an event of the calendar now "
                   "carries the Outlook category '%.200s'", k->s->cfg.cfg.hold_category);
    }
  }
  return rc == LETHE_E_NOMEM ? err_set(err, rc, "out of memory") : rc;
}

static void fail_open(struct chunk *k, const char *why)
{
  for(size_t i = 0; i < k->n; i++)
    if(k->t[i].chosen)
      gdel_outcome(k->outs[k->t[i].item], LETHE_RESULT_FAILED, "not deleted: %.900s", why);
  for(size_t i = 0; i < k->n; i++)
    k->t[i].chosen = false;
}

/* Check, archive, delete one chunk. LETHE_E_IO: deletions of unknown fate;
 * *stop (with why) when nothing more can be done (none of this chunk was
 * deleted: its targets are FAILED). */
static lethe_rc do_chunk(struct chunk *k, bool *stop, char *why, size_t n)
{
  struct lethe_err err = { 0 };
  lethe_rc rc = stage(k, true, &err);
  if(!rc)
    rc = calendar_holds(k, &err);
  if(!rc && k->s->archive)
    rc = k->s->archive(k->s->archive_ctx, k->s, k->t, k->n, k->items, k->outs, &err);
  if(rc) {
    fail_open(k, err.msg);
    snprintf(why, n, "%.900s", err.msg);
    *stop = true;
    return LETHE_OK;
  }
  return stage(k, false, &err);
}

/* ---- the pipeline ----------------------------------------------------------------- */

/* Without an archive hook, no stage waits for the others: each item's
 * deletion goes out (first, in the next envelope) as soon as its check is
 * in, and the four envelopes in flight mix checks and deletions. */
struct pipe {
  struct chunk k;             /* every target of the batch */
  bool *deletes;              /* subs[j] is a deletion */
};

static lethe_rc pipe_answered(void *ctx, struct graph_sub *subs, size_t j, size_t *n,
                              struct lethe_err *err)
{
  struct pipe *p = ctx;
  size_t i = p->k.of[j];
  (void)err;
  if(p->deletes[j]) {
    settle(&p->k, i, &subs[j]);
  }
  else {
    judge(&p->k, i, &subs[j]);
    if(p->k.t[i].chosen && fill_sub(&p->k, i, false, &subs[*n])) {
      subs[*n].urgent = true;
      p->k.of[*n] = i;
      p->deletes[(*n)++] = true;
    }
  }
  json_object_put(subs[j].body); /* read: free it now */
  subs[j].body = NULL;
  return LETHE_OK;
}

static lethe_rc pipeline(struct gdel_session *s, struct gdel_target *t, size_t m,
                         struct lethe_outcome *const *outs)
{
  bool drive = s->cfg.src.kind == GRAPH_DRIVE;
  struct pipe p = { .k = { .s = s, .t = t, .n = m, .outs = outs } };
  struct graph_batch_opts o = { .chain = !drive, .inflight = GRAPH_INFLIGHT_MAX,
                                .flags = drive ? 0 : GRAPH_REQ_IMMUTABLE,
                                .answered = pipe_answered, .ctx = &p, .cap = 2 * m };
  struct lethe_err err = { 0 };
  size_t n = 0;
  lethe_rc rc;
  p.k.subs = calloc(2 * m + 1, sizeof(*p.k.subs));
  p.k.of = calloc(2 * m + 1, sizeof(*p.k.of));
  p.deletes = calloc(2 * m + 1, sizeof(*p.deletes));
  rc = p.k.subs && p.k.of && p.deletes ? LETHE_OK : LETHE_E_NOMEM;
  for(size_t i = 0; !rc && i < m; i++) {
    bool check = needs_check(s, &t[i]);
    if(!fill_sub(&p.k, i, check, &p.k.subs[n]))
      continue;
    p.k.of[n] = i;
    p.deletes[n++] = !check;
  }
  if(!rc && n)
    rc = graph_batch_run(&s->c, p.k.subs, n, &o, &err);
  if(p.k.subs)
    graph_batch_release(p.k.subs, 2 * m);
  free(p.k.subs);
  free(p.k.of);
  free(p.deletes);
  /* Stopped part way: envelopes of deletions may have gone unanswered, so
   * what they did is unknown (LETHE_E_IO: the host asks recovery). */
  return rc == LETHE_E_NOMEM ? rc : rc ? LETHE_E_IO : LETHE_OK;
}

/* ---- the batch -------------------------------------------------------------------------- */

static bool kind_fits(const struct gdel_session *s, enum lethe_item_kind kind)
{
  switch(s->cfg.src.kind) {
  case GRAPH_MAIL:
    return kind == LETHE_ITEM_MESSAGE;
  case GRAPH_CALENDAR:
    return kind == (s->cfg.whole_calendar ? LETHE_ITEM_CALENDAR : LETHE_ITEM_EVENT);
  default:
    return kind == LETHE_ITEM_DRIVE_ITEM;
  }
}

static bool target_of(struct gdel_session *s, const struct lethe_item *it, size_t i,
                      struct gdel_target *t, struct lethe_outcome *o)
{
  memset(t, 0, sizeof(*t));
  t->item = i;
  t->kind = it->kind;
  if(it->store != LETHE_STORE_GRAPH || !it->identity_text ||
     !graph_ident_parse(it->identity_text, &t->id) || !kind_fits(s, it->kind) ||
     (it->kind == LETHE_ITEM_DRIVE_ITEM) != (t->id.drive != NULL)) {
    gdel_outcome(o, LETHE_RESULT_SKIPPED, "not a %s of this rule's source (identity '%.200s')",
                 s->cfg.src.kind == GRAPH_MAIL ? "message" : s->cfg.src.kind == GRAPH_DRIVE
                 ? "drive item" : s->cfg.whole_calendar ? "calendar" : "event",
                 it->identity_text ? it->identity_text : "");
    return false;
  }
  if(t->id.drive)
    snprintf(t->drive, sizeof(t->drive), "%.*s", (int)t->id.drive_len, t->id.drive);
  t->chosen = true;
  return true;
}

lethe_rc gdel_delete_batch(struct gdel_session *s, const struct lethe_item *const *items,
                           size_t n, struct lethe_outcome *const *outs)
{
  struct gdel_target *t = calloc(n + 1, sizeof(*t));
  struct graph_sub *subs = calloc(GDEL_CHUNK, sizeof(*subs));
  size_t *of = calloc(GDEL_CHUNK, sizeof(*of)), m = 0;
  lethe_rc rc = t && subs && of ? LETHE_OK : LETHE_E_NOMEM;
  char why[1000] = "";
  bool stop = false;
  for(size_t i = 0; !rc && i < n; i++)
    if(target_of(s, items[i], i, &t[m], outs[i]))
      m++;
  if(!rc && m && !s->archive && !s->cfg.whole_calendar) {
    rc = pipeline(s, t, m, outs);
    m = 0;
  }
  for(size_t i = 0; !rc && i < m; i += GDEL_CHUNK) {
    struct chunk k = { .s = s, .t = t + i, .n = m - i < GDEL_CHUNK ? m - i : GDEL_CHUNK,
                       .items = items, .outs = outs, .subs = subs, .of = of };
    if(stop)
      for(size_t j = 0; j < k.n; j++)
        gdel_outcome(outs[k.t[j].item], LETHE_RESULT_FAILED, "not attempted: %s", why);
    else
      rc = do_chunk(&k, &stop, why, sizeof(why));
  }
  free(t);
  free(subs);
  free(of);
  return rc;
}

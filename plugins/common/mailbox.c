/* The mailbox deletion engine: see mailbox.h. */
#include "mailbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_date.h"

/* What the untagged responses of the running command feed. */
enum mode {
  MODE_NONE,
  MODE_FETCH,          /* FETCH responses describe chunk targets */
  MODE_CONFIRM,        /* SEARCH results: chunk targets still present */
  MODE_COLLECT,        /* SEARCH results: every UID, into s->others */
  MODE_BODY,           /* FETCH BODY[] responses go to body_fn */
};

struct chunk {
  struct mbx_target *t;       /* sorted by UID */
  size_t n;
};

/* Session-wide scratch; kept out of mailbox.h as nobody else needs it. */
struct run {
  struct mbx_session *s;
  enum mode mode;
  struct chunk c;
  uint32_t *others;           /* MODE_COLLECT */
  size_t n_others, cap_others;
  struct dynbuf text;
  mbx_body_fn body_fn;        /* MODE_BODY */
  void *body_ctx;
};

void mbx_session_release(struct mbx_session *s)
{
  if(s->connected)
    imap_conn_close(&s->conn);
  s->connected = false;
  db_release(&s->set);
  mbx_config_release(&s->cfg);
}

lethe_rc mbx_open(struct mbx_session *s, struct lethe_err *err)
{
  struct imap_opts o = { .tls_none = s->cfg.tls_none, .credentials = s->cfg.credentials };
  bool exists = false;
  lethe_rc rc = imap_conn_open(&s->conn, &s->cfg.url, &o, err);
  if(rc)
    return rc;
  s->connected = true;
  rc = imap_conn_exists(&s->conn, s->cfg.url.mailbox, &exists, err);
  if(!rc && !exists)
    rc = err_set(err, LETHE_E_NOTFOUND, "folder '%s' does not exist on %s",
                 s->cfg.url.mailbox, s->cfg.url.host);
  return rc;
}

lethe_rc mbx_connect(struct mbx_session *s, struct lethe_err *err)
{
  struct imap_opts o = { .tls_none = s->cfg.tls_none, .credentials = s->cfg.credentials };
  lethe_rc rc;
  /* SELECT every time: UIDVALIDITY must be read now, not when the session
   * began; a session the server dropped meanwhile gets one new try. */
  if(s->connected && !s->conn.broken &&
     !imap_conn_select(&s->conn, s->cfg.url.mailbox, false, &s->mb, err))
    return LETHE_OK;
  if(s->connected && !s->conn.broken)
    return err->rc;
  if(s->connected)
    imap_conn_close(&s->conn);
  s->connected = false;
  rc = imap_conn_open(&s->conn, &s->cfg.url, &o, err);
  if(rc)
    return rc;
  s->connected = true;
  return imap_conn_select(&s->conn, s->cfg.url.mailbox, false, &s->mb, err);
}

/* ---- untagged responses ----------------------------------------------------------- */

static struct mbx_target *find(const struct chunk *c, uint32_t uid)
{
  size_t lo = 0, hi = c->n;
  while(lo < hi) {
    size_t mid = (lo + hi) / 2;
    if(c->t[mid].uid == uid)
      return &c->t[mid];
    if(c->t[mid].uid < uid)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

static lethe_rc vanished_uid(void *ctx, uint32_t uid)
{
  struct mbx_target *t = find(ctx, uid);
  if(t)
    t->gone = true;
  return LETHE_OK;
}

/* "* VANISHED [(EARLIER)] set" (RFC 7162). */
static lethe_rc vanished(struct chunk *c, const struct imap_resp *r, struct lethe_err *err)
{
  const char *p = r->rest.p, *end = r->rest.end;
  while(p < end && *p == ' ')
    p++;
  if(end - p >= 9 && !strncmp(p, "(EARLIER)", 9))
    p += 9;
  while(p < end && *p == ' ')
    p++;
  /* A set too large to walk is left alone: the UID SEARCH after the
   * expunge finds out what is gone anyway. */
  lethe_rc rc = imap_set_each(p, (size_t)(end - p), 16 * (uint64_t)MBX_CHUNK + 100000,
                              vanished_uid, c, err);
  if(rc == LETHE_E_RANGE) {
    err_clear(err);
    rc = LETHE_OK;
  }
  return rc;
}

static lethe_rc on_fetch(struct run *run, const struct imap_resp *r, struct lethe_err *err)
{
  struct imap_fetch f;
  struct mbx_target *t;
  lethe_rc rc = imap_fetch_parse(r, &f, err);
  if(rc)
    return rc;
  if(!f.has_uid || !(t = find(&run->c, f.uid)))
    return LETHE_OK;
  t->present = true;
  if(f.has_flags) {
    t->was_deleted = imap_flags_has(&f.flags, "\\Deleted");
    t->chosen = !imap_flags_has(&f.flags, run->s->cfg.keyword); /* held otherwise */
  }
  if(f.has_size)
    t->size = f.size;
  if(f.has_header)
    imap_message_id_sha256(f.header, f.header_len, &run->text, t->msgid_sha256);
  return LETHE_OK;
}

static lethe_rc on_body(struct run *run, const struct imap_resp *r, struct lethe_err *err)
{
  struct imap_fetch f;
  struct mbx_target *t;
  int64_t when = 0;
  lethe_rc rc = imap_fetch_parse(r, &f, err);
  if(rc)
    return rc;
  t = f.has_uid ? find(&run->c, f.uid) : NULL;
  if(!t || !t->chosen || !f.has_body || !f.body)
    return LETHE_OK;
  if(f.has_internaldate &&
     imap_date_internal(f.internaldate, f.internaldate_len, &when, NULL))
    when = 0;
  return run->body_fn(run->body_ctx, t, f.body, f.body_len, when, err);
}

static lethe_rc on_search_number(void *ctx, uint32_t uid)
{
  struct run *run = ctx;
  struct mbx_target *t;
  if(run->mode == MODE_CONFIRM) {
    t = find(&run->c, uid);
    if(t)
      t->present = true;
    return LETHE_OK;
  }
  if(run->n_others == run->cap_others) {
    size_t cap = run->cap_others ? run->cap_others * 2 : 256;
    uint32_t *p = realloc(run->others, cap * sizeof(*p));
    if(!p)
      return LETHE_E_NOMEM;
    run->others = p;
    run->cap_others = cap;
  }
  run->others[run->n_others++] = uid;
  return LETHE_OK;
}

static lethe_rc on_untagged(void *ctx, const struct imap_resp *r, struct lethe_err *err)
{
  struct run *run = ctx;
  /* "* n EXPUNGE" names a message number, which the other EXPUNGEs of the
   * same command keep shifting: the UID SEARCH after each UID EXPUNGE says
   * exactly which UIDs are gone. VANISHED (RFC 7162) names UIDs. */
  if(!r->has_number && imap_resp_is(r, "VANISHED"))
    return vanished(&run->c, r, err);
  if(run->mode == MODE_FETCH && r->has_number && imap_resp_is(r, "FETCH"))
    return on_fetch(run, r, err);
  if(run->mode == MODE_BODY && r->has_number && imap_resp_is(r, "FETCH"))
    return on_body(run, r, err);
  if((run->mode == MODE_CONFIRM || run->mode == MODE_COLLECT) && !r->has_number &&
     imap_resp_is(r, "SEARCH"))
    return imap_search_each(r, on_search_number, run, err);
  return LETHE_OK;
}

/* ---- commands over UID sets --------------------------------------------------------- */

/* Run "UID <verb> <set> <rest>" over uids[0..n), in as many commands as the
 * set length needs. */
static lethe_rc uid_command(struct run *run, const char *verb, const uint32_t *uids,
                            size_t n, const char *rest, struct lethe_err *err)
{
  struct mbx_session *s = run->s;
  for(size_t i = 0; i < n;) {
    size_t k;
    lethe_rc rc;
    db_reset(&s->set);
    k = imap_set_write(uids + i, n - i, MBX_SET_MAX, &s->set);
    if(!k)
      return err_set(err, LETHE_E_NOMEM, "out of memory");
    rc = imap_command(&s->conn, on_untagged, run, NULL, err, "UID %s %s%s%s", verb,
                      s->set.mem, rest[0] ? " " : "", rest);
    if(rc)
      return rc;
    i += k;
  }
  return LETHE_OK;
}

/* The UIDs of the chunk's targets for which pick is true, in *out. */
static size_t pick_uids(const struct chunk *c, bool chosen_only, uint32_t *out)
{
  size_t m = 0;
  for(size_t i = 0; i < c->n; i++)
    if(!chosen_only || c->t[i].chosen)
      out[m++] = c->t[i].uid;
  return m;
}

/* RFC 4549 4.2.4, for servers without UIDPLUS: take \Deleted off the
 * messages others marked, EXPUNGE, and put it back. Only with
 * allow-no-uidplus: a client marking a message in between loses it too. */
static lethe_rc expunge_without_uidplus(struct run *run, const uint32_t *d, size_t nd,
                                        struct lethe_err *err)
{
  struct mbx_session *s = run->s;
  size_t keep = 0;
  lethe_rc rc, rc2;
  run->mode = MODE_COLLECT;
  run->n_others = 0;
  rc = imap_command(&s->conn, on_untagged, run, NULL, err, "UID SEARCH DELETED");
  run->mode = MODE_NONE;
  for(size_t i = 0; !rc && i < run->n_others; i++)
    if(!find(&run->c, run->others[i]) || !find(&run->c, run->others[i])->chosen)
      run->others[keep++] = run->others[i];
  run->n_others = keep;
  if(!rc && keep)
    rc = uid_command(run, "STORE", run->others, keep, "-FLAGS.SILENT (\\Deleted)", err);
  if(!rc)
    rc = uid_command(run, "STORE", d, nd, "+FLAGS.SILENT (\\Deleted)", err);
  if(!rc)
    rc = imap_command(&s->conn, on_untagged, run, NULL, err, "EXPUNGE");
  if(keep && !s->conn.broken) {
    struct lethe_err e2 = { 0 };
    rc2 = uid_command(run, "STORE", run->others, keep, "+FLAGS.SILENT (\\Deleted)", &e2);
    if(rc2 && !rc)
      rc = err_set(err, rc2, "could not restore \\Deleted on messages other clients had "
                   "marked: %s", e2.msg);
  }
  return rc;
}

lethe_rc mbx_fetch_bodies(struct mbx_session *s, size_t max_size, mbx_body_fn fn, void *ctx,
                          struct lethe_err *err)
{
  struct run *run = s->run;
  uint32_t *u = malloc((run->c.n ? run->c.n : 1) * sizeof(*u));
  size_t m;
  lethe_rc rc;
  if(!u)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  m = pick_uids(&run->c, true, u);
  imap_conn_limits(&s->conn, max_size, max_size + 64 * 1024);
  run->mode = MODE_BODY;
  run->body_fn = fn;
  run->body_ctx = ctx;
  rc = m ? uid_command(run, "FETCH", u, m, "(UID INTERNALDATE BODY.PEEK[])", err) : LETHE_OK;
  run->mode = MODE_NONE;
  imap_conn_limits(&s->conn, IMAP_LITERAL_DEFAULT, IMAP_RESP_DEFAULT);
  free(u);
  return rc;
}

/* Take \Deleted off what Lethe marked and the server did not expunge. */
static void undo_marks(struct run *run)
{
  uint32_t *u = malloc(run->c.n * sizeof(*u));
  struct lethe_err e = { 0 };
  size_t m = 0;
  lethe_rc rc;
  if(!u)
    return;
  for(size_t i = 0; i < run->c.n; i++)
    if(run->c.t[i].chosen && !run->c.t[i].gone && !run->c.t[i].was_deleted)
      u[m++] = run->c.t[i].uid;
  if(m && !run->s->conn.broken) {
    rc = uid_command(run, "STORE", u, m, "-FLAGS.SILENT (\\Deleted)", &e);
    (void)rc; /* best effort: the outcome already says FAILED */
  }
  free(u);
}

/* Which of u[0..n) are gone now, by UID SEARCH: their targets get checked,
 * and gone when absent. */
static lethe_rc confirm_set(struct run *run, const uint32_t *u, size_t n, struct lethe_err *err)
{
  lethe_rc rc;
  for(size_t i = 0; i < n; i++)
    find(&run->c, u[i])->present = false;
  run->mode = MODE_CONFIRM;
  rc = uid_command(run, "SEARCH UID", u, n, "", err);
  run->mode = MODE_NONE;
  for(size_t i = 0; !rc && i < n; i++) {
    struct mbx_target *t = find(&run->c, u[i]);
    t->checked = true;
    if(!t->present)
      t->gone = true;
  }
  return rc;
}

/* The folder name move-to gives, quoted for a command, into out. */
static lethe_rc destination(struct mbx_session *s, struct dynbuf *out, struct lethe_err *err)
{
  struct dynbuf enc;
  lethe_rc rc;
  db_init(&enc, 16384);
  rc = imap_utf7_encode(s->cfg.move_to, strlen(s->cfg.move_to), &enc);
  if(!rc)
    rc = imap_quote(enc.mem ? enc.mem : "", enc.len, out);
  db_release(&enc);
  return rc ? err_set(err, LETHE_E_CONFIG, "move-to '%s' cannot be named in IMAP",
                      s->cfg.move_to) : LETHE_OK;
}

/* One command-sized set u[0..n): move, or mark and expunge, then confirm.
 * Confirming after each command keeps what a dropped connection leaves
 * unknown to the messages of one command. */
static lethe_rc remove_set(struct run *run, const uint32_t *u, size_t n, const char *dest,
                           struct lethe_err *err)
{
  struct mbx_session *s = run->s;
  bool move = dest && imap_conn_has_cap(&s->conn, "MOVE");
  lethe_rc rc = LETHE_OK;
  if(dest)
    rc = uid_command(run, move ? "MOVE" : "COPY", u, n, dest, err);
  if(!rc && !move)
    rc = uid_command(run, "STORE", u, n, "+FLAGS.SILENT (\\Deleted)", err);
  if(!rc && !move)
    rc = uid_command(run, "EXPUNGE", u, n, "", err);
  if(!rc)
    rc = confirm_set(run, u, n, err);
  return rc;
}

/* Delete the chosen UIDs d[0..nd): move, or mark and expunge. */
static lethe_rc remove_chosen(struct run *run, const uint32_t *d, size_t nd,
                              struct lethe_err *err)
{
  struct mbx_session *s = run->s;
  struct dynbuf dest;
  lethe_rc rc = LETHE_OK;
  db_init(&dest, 32768);
  if(s->cfg.move_to)
    rc = destination(s, &dest, err);
  if(!rc && !imap_conn_has_cap(&s->conn, "UIDPLUS") &&
     !(s->cfg.move_to && imap_conn_has_cap(&s->conn, "MOVE"))) {
    if(s->cfg.move_to)
      rc = uid_command(run, "COPY", d, nd, dest.mem, err);
    if(!rc)
      rc = expunge_without_uidplus(run, d, nd, err);
    if(!rc)
      rc = confirm_set(run, d, nd, err);
    db_release(&dest);
    return rc;
  }
  for(size_t i = 0; i < nd && !rc;) {
    size_t k;
    db_reset(&s->set);
    k = imap_set_write(d + i, nd - i, MBX_SET_MAX, &s->set);
    if(!k)
      rc = err_set(err, LETHE_E_NOMEM, "out of memory");
    else
      rc = remove_set(run, d + i, k, s->cfg.move_to ? dest.mem : NULL, err);
    i += k;
  }
  db_release(&dest);
  if(rc == LETHE_E_PROTOCOL)
    undo_marks(run);
  return rc;
}

/* ---- outcomes --------------------------------------------------------------------------- */

static void json_escape(char *out, size_t n, const char *s)
{
  size_t o = 0;
  for(; *s && o + 7 < n; s++) {
    unsigned char c = (unsigned char)*s;
    if(c == '"' || c == '\\')
      o += (size_t)snprintf(out + o, n - o, "\\%c", c);
    else if(c < 0x20)
      o += (size_t)snprintf(out + o, n - o, "\\u%04x", c);
    else
      out[o++] = (char)c;
  }
  out[o] = '\0';
}

static void deleted(const struct mbx_session *s, const struct mbx_target *t,
                    struct lethe_outcome *o)
{
  char dest[400];
  o->result = LETHE_RESULT_DELETED;
  if(s->cfg.move_to) {
    json_escape(dest, sizeof(dest), s->cfg.move_to);
    snprintf(o->level, sizeof(o->level), "%s", LETHE_LEVEL_NONE);
    snprintf(o->level_reason, sizeof(o->level_reason), "moved to folder '%.120s', not "
             "deleted: it is deleted there by that folder's own retention", s->cfg.move_to);
    snprintf(o->detail, sizeof(o->detail), "{\"message_id_sha256\":%s%s%s,\"moved_to\":\"%s\"}",
             t->msgid_sha256[0] ? "\"" : "", t->msgid_sha256[0] ? t->msgid_sha256 : "null",
             t->msgid_sha256[0] ? "\"" : "", dest);
    return;
  }
  snprintf(o->level, sizeof(o->level), "%s", LETHE_LEVEL_LOGICAL);
  snprintf(o->level_reason, sizeof(o->level_reason), "expunged from the IMAP folder; the "
           "server may keep copies (replicas, backups, its own retention)");
  if(t->msgid_sha256[0] && !o->detail[0])
    snprintf(o->detail, sizeof(o->detail), "{\"message_id_sha256\":\"%s\"}", t->msgid_sha256);
}

/* Outcomes of the chunk's chosen targets after an attempt that ended in rc. */
static void settle(struct run *run, struct lethe_outcome *const *outs, lethe_rc rc,
                   const struct lethe_err *err)
{
  for(size_t i = 0; i < run->c.n; i++) {
    struct mbx_target *t = &run->c.t[i];
    struct lethe_outcome *o = outs[t->item];
    if(!t->chosen)
      continue;
    if(t->gone)
      deleted(run->s, t, o);
    else if(t->checked)
      mbx_outcome(o, LETHE_RESULT_FAILED, "still in the folder after UID EXPUNGE (another "
                  "client may have cleared \\Deleted meanwhile)");
    else if(rc == LETHE_E_PROTOCOL && !run->s->conn.broken)
      mbx_outcome(o, LETHE_RESULT_FAILED, "%s", err->msg);
    else
      mbx_outcome(o, LETHE_RESULT_FAILED, "not confirmed deleted: %s; the next run checks "
                  "whether it is gone", rc ? err->msg : "no answer");
  }
}

/* ---- a chunk ------------------------------------------------------------------------------- */

/* Fetch the chunk's state and write the outcome of every target that is
 * not to be deleted (gone already, or held). */
static lethe_rc inspect(struct run *run, uint32_t *uids, struct lethe_outcome *const *outs,
                        struct lethe_err *err)
{
  size_t n = pick_uids(&run->c, false, uids);
  lethe_rc rc;
  run->mode = MODE_FETCH;
  rc = uid_command(run, "FETCH", uids, n, "(UID FLAGS RFC822.SIZE "
                   "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])", err);
  run->mode = MODE_NONE;
  if(rc)
    return rc;
  for(size_t i = 0; i < run->c.n; i++) {
    struct mbx_target *t = &run->c.t[i];
    if(!t->present || t->gone) {
      t->chosen = false;
      mbx_outcome(outs[t->item], LETHE_RESULT_SKIPPED, "no longer in the folder: another "
                  "client expunged or moved it since the plan");
    }
    else if(!t->chosen) {
      mbx_outcome(outs[t->item], LETHE_RESULT_SKIPPED, "held: the message now carries the "
                  "IMAP keyword %s", run->s->cfg.keyword);
    }
  }
  return LETHE_OK;
}

static lethe_rc do_chunk(struct run *run, const struct lethe_item *const *items,
                         struct lethe_outcome *const *outs, struct lethe_err *err)
{
  uint32_t *uids = malloc(run->c.n * sizeof(*uids));
  size_t nd;
  lethe_rc rc;
  if(!uids)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  rc = inspect(run, uids, outs, err);
  if(!rc && run->s->archive)
    rc = run->s->archive(run->s->archive_ctx, run->s, run->c.t, run->c.n, items, outs, err);
  if(rc) {
    for(size_t i = 0; i < run->c.n; i++)
      if(!outs[run->c.t[i].item]->error[0] && outs[run->c.t[i].item]->result == 0)
        mbx_outcome(outs[run->c.t[i].item], LETHE_RESULT_FAILED, "not deleted: %s",
                    err->msg);
    free(uids);
    return rc;
  }
  nd = pick_uids(&run->c, true, uids);
  rc = nd ? remove_chosen(run, uids, nd, err) : LETHE_OK;
  settle(run, outs, rc, err);
  free(uids);
  return run->s->conn.broken ? rc : LETHE_OK;
}

/* ---- the batch ------------------------------------------------------------------------------ */

static int cmp_target(const void *a, const void *b)
{
  uint32_t x = ((const struct mbx_target *)a)->uid, y = ((const struct mbx_target *)b)->uid;
  return x < y ? -1 : x > y;
}

/* The path the plan gives a message of this folder starts with the folder,
 * percent-encoded, then ";UIDVALIDITY=". */
static bool in_folder(const struct mbx_session *s, const struct lethe_item *it)
{
  struct dynbuf b;
  bool ok;
  if(!it->path)
    return true;
  db_init(&b, 65536);
  ok = !imap_url_encode_mailbox(s->cfg.url.mailbox, strlen(s->cfg.url.mailbox), &b) &&
       !strncmp(it->path, db_str(&b), b.len) && !strncmp(it->path + b.len, ";UIDVALIDITY=", 13);
  db_release(&b);
  return ok;
}

/* Parse each item into a target; refuse what cannot be one of this folder's
 * messages. Returns the number of targets; *planned gets the UIDVALIDITY
 * they name (0 if they disagree). */
static size_t collect_targets(struct mbx_session *s, const struct lethe_item *const *items, size_t n,
                              struct lethe_outcome *const *outs, struct mbx_target *t,
                              uint32_t *planned)
{
  size_t m = 0;
  *planned = 0;
  for(size_t i = 0; i < n; i++) {
    uint32_t v, uid;
    if(items[i]->store != LETHE_STORE_IMAP || !items[i]->identity ||
       items[i]->identity->store != LETHE_STORE_IMAP) {
      mbx_outcome(outs[i], LETHE_RESULT_SKIPPED, "not an IMAP message identity "
                  "(uidvalidity=V uid=U): '%.100s'",
                  items[i]->identity_text ? items[i]->identity_text : "");
      continue;
    }
    v = items[i]->identity->imap.uidvalidity;
    uid = items[i]->identity->imap.uid;
    if(!in_folder(s, items[i])) {
      mbx_outcome(outs[i], LETHE_RESULT_SKIPPED, "not a message of this rule's folder '%s'",
                  s->cfg.url.mailbox);
      continue;
    }
    if(m && *planned != v)
      *planned = 0;
    else if(!m)
      *planned = v;
    memset(&t[m], 0, sizeof(t[m]));
    t[m].item = i;
    t[m].uid = uid;
    m++;
  }
  return m;
}

static void all(struct mbx_target *t, size_t m, struct lethe_outcome *const *outs,
                enum lethe_result result, const char *msg)
{
  for(size_t i = 0; i < m; i++)
    mbx_outcome(outs[t[i].item], result, "%s", msg);
}

/* Check the session can delete these targets at all; else write why. */
static bool may_proceed(struct mbx_session *s, struct mbx_target *t, size_t m, uint32_t planned,
                        struct lethe_outcome *const *outs)
{
  struct lethe_err err = { 0 };
  char msg[1024];
  if(mbx_connect(s, &err)) {
    snprintf(msg, sizeof(msg), "cannot open folder '%.200s': %.700s", s->cfg.url.mailbox,
             err.msg);
    all(t, m, outs, LETHE_RESULT_FAILED, msg);
    return false;
  }
  if(planned != s->mb.uidvalidity) {
    char had[32] = "several values";
    if(planned)
      snprintf(had, sizeof(had), "%u", planned);
    snprintf(msg, sizeof(msg), "UIDVALIDITY of folder '%.200s' is now %u, the plan has %s: "
             "the folder was recreated or renumbered, so its UIDs no longer name the planned "
             "messages; nothing in it was deleted", s->cfg.url.mailbox, s->mb.uidvalidity, had);
    all(t, m, outs, LETHE_RESULT_SKIPPED, msg);
    return false;
  }
  if(!imap_conn_has_cap(&s->conn, "UIDPLUS") && !s->cfg.allow_no_uidplus &&
     !(s->cfg.move_to && imap_conn_has_cap(&s->conn, "MOVE"))) {
    all(t, m, outs, LETHE_RESULT_SKIPPED, "the server lacks UIDPLUS (RFC 4315), so an "
        "expunge cannot be limited to the planned messages; set allow-no-uidplus = yes to "
        "use the RFC 4549 workaround");
    return false;
  }
  return true;
}

int mbx_delete_batch(struct mbx_session *s, const struct lethe_item *const *items, size_t n,
                     struct lethe_outcome *const *outs)
{
  struct mbx_target *t = calloc(n ? n : 1, sizeof(*t));
  struct run run = { .s = s };
  struct lethe_err err = { 0 };
  uint32_t planned;
  size_t m, keep = 0;
  lethe_rc rc = LETHE_OK;
  if(!t)
    return 1;
  m = collect_targets(s, items, n, outs, t, &planned);
  qsort(t, m, sizeof(*t), cmp_target);
  for(size_t i = 0; i < m; i++) {
    if(keep && t[keep - 1].uid == t[i].uid)
      mbx_outcome(outs[t[i].item], LETHE_RESULT_SKIPPED, "listed twice in the batch");
    else
      t[keep++] = t[i];
  }
  m = keep;
  if(!m || !may_proceed(s, t, m, planned, outs)) {
    free(t);
    return 0;
  }
  db_init(&run.text, 256 * 1024);
  s->run = &run;
  for(size_t i = 0; i < m;) {
    size_t k = m - i < MBX_CHUNK ? m - i : MBX_CHUNK;
    run.c.t = t + i;
    run.c.n = k;
    if(!rc)
      rc = do_chunk(&run, items, outs, &err);
    else
      for(size_t j = 0; j < k; j++)
        mbx_outcome(outs[t[i + j].item], LETHE_RESULT_FAILED, "not attempted: %s", err.msg);
    i += k;
  }
  s->run = NULL;
  db_release(&run.text);
  free(run.others);
  free(t);
  return 0;
}

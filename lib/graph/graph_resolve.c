#include "graph_resolve.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "graph_json.h"

/* https://learn.microsoft.com/graph/api/resources/mailfolder, "Well-known
 * folder names" (v1.0). */
static const char *const well_known[] = {
  "archive", "clutter", "conflicts", "conversationhistory", "deleteditems", "drafts", "inbox",
  "junkemail", "localfailures", "msgfolderroot", "outbox", "recoverableitemsdeletions",
  "scheduled", "searchfolders", "sentitems", "serverfailures", "syncissues", NULL,
};

bool graph_well_known_folder(const char *name)
{
  for(const char *const *w = well_known; *w; w++)
    if(!strcasecmp(*w, name))
      return true;
  return false;
}

lethe_rc graph_path_user(const char *mailbox, struct dynbuf *out)
{
  lethe_rc rc = db_adds(out, "/users/");
  return rc ? rc : graph_url_escape(out, mailbox, strlen(mailbox));
}

lethe_rc graph_url_user(const struct graph_config *cfg, const char *mailbox, struct dynbuf *out)
{
  lethe_rc rc = db_adds(out, cfg->graph);
  if(!rc)
    rc = db_adds(out, "/v1.0");
  return rc ? rc : graph_path_user(mailbox, out);
}

static lethe_rc copy_id(struct json_object *o, const char *key, char *out, const char *what,
                        struct lethe_err *err)
{
  size_t n;
  const char *v = gj_str(o, key, &n);
  if(!gj_token_ok(v, n, GRAPH_ID_MAX))
    return err_set(err, LETHE_E_PROTOCOL, "the service gave %s without a usable %s", what, key);
  memcpy(out, v, n);
  out[n] = '\0';
  return LETHE_OK;
}

/* ---- matching a name among a listing -------------------------------------------- */

struct match {
  const char *name, *key, *what;   /* the name sought, its property, for messages */
  char id[GRAPH_ID_MAX + 1], tag[GRAPH_ID_MAX + 1];
  unsigned exact, folded;          /* matches of each kind */
  bool is_default, fold_default;
  int64_t total, fold_total;       /* folders: totalItemCount */
  char fold_id[GRAPH_ID_MAX + 1], fold_tag[GRAPH_ID_MAX + 1];
};

static lethe_rc on_entry(void *ctx, struct json_object *o, struct lethe_err *err)
{
  struct match *m = ctx;
  size_t n;
  const char *name = gj_str(o, m->key, &n);
  const char *ck = gj_str(o, "changeKey", NULL);
  bool exact, def = false;
  int64_t total = 0;
  if(!name || n != strlen(name))
    return LETHE_OK;
  exact = !strcmp(name, m->name);
  if(!exact && strcasecmp(name, m->name))
    return LETHE_OK;
  gj_bool(o, "isDefaultCalendar", &def);
  gj_int(o, "totalItemCount", &total);
  if(copy_id(o, "id", exact ? m->id : m->fold_id, m->what, err))
    return err->rc;
  snprintf(exact ? m->tag : m->fold_tag, GRAPH_ID_MAX + 1, "%s", ck ? ck : "");
  if(exact) {
    m->exact++;
    m->is_default = def;
    m->total = total;
  }
  else {
    m->folded++;
    m->fold_default = def;
    m->fold_total = total;
  }
  return LETHE_OK;
}

/* One match or an error naming name, where and the count. */
static lethe_rc settle(struct match *m, const char *where, struct lethe_err *err)
{
  if(!m->exact && m->folded == 1) {
    memcpy(m->id, m->fold_id, sizeof(m->id));
    memcpy(m->tag, m->fold_tag, sizeof(m->tag));
    m->is_default = m->fold_default;
    m->total = m->fold_total;
    return LETHE_OK;
  }
  if(m->exact == 1)
    return LETHE_OK;
  if(!m->exact && !m->folded)
    return err_set(err, LETHE_E_NOTFOUND, "no %s named '%.200s' in %.300s", m->what, m->name,
                   where);
  return err_set(err, LETHE_E_CONFIG, "%u %ss are named '%.200s' in %.300s: Lethe cannot tell "
                 "which one the rule means", m->exact ? m->exact : m->folded, m->what, m->name,
                 where);
}

/* ---- mail folders ------------------------------------------------------------------- */

lethe_rc graph_well_known_id(struct graph_client *c, const char *mailbox, const char *wkn,
                             char *id, uint64_t *total, struct lethe_err *err)
{
  struct dynbuf url;
  struct json_object *o = NULL;
  int64_t n = 0;
  lethe_rc rc;
  id[0] = '\0';
  db_init(&url, GRAPH_URL_MAX);
  rc = graph_url_user(&c->cfg, mailbox, &url);
  if(!rc)
    rc = db_addf(&url, "/mailFolders/%s?$select=id,totalItemCount", wkn);
  if(!rc)
    rc = graph_get_json(c, db_str(&url), 0, &o, err);
  if(!rc)
    rc = copy_id(o, "id", id, "a folder", err);
  else if(rc == LETHE_E_NOTFOUND)
    rc = LETHE_OK;
  if(!rc && total)
    *total = gj_int(o, "totalItemCount", &n) && n > 0 ? (uint64_t)n : 0;
  json_object_put(o);
  db_release(&url);
  return rc;
}

/* The id of the folder a 200 answer r names, into id; "" otherwise. */
static void answered_id(struct graph_req *r, char *id)
{
  struct json_object *o = NULL;
  struct lethe_err ignored;
  id[0] = '\0';
  if(!r->rc && r->status == 200 && !gj_parse(r->reply.mem, r->reply.len, "folder", &o, &ignored))
    (void)copy_id(o, "id", id, "a folder", &ignored);
  json_object_put(o);
}

lethe_rc graph_recoverable_ids(struct graph_client *c, const char *mailbox, char *deletions,
                               char *purges, struct lethe_err *err)
{
  static const char *const wkn[] = { "recoverableitemsdeletions", "recoverableitemspurges" };
  struct graph_req r[2], *v[2] = { &r[0], &r[1] };
  lethe_rc rc = LETHE_OK;
  for(int i = 0; i < 2; i++) {
    graph_req_init(&r[i], "GET", GRAPH_REPLY_SMALL);
    r[i].flags = GRAPH_REQ_AUTH | GRAPH_REQ_RESEND;
    if(!rc && (graph_url_user(&c->cfg, mailbox, &r[i].url) ||
               db_addf(&r[i].url, "/mailFolders/%s?$select=id", wkn[i])))
      rc = err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  if(!rc)
    rc = graph_send_all(c, v, 2, 2, err);
  if(!rc && (r[0].rc || (r[0].status != 200 && r[0].status != 404)))
    rc = graph_req_error(c, &r[0], LETHE_E_IO, err);
  if(!rc) {
    answered_id(&r[0], deletions);
    answered_id(&r[1], purges); /* not a documented name everywhere: optional */
  }
  graph_req_release(&r[0]);
  graph_req_release(&r[1]);
  return rc;
}

static lethe_rc child(struct graph_client *c, const struct graph_source *s, const char *parent,
                      size_t i, char *id, uint64_t *total, struct lethe_err *err)
{
  struct match m = { .name = s->parts[i], .key = "displayName", .what = "folder" };
  struct dynbuf url, where;
  lethe_rc rc;
  db_init(&url, GRAPH_URL_MAX);
  db_init(&where, 65536);
  rc = graph_url_user(&c->cfg, s->mailbox, &url);
  if(!rc)
    rc = db_adds(&url, "/mailFolders/");
  if(!rc)
    rc = graph_url_escape(&url, parent, strlen(parent));
  if(!rc)
    rc = db_adds(&url, "/childFolders?includeHiddenFolders=true&$select=id,displayName,"
                 "totalItemCount&$top=100");
  if(!rc)
    rc = graph_each_page(c, db_str(&url), 0, on_entry, &m, err);
  if(!rc) {
    struct graph_source up = *s;
    up.n_parts = i;
    if(db_adds(&where, i ? "folder '" : "the top of mailbox ") ||
       (i ? graph_source_path(&up, &where) : db_adds(&where, s->mailbox)) ||
       db_adds(&where, i ? "'" : ""))
      rc = err_set(err, LETHE_E_NOMEM, "out of memory");
    else
      rc = settle(&m, db_str(&where), err);
  }
  if(!rc) {
    memcpy(id, m.id, sizeof(m.id));
    *total = m.total > 0 ? (uint64_t)m.total : 0;
  }
  db_release(&url);
  db_release(&where);
  return rc;
}

lethe_rc graph_find_folder(struct graph_client *c, const struct graph_source *s, char *id,
                           uint64_t *total, struct lethe_err *err)
{
  char parent[GRAPH_ID_MAX + 1] = "msgfolderroot";
  size_t first = 0;
  lethe_rc rc = LETHE_OK;
  *total = 0;
  if(graph_well_known_folder(s->parts[0])) {
    rc = graph_well_known_id(c, s->mailbox, s->parts[0], parent, total, err);
    if(!rc && !parent[0])
      rc = err_set(err, LETHE_E_NOTFOUND, "mailbox %s has no folder '%s'", s->mailbox,
                   s->parts[0]);
    first = 1;
  }
  for(size_t i = first; i < s->n_parts && !rc; i++)
    rc = child(c, s, parent, i, parent, total, err);
  if(!rc)
    snprintf(id, GRAPH_ID_MAX + 1, "%s", parent);
  return rc;
}

/* ---- calendars ------------------------------------------------------------------------- */

lethe_rc graph_find_calendar(struct graph_client *c, const struct graph_source *s, char *id,
                             char *change_key, bool *is_default, struct lethe_err *err)
{
  struct match m = { .name = s->parts[0], .key = "name", .what = "calendar" };
  struct dynbuf url, where;
  lethe_rc rc;
  db_init(&url, GRAPH_URL_MAX);
  db_init(&where, 1024);
  rc = graph_url_user(&c->cfg, s->mailbox, &url);
  if(!rc)
    rc = db_adds(&url, "/calendars?$select=id,name,changeKey,isDefaultCalendar&$top=100");
  if(!rc)
    rc = graph_each_page(c, db_str(&url), 0, on_entry, &m, err);
  if(!rc)
    rc = db_addf(&where, "mailbox %s", s->mailbox) ? LETHE_E_NOMEM : settle(&m, where.mem, err);
  if(!rc) {
    memcpy(id, m.id, sizeof(m.id));
    memcpy(change_key, m.tag, sizeof(m.tag));
    *is_default = m.is_default;
  }
  db_release(&url);
  db_release(&where);
  return rc;
}

/* ---- drives ------------------------------------------------------------------------------ */

static lethe_rc site_drive(struct graph_client *c, const struct graph_source *s, char *drive,
                           struct lethe_err *err)
{
  struct match m = { .name = s->library, .key = "name", .what = "document library" };
  struct json_object *o = NULL;
  char site[GRAPH_ID_MAX + 1], where[600];
  struct dynbuf url;
  lethe_rc rc;
  db_init(&url, GRAPH_URL_MAX);
  rc = graph_url_add(&url, "%s/v1.0/sites/%e:%s?$select=id", c->cfg.graph, s->host, s->site);
  if(!rc)
    rc = graph_get_json(c, db_str(&url), 0, &o, err);
  if(!rc)
    rc = copy_id(o, "id", site, "a site", err);
  json_object_put(o);
  db_reset(&url);
  if(!rc)
    rc = graph_url_add(&url, "%s/v1.0/sites/%e/drives?$select=id,name", c->cfg.graph, site);
  if(!rc)
    rc = graph_each_page(c, db_str(&url), 0, on_entry, &m, err);
  snprintf(where, sizeof(where), "site %.200s%.300s", s->host, s->site);
  if(!rc)
    rc = settle(&m, where, err);
  if(!rc)
    memcpy(drive, m.id, sizeof(m.id));
  db_release(&url);
  return rc;
}

static lethe_rc user_drive(struct graph_client *c, const struct graph_source *s, char *drive,
                           struct lethe_err *err)
{
  struct json_object *o = NULL;
  struct dynbuf url;
  lethe_rc rc;
  db_init(&url, GRAPH_URL_MAX);
  rc = graph_url_add(&url, "%s/v1.0/users/%e/drive?$select=id", c->cfg.graph, s->user);
  if(!rc)
    rc = graph_get_json(c, db_str(&url), 0, &o, err);
  if(!rc)
    rc = copy_id(o, "id", drive, "a drive", err);
  json_object_put(o);
  db_release(&url);
  return rc;
}

lethe_rc graph_find_drive(struct graph_client *c, const struct graph_source *s, char *drive,
                          char *folder, struct lethe_err *err)
{
  struct json_object *o = NULL;
  struct dynbuf url;
  lethe_rc rc = s->user ? user_drive(c, s, drive, err) : site_drive(c, s, drive, err);
  db_init(&url, GRAPH_URL_MAX);
  if(!rc) /* addressed by path: root:/a/b: (https://learn.microsoft.com/graph/api/driveitem-get) */
    rc = graph_url_add(&url, s->n_parts ? "%s/v1.0/drives/%e/root:" : "%s/v1.0/drives/%e/root",
                       c->cfg.graph, drive);
  for(size_t i = 0; !rc && i < s->n_parts; i++)
    rc = graph_url_add(&url, "/%e", s->parts[i]);
  if(!rc)
    rc = db_adds(&url, s->n_parts ? ":?$select=id,folder" : "?$select=id,folder");
  if(!rc)
    rc = graph_get_json(c, db_str(&url), 0, &o, err);
  if(rc == LETHE_E_NOTFOUND)
    err_prefix(err, "the folder of %s", s->base_raw);
  if(!rc && !gj_obj(o, "folder"))
    rc = err_set(err, LETHE_E_CONFIG, "%s names a file, not a folder", s->base_raw);
  if(!rc)
    rc = copy_id(o, "id", folder, "a folder", err);
  json_object_put(o);
  db_release(&url);
  return rc;
}

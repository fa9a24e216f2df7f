/* Batches: intents made durable together, then the plugin deletes, then the
 * directories are synced and the outcomes made durable together. */
#include "apply_internal.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileops.h"
#include "progress.h"
#include "isotime.h"
#include "log.h"
#include "policy.h"
#include "source_archive.h"
#include "sources.h"
#include "uri.h"

lethe_rc apply_file_names(const struct rule *r, const char *path, const char *entry,
                          char **uri, char **enc)
{
  struct dynbuf u, e;
  lethe_rc rc;
  *uri = *enc = NULL;
  db_init(&u, 16 * 1024 * 1024);
  db_init(&e, 16 * 1024 * 1024);
  rc = uri_encode_path(path, strlen(path), &e);
  if(!rc && entry)
    rc = db_adds(&e, "#");
  if(!rc && entry)
    rc = uri_encode_path(entry, strlen(entry), &e);
  if(!rc)
    rc = db_adds(&u, "file://");
  if(!rc)
    rc = uri_encode_path(r->root, strlen(r->root), &u);
  if(!rc)
    rc = db_adds(&u, "/");
  if(!rc)
    rc = db_add(&u, e.mem, e.len);
  if(!rc) {
    *uri = strdup(db_str(&u));
    *enc = strdup(db_str(&e));
    if(!*uri || !*enc)
      rc = LETHE_E_NOMEM;
  }
  db_release(&u);
  db_release(&e);
  if(rc) {
    free(*uri);
    free(*enc);
    *uri = *enc = NULL;
  }
  return rc;
}

/* The journal's record of a plan entry's item. A file is named by what is
 * deleted (the rule's root and the path that will be opened: uri and enc),
 * never by a URI the plan file merely claims; with no names (the plan's
 * path was refused) the claim is kept apart as plan_uri. */
static void item_record(struct applier *a, const struct plan_entry *e, const char *uri,
                        const char *enc, struct journal_item *it)
{
  memset(it, 0, sizeof(*it));
  it->action = a->rule->action;
  it->rule = a->rule->name;
  it->has_clock = true;
  it->clock_name = e->clock_name;
  it->clock_value = e->clock_value;
  it->identity = e->identity;
  it->kind = e->kind;
  it->store = e->store;
  it->message_id_sha256 = e->message_id_sha256;
  it->size = e->size;
  it->subject = e->subject;
  it->root = a->rule->root;
  if(!a->is_file) {
    it->path = e->path;
    it->uri = e->uri;
  }
  else {
    it->path = enc;
    it->uri = uri;
    it->plan_uri = enc ? NULL : e->uri;
  }
}

static lethe_rc journal_skip(struct applier *a, const struct plan_entry *e, const char *path,
                             const char *entry, const char *result, const char *reason)
{
  struct journal_record rec = { .type = JOURNAL_SKIP };
  char *uri = NULL, *enc = NULL;
  lethe_rc rc = a->is_file && path ? apply_file_names(a->rule, path, entry, &uri, &enc)
                                   : LETHE_OK;
  if(rc == LETHE_E_NOMEM)
    return rc;
  item_record(a, e, uri, enc, &rec.item);
  rec.item.result = result;
  rec.item.reason = reason;
  rc = journal_append(&a->j, &rec);
  free(uri);
  free(enc);
  return rc;
}

void batch_release(struct batch *b)
{
  for(size_t i = 0; i < b->n; i++) {
    plan_entry_release(&b->items[i].e);
    free(b->items[i].path);
    free(b->items[i].tmpname);
    free(b->items[i].uri);
    free(b->items[i].enc);
    free(b->items[i].entry);
  }
  for(size_t i = 0; i < b->n_dirs; i++) {
    close(b->dirs[i].fd);
    free(b->dirs[i].rel);
  }
  free(b->subject);
  memset(b, 0, sizeof(*b));
}

/* Make dir the batch's current directory, opening it unless it already is. */
static lethe_rc use_dir(struct applier *a, const char *dir, struct lethe_err *why)
{
  struct batch *b = &a->b;
  struct batch_dir *d;
  bool held = false;
  int fd;
  if(b->n_dirs && !strcmp(b->dirs[b->n_dirs - 1].rel, dir))
    return LETHE_OK;
  /* A directory no batched item uses (its items were held or skipped) gives
   * its slot to the next, so open directories never outnumber items + 1. */
  if(b->n_dirs && (!b->n || b->items[b->n - 1].dir != b->n_dirs - 1)) {
    b->n_dirs--;
    close(b->dirs[b->n_dirs].fd);
    free(b->dirs[b->n_dirs].rel);
  }
  fd = fileops_open_dir(a->rootfd, dir, &held, why);
  if(fd < 0)
    return why->rc;
  d = &b->dirs[b->n_dirs++];
  d->fd = fd;
  d->rel = strdup(dir);
  a->dir_held = held;
  return d->rel ? LETHE_OK : LETHE_E_NOMEM;
}

/* The raw URI, as [hold] patterns see it. */
static lethe_rc hold_check(struct applier *a, const char *path, const char *entry,
                           const char **hold)
{
  struct dynbuf raw;
  const struct hold *h;
  db_init(&raw, 4 * 1024 * 1024);
  if(db_adds(&raw, "file://") || db_adds(&raw, strcmp(a->rule->root, "/") ? a->rule->root : "")
     || db_adds(&raw, "/") || db_adds(&raw, path) ||
     (entry && (db_adds(&raw, "#") || db_adds(&raw, entry)))) {
    db_release(&raw);
    return LETHE_E_NOMEM;
  }
  h = policy_find_hold(a->rs, raw.mem, raw.len, a->opts->now);
  db_release(&raw);
  *hold = h ? h->name : (a->dir_held || a->root_held ? ".lethe-hold" : NULL);
  return LETHE_OK;
}

/* The plan's path, decoded and checked to stay inside the source; for an
 * archive entry ("ARCHIVE#ENTRY") the archive's, with the entry's in
 * *entry (raw bytes: a name inside the archive, never a path on disk). */
static lethe_rc decode_path(const struct applier *a, const struct plan_entry *e, char **out,
                            char **entry)
{
  struct dynbuf b, en;
  lethe_rc rc;
  *out = *entry = NULL;
  if(!*e->path)
    return LETHE_E_PARSE;
  db_init(&b, 4 * 1024 * 1024);
  if(a->archive) {
    db_init(&en, 4 * 1024 * 1024);
    rc = source_archive_split(e->path, &b, &en);
    if(!rc && !(*entry = strdup(db_str(&en))))
      rc = LETHE_E_NOMEM;
    db_release(&en);
    if(rc) {
      db_release(&b);
      return rc;
    }
  }
  else {
    rc = uri_decode(e->path, &b);
  }
  if(!rc && (b.mem[0] == '/' || strstr(b.mem, "/../") || !strncmp(b.mem, "../", 3) ||
             !strcmp(b.mem, "..")))
    rc = LETHE_E_UNSAFE; /* a hand-made plan must not walk out of the source */
  if(!rc)
    *out = strdup(b.mem);
  db_release(&b);
  if(!rc && !*out)
    rc = LETHE_E_NOMEM;
  if(rc) {
    free(*entry);
    *entry = NULL;
  }
  return rc;
}

/* A batching plugin gets one subject's items at a time, and one archive's
 * entries at a time. */
static bool group_changes(struct applier *a, const struct plan_entry *e)
{
  struct batch *b = &a->b;
  const char *hash;
  if(!b->n)
    return false;
  if(a->archive) {
    hash = strchr(e->path, '#');
    return !hash || strncmp(b->items[b->n - 1].e.path, e->path, (size_t)(hash - e->path) + 1);
  }
  if(!e->subject || !b->subject)
    return e->subject != b->subject;
  return strcmp(e->subject, b->subject) != 0;
}

static lethe_rc skip_item(struct applier *a, const struct plan_entry *e, const char *path,
                          const char *entry, const char *result, const char *reason)
{
  if(!strcmp(result, "held")) {
    a->stats->held++;
  }
  else {
    a->stats->skipped++;
    a->stats->attempted++; /* tried, and found changed before the plugin */
  }
  a->done++;
  return journal_skip(a, e, path, entry, result, reason);
}

static lethe_rc add_item(struct applier *a, const struct plan_entry *e, char *path,
                         char *entry)
{
  struct batch *b = &a->b;
  struct batch_item *it = &b->items[b->n];
  char *slash = strrchr(path, '/');
  lethe_rc rc;
  memset(it, 0, sizeof(*it));
  it->path = path;
  it->entry = entry;
  it->name = slash ? slash + 1 : path;
  it->seq = a->j.next_seq++;
  it->dir = SIZE_MAX; /* a message: no directory, no temporary name */
  b->n++;             /* from here on batch_release frees what it holds */
  rc = plan_entry_copy(e, &it->e);
  if(!rc && a->is_file) {
    it->dir = b->n_dirs - 1;
    /* An archive's entry has no name of its own to rename: the plugin
     * names the purge's temporary files. */
    if(!a->archive && asprintf(&it->tmpname, ".lethe-%.8s-%llu", a->j.run_id,
                               (unsigned long long)it->seq) < 0) {
      it->tmpname = NULL;
      rc = LETHE_E_NOMEM;
    }
    if(!rc)
      rc = apply_file_names(a->rule, path, entry, &it->uri, &it->enc);
  }
  if(!rc && !b->subject && e->subject) {
    b->subject = strdup(e->subject);
    if(!b->subject)
      rc = LETHE_E_NOMEM;
  }
  return rc;
}

/* Messages: only [hold] patterns can be checked here, against the URI as
 * the plan wrote it; the plugin re-checks the hold keyword on the server. */
static lethe_rc take_message(struct applier *a, const struct plan_entry *e, char *path)
{
  const struct hold *h = policy_find_hold(a->rs, e->uri, strlen(e->uri), a->opts->now);
  char reason[512];
  lethe_rc rc;
  if(h) {
    snprintf(reason, sizeof(reason), "held by %.400s at apply time", h->name);
    rc = skip_item(a, e, path, NULL, "held", reason);
    free(path);
    return rc;
  }
  return add_item(a, e, path, NULL);
}

/* Plugins compare identities read by the host: one that is not the store's
 * is refused before any plugin sees it. */
static bool identity_ok(struct applier *a, const struct plan_entry *e)
{
  struct lethe_identity id;
  return !source_identity(a->store, e->identity, &id);
}

/* Refused before anything is opened: the plan's path or identity. */
static lethe_rc take_checked(struct applier *a, const struct plan_entry *e, char **path,
                             char **entry)
{
  lethe_rc rc = decode_path(a, e, path, entry);
  if(rc)
    return rc == LETHE_E_NOMEM ? rc : skip_item(a, e, NULL, NULL, "skipped",
                                                "malformed path in plan");
  if(identity_ok(a, e))
    return LETHE_OK;
  rc = skip_item(a, e, *path, *entry, "skipped", "planned identity is malformed");
  free(*path);
  free(*entry);
  *path = *entry = NULL;
  return rc;
}

lethe_rc batch_take(struct applier *a, const struct plan_entry *e)
{
  struct lethe_err why = { 0 };
  const char *hold;
  char *path, *entry, *slash;
  lethe_rc rc;

  if(a->b.n == BATCH_MAX || (plugin_batches(a->plugin) && group_changes(a, e))) {
    rc = batch_flush(a);
    if(rc)
      return rc;
  }
  rc = take_checked(a, e, &path, &entry);
  if(rc || !path)
    return rc;
  if(!a->is_file)
    return take_message(a, e, path);
  slash = strrchr(path, '/');
  if(slash)
    *slash = '\0';
  rc = use_dir(a, slash ? path : "", &why);
  if(slash)
    *slash = '/';
  if(!rc)
    rc = hold_check(a, path, entry, &hold);
  if(!rc && !hold)
    return add_item(a, e, path, entry);
  if(rc != LETHE_E_NOMEM) {
    char reason[1100];
    if(rc)
      snprintf(reason, sizeof(reason), "changed since planned: %s", why.msg);
    else
      snprintf(reason, sizeof(reason), "held by %s at apply time", hold);
    rc = skip_item(a, e, path, entry, rc ? "skipped" : "held", reason);
  }
  free(path);
  free(entry);
  return rc;
}

/* The kinds plugins see are the item kinds below ITEM_OTHER, by value. */
static enum lethe_item_kind plugin_kind(enum item_kind k)
{
  return k < ITEM_OTHER ? (enum lethe_item_kind)k : LETHE_ITEM_FILE;
}

static void fill_item(struct applier *a, const struct batch_item *bi, struct lethe_item *li,
                      struct lethe_identity *id)
{
  memset(li, 0, sizeof(*li));
  li->struct_size = sizeof(*li);
  li->identity = source_identity(a->store, bi->e.identity, id) ? NULL : id; /* see identity_ok */
  li->seq = bi->seq;
  li->store = a->store;
  li->kind = plugin_kind(bi->e.kind);
  li->uri = bi->uri ? bi->uri : bi->e.uri;
  /* A message's path is the plan's, encoded as its URI is; a file's is the
   * decoded path the host opened. */
  li->path = bi->dir == SIZE_MAX ? bi->e.path : bi->entry ? bi->entry : bi->path;
  li->subject = a->b.subject;
  li->dirfd = bi->dir == SIZE_MAX ? -1 : a->b.dirs[bi->dir].fd;
  li->name = bi->name;
  li->identity_text = bi->e.identity;
  li->size = bi->e.size;
  li->tmpname = bi->tmpname;
}

static lethe_rc journal_intents(struct applier *a)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < a->b.n && !rc; i++) {
    struct batch_item *bi = &a->b.items[i];
    struct journal_record rec = { .type = JOURNAL_INTENT };
    item_record(a, &bi->e, bi->uri, bi->enc, &rec.item);
    rec.item.seq = bi->seq;
    rec.item.tmpname = bi->tmpname;
    rc = journal_append(&a->j, &rec);
  }
  if(!rc)
    rc = journal_commit(&a->j, a->err);
  return rc;
}

/* A plugin that deletes one item at a time gets a fault point after each,
 * so that the crash tests can stop the run between any two deletions. */
static lethe_rc run_plugin(struct applier *a, const struct lethe_item *const *items,
                           struct lethe_outcome *const *outs)
{
  size_t n = a->b.n;
  lethe_rc rc = LETHE_OK;
  if(plugin_batches(a->plugin)) {
    rc = plugin_delete(a->plugin, a->pstate, items, n, outs, a->err);
    if(!rc)
      journal_fault_point();
    return rc;
  }
  for(size_t i = 0; i < n && !rc; i++) {
    rc = plugin_delete(a->plugin, a->pstate, items + i, 1, outs + i, a->err);
    if(!rc)
      journal_fault_point();
  }
  return rc;
}

/* Deletions are durable only once their directories are synced; outcomes
 * are journalled after that. */
static void sync_dirs(struct applier *a)
{
  for(size_t i = 0; i < a->b.n_dirs; i++)
    if(fsync(a->b.dirs[i].fd))
      log_msg(LOG_WARNING, "cannot fsync directory %s: %s", a->b.dirs[i].rel, strerror(errno));
}

static const char *result_name(enum lethe_result r)
{
  switch(r) {
  case LETHE_RESULT_DELETED:
    return "deleted";
  case LETHE_RESULT_SKIPPED:
    return "skipped";
  case LETHE_RESULT_HELD:
    return "held";
  default:
    return "failed";
  }
}

static void count(struct applier *a, const struct lethe_outcome *o, const struct batch_item *bi)
{
  a->stats->attempted++;
  a->done++;
  if(o->result == LETHE_RESULT_DELETED) {
    a->stats->deleted++;
    if(bi->dir != SIZE_MAX && !a->archive &&
       strlist_add(&a->touched, a->b.dirs[bi->dir].rel) == LETHE_OK &&
       a->touched.n > 1 &&
       !strcmp(a->touched.v[a->touched.n - 1], a->touched.v[a->touched.n - 2]))
      free(a->touched.v[--a->touched.n]);
  }
  else if(o->result == LETHE_RESULT_SKIPPED) {
    a->stats->skipped++;
  }
  else if(o->result == LETHE_RESULT_HELD) {
    a->stats->held++; /* the store holds it: not a failure */
  }
  else {
    a->stats->failed++;
    log_msg(LOG_ERR, "%s: %s", bi->e.uri, o->error);
  }
}

/* The plugin's detail for the certificate: its long form when it gave one. */
static const char *detail_of(const struct lethe_outcome *o, char **copy)
{
  *copy = NULL;
  if(o->detail_json && o->detail_len) {
    *copy = strndup(o->detail_json, o->detail_len);
    return *copy;
  }
  return o->detail[0] ? o->detail : NULL;
}

static lethe_rc journal_outcomes(struct applier *a, struct lethe_outcome *const *outs)
{
  char now[ISOTIME_LEN];
  lethe_rc rc = LETHE_OK;
  isotime_format(time(NULL), now);
  for(size_t i = 0; i < a->b.n && !rc; i++) {
    const struct lethe_outcome *o = outs[i];
    struct journal_record rec = { .type = JOURNAL_OUTCOME };
    char *long_detail;
    rec.outcome = (struct journal_outcome){
      .seq = a->b.items[i].seq,
      .result = result_name(o->result),
      .at = now,
      .method = plugin_method(a->plugin, a->pstate),
      .level = o->level[0] ? o->level : "none",
      .level_reason = o->level_reason[0] ? o->level_reason : NULL,
      .error = o->error[0] ? o->error : NULL,
      .detail = detail_of(o, &long_detail),
    };
    rc = journal_append(&a->j, &rec);
    free(long_detail);
    count(a, o, &a->b.items[i]);
  }
  if(!rc)
    rc = journal_commit(&a->j, a->err);
  return rc;
}

/* Keep the current directory open for the next batch: consecutive items
 * usually share it. */
static void carry_last_dir(struct batch *b)
{
  struct batch_dir last;
  if(!b->n_dirs) {
    batch_release(b);
    return;
  }
  last = b->dirs[b->n_dirs - 1];
  b->n_dirs--;
  batch_release(b);
  b->dirs[0] = last;
  b->n_dirs = 1;
}

/* What one flush hands the plugin; the plugin ABI takes arrays of
 * pointers, so that its structs can grow. */
struct handover {
  struct lethe_item items[BATCH_MAX];
  struct lethe_identity ids[BATCH_MAX];
  struct lethe_outcome outs[BATCH_MAX];
  const struct lethe_item *item_ptrs[BATCH_MAX];
  struct lethe_outcome *out_ptrs[BATCH_MAX];
};

lethe_rc batch_flush(struct applier *a)
{
  struct handover *h;
  lethe_rc rc;
  if(!a->b.n)
    return LETHE_OK;
  h = calloc(1, sizeof(*h));
  if(!h)
    return LETHE_E_NOMEM;
  for(size_t i = 0; i < a->b.n; i++) {
    fill_item(a, &a->b.items[i], &h->items[i], &h->ids[i]);
    h->outs[i].struct_size = sizeof(h->outs[i]);
    h->item_ptrs[i] = &h->items[i];
    h->out_ptrs[i] = &h->outs[i];
  }
  rc = journal_intents(a);
  if(!rc)
    rc = run_plugin(a, h->item_ptrs, h->out_ptrs);
  if(!rc) {
    sync_dirs(a);
    rc = journal_outcomes(a, h->out_ptrs);
  }
  free(h);
  if(!rc) {
    carry_last_dir(&a->b);
    progress_update(a->done - a->rule_done);
  }
  return rc;
}

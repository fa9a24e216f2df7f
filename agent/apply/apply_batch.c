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
#include "isotime.h"
#include "log.h"
#include "policy.h"
#include "uri.h"

static const char *get(struct json_object *o, const char *key)
{
  struct json_object *v;
  if(!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
    return NULL;
  return json_object_get_string(v);
}

static void copy_field(struct json_object *to, struct json_object *from, const char *key)
{
  struct json_object *v;
  if(json_object_object_get_ex(from, key, &v))
    json_object_object_add(to, key, json_object_get(v));
}

/* For a file, the journal names what is deleted: the rule's root and the
 * path that will be opened, never a URI the plan file merely claims. */
static void add_file_names(struct applier *a, struct json_object *rec,
                           struct json_object *entry, const char *path)
{
  struct dynbuf uri, enc;
  db_init(&uri, 16 * 1024 * 1024);
  db_init(&enc, 16 * 1024 * 1024);
  if(path && !uri_encode_path(path, strlen(path), &enc) && !db_adds(&uri, "file://") &&
     !uri_encode_path(a->rule->root, strlen(a->rule->root), &uri) && !db_adds(&uri, "/") &&
     !db_add(&uri, enc.mem, enc.len)) {
    json_object_object_add(rec, "path", json_object_new_string(enc.mem));
    json_object_object_add(rec, "uri", json_object_new_string(uri.mem));
  }
  else {
    struct json_object *claimed;
    json_object_object_add(rec, "path", NULL);
    json_object_object_add(rec, "uri", NULL);
    if(json_object_object_get_ex(entry, "uri", &claimed))
      json_object_object_add(rec, "plan_uri", json_object_get(claimed));
  }
  db_release(&uri);
  db_release(&enc);
}

struct json_object *apply_item_record(struct applier *a, struct json_object *entry,
                                      const char *path)
{
  static const char *const keys[] = { "clock", "identity", "kind", "message_id_sha256", "size",
                                      "store", "subject", NULL };
  struct json_object *rec = json_object_new_object();
  json_object_object_add(rec, "action", json_object_new_string(a->rule->action));
  for(const char *const *k = keys; *k; k++)
    copy_field(rec, entry, *k);
  if(a->is_file) {
    add_file_names(a, rec, entry, path);
  }
  else {
    copy_field(rec, entry, "path");
    copy_field(rec, entry, "uri");
  }
  if(a->rule->root)
    json_object_object_add(rec, "root", json_object_new_string(a->rule->root));
  json_object_object_add(rec, "rule", json_object_new_string(a->rule->name));
  return rec;
}

static lethe_rc journal_skip(struct applier *a, struct json_object *entry, const char *path,
                             const char *result, const char *reason)
{
  struct json_object *rec = apply_item_record(a, entry, path);
  lethe_rc rc;
  json_object_object_add(rec, "result", json_object_new_string(result));
  json_object_object_add(rec, "reason", json_object_new_string(reason));
  rc = journal_add(&a->j, "skip", rec);
  json_object_put(rec);
  return rc;
}

void batch_release(struct batch *b)
{
  for(size_t i = 0; i < b->n; i++) {
    json_object_put(b->items[i].entry);
    free(b->items[i].path);
    free(b->items[i].tmpname);
    free(b->items[i].uri);
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
static lethe_rc hold_check(struct applier *a, const char *path, const char **hold)
{
  struct dynbuf raw;
  const struct hold *h;
  db_init(&raw, 4 * 1024 * 1024);
  if(db_adds(&raw, "file://") || db_adds(&raw, strcmp(a->rule->root, "/") ? a->rule->root : "")
     || db_adds(&raw, "/") || db_adds(&raw, path)) {
    db_release(&raw);
    return LETHE_E_NOMEM;
  }
  h = policy_find_hold(a->rs, raw.mem, raw.len, a->opts->now);
  db_release(&raw);
  *hold = h ? h->name : (a->dir_held || a->root_held ? ".lethe-hold" : NULL);
  return LETHE_OK;
}

static lethe_rc decode_path(struct json_object *entry, char **out)
{
  struct dynbuf b;
  const char *enc = get(entry, "path");
  lethe_rc rc;
  *out = NULL;
  if(!enc || !*enc)
    return LETHE_E_PARSE;
  db_init(&b, 4 * 1024 * 1024);
  rc = uri_decode(enc, &b);
  if(!rc && (b.mem[0] == '/' || strstr(b.mem, "/../") || !strncmp(b.mem, "../", 3) ||
             !strcmp(b.mem, "..")))
    rc = LETHE_E_UNSAFE; /* a hand-made plan must not walk out of the source */
  if(!rc)
    *out = strdup(b.mem);
  db_release(&b);
  return rc ? rc : (*out ? LETHE_OK : LETHE_E_NOMEM);
}

static bool subject_changes(struct batch *b, struct json_object *entry)
{
  const char *s = get(entry, "subject");
  if(!b->n)
    return false;
  if(!s || !b->subject)
    return s != b->subject;
  return strcmp(s, b->subject) != 0;
}

static lethe_rc skip_item(struct applier *a, struct json_object *entry, const char *path,
                          const char *result, const char *reason)
{
  if(!strcmp(result, "held")) {
    a->stats->held++;
  }
  else {
    a->stats->skipped++;
    a->stats->attempted++; /* tried, and found changed before the plugin */
  }
  a->done++;
  return journal_skip(a, entry, path, result, reason);
}

static lethe_rc add_item(struct applier *a, struct json_object *entry, char *path)
{
  struct batch *b = &a->b;
  struct batch_item *it = &b->items[b->n];
  char *slash = strrchr(path, '/');
  const char *s = get(entry, "subject");
  memset(it, 0, sizeof(*it));
  it->entry = json_object_get(entry);
  it->path = path;
  it->name = slash ? slash + 1 : path;
  it->seq = a->j.next_seq++;
  if(!a->is_file) {
    it->dir = SIZE_MAX; /* a message: no directory, no temporary name */
  }
  else {
    it->dir = b->n_dirs - 1;
    struct json_object *names = json_object_new_object();
    if(asprintf(&it->tmpname, ".lethe-%.8s-%llu", a->j.run_id,
                (unsigned long long)it->seq) < 0) {
      it->tmpname = NULL;
      json_object_put(names);
      return LETHE_E_NOMEM;
    }
    add_file_names(a, names, entry, path);
    it->uri = strdup(get(names, "uri") ? get(names, "uri") : "");
    json_object_put(names);
    if(!it->uri)
      return LETHE_E_NOMEM;
  }
  if(!b->subject && s) {
    b->subject = strdup(s);
    if(!b->subject)
      return LETHE_E_NOMEM;
  }
  b->n++;
  return LETHE_OK;
}

/* Messages: only [hold] patterns can be checked here, against the URI as
 * the plan wrote it; the plugin re-checks the hold keyword on the server. */
static lethe_rc take_message(struct applier *a, struct json_object *entry, char *path)
{
  const char *uri = get(entry, "uri");
  const struct hold *h = uri ? policy_find_hold(a->rs, uri, strlen(uri), a->opts->now) : NULL;
  char reason[512];
  lethe_rc rc;
  if(h) {
    snprintf(reason, sizeof(reason), "held by %.400s at apply time", h->name);
    rc = skip_item(a, entry, path, "held", reason);
    free(path);
    return rc;
  }
  return add_item(a, entry, path);
}

lethe_rc batch_take(struct applier *a, struct json_object *entry)
{
  struct lethe_err why = { 0 };
  const char *hold;
  char *path, *slash;
  lethe_rc rc;

  if((a->b.n == BATCH_MAX || (a->plugin->api->delete_batch && subject_changes(&a->b, entry)))) {
    rc = batch_flush(a);
    if(rc)
      return rc;
  }
  rc = decode_path(entry, &path);
  if(rc)
    return rc == LETHE_E_NOMEM ? rc : skip_item(a, entry, NULL, "skipped",
                                                "malformed path in plan");
  if(!a->is_file)
    return take_message(a, entry, path);
  slash = strrchr(path, '/');
  if(slash)
    *slash = '\0';
  rc = use_dir(a, slash ? path : "", &why);
  if(slash)
    *slash = '/';
  if(!rc)
    rc = hold_check(a, path, &hold);
  if(rc == LETHE_E_NOMEM) {
    free(path);
    return rc;
  }
  if(rc || hold) {
    char reason[1100];
    if(rc)
      snprintf(reason, sizeof(reason), "changed since planned: %s", why.msg);
    else
      snprintf(reason, sizeof(reason), "held by %s at apply time", hold);
    rc = skip_item(a, entry, path, rc ? "skipped" : "held", reason);
    free(path);
    return rc;
  }
  return add_item(a, entry, path);
}

static void fill_item(struct applier *a, const struct batch_item *bi, struct lethe_item *li)
{
  const char *kind = get(bi->entry, "kind");
  struct json_object *size;
  memset(li, 0, sizeof(*li));
  li->store = a->store;
  if(kind && !strcmp(kind, "symlink"))
    li->kind = LETHE_ITEM_SYMLINK;
  else if(kind && !strcmp(kind, "message"))
    li->kind = LETHE_ITEM_MESSAGE;
  else
    li->kind = LETHE_ITEM_FILE;
  li->uri = bi->uri ? bi->uri : get(bi->entry, "uri");
  /* A message's path is the plan's, encoded as its URI is; a file's is the
   * decoded path the host opened. */
  li->path = bi->dir == SIZE_MAX ? get(bi->entry, "path") : bi->path;
  li->subject = a->b.subject;
  li->dirfd = bi->dir == SIZE_MAX ? -1 : a->b.dirs[bi->dir].fd;
  li->name = bi->name;
  li->identity = get(bi->entry, "identity");
  if(json_object_object_get_ex(bi->entry, "size", &size))
    li->size = json_object_get_uint64(size);
  li->tmpname = bi->tmpname;
}

static lethe_rc journal_intents(struct applier *a)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < a->b.n && !rc; i++) {
    struct batch_item *bi = &a->b.items[i];
    struct json_object *rec = apply_item_record(a, bi->entry, bi->path);
    json_object_object_add(rec, "seq", json_object_new_uint64(bi->seq));
    if(bi->tmpname)
      json_object_object_add(rec, "tmpname", json_object_new_string(bi->tmpname));
    rc = journal_add(&a->j, "intent", rec);
    json_object_put(rec);
  }
  if(!rc)
    rc = journal_commit(&a->j, a->err);
  return rc;
}

static lethe_rc run_plugin(struct applier *a, struct lethe_item *items, struct lethe_outcome *outs)
{
  const struct lethe_plugin *api = a->plugin->api;
  size_t n = a->b.n;
  if(api->delete_batch) {
    if(api->delete_batch(a->pstate, items, n, outs))
      return err_set(a->err, LETHE_E_PLUGIN, "plugin %s gave up on a batch", api->name);
    journal_fault_point();
    return LETHE_OK;
  }
  for(size_t i = 0; i < n; i++) {
    if(api->delete_one(a->pstate, &items[i], &outs[i]))
      return err_set(a->err, LETHE_E_PLUGIN, "plugin %s gave up at %s", api->name,
                     items[i].uri);
    journal_fault_point();
  }
  return LETHE_OK;
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
  default:
    return "failed";
  }
}

static struct json_object *outcome_record(const struct batch_item *bi,
                                          const struct lethe_outcome *o, const char *method)
{
  struct json_object *rec = json_object_new_object();
  struct json_object *detail = o->detail[0] ? json_tokener_parse(o->detail) : NULL;
  char now[ISOTIME_LEN];
  isotime_format(time(NULL), now);
  json_object_object_add(rec, "seq", json_object_new_uint64(bi->seq));
  json_object_object_add(rec, "result", json_object_new_string(result_name(o->result)));
  json_object_object_add(rec, "at", json_object_new_string(now));
  json_object_object_add(rec, "method", json_object_new_string(method));
  json_object_object_add(rec, "level", json_object_new_string(o->level[0] ? o->level : "none"));
  if(o->level_reason[0])
    json_object_object_add(rec, "level_reason", json_object_new_string(o->level_reason));
  if(o->error[0])
    json_object_object_add(rec, "error", json_object_new_string(o->error));
  if(detail)
    json_object_object_add(rec, "detail", detail);
  return rec;
}

static void count(struct applier *a, const struct lethe_outcome *o, const struct batch_item *bi)
{
  a->stats->attempted++;
  a->done++;
  if(o->result == LETHE_RESULT_DELETED) {
    a->stats->deleted++;
    if(bi->dir != SIZE_MAX && strlist_add(&a->touched, a->b.dirs[bi->dir].rel) == LETHE_OK && a->touched.n > 1 &&
       !strcmp(a->touched.v[a->touched.n - 1], a->touched.v[a->touched.n - 2]))
      free(a->touched.v[--a->touched.n]);
  }
  else if(o->result == LETHE_RESULT_SKIPPED) {
    a->stats->skipped++;
  }
  else {
    a->stats->failed++;
    log_msg(LOG_ERR, "%s: %s", get(bi->entry, "uri"), o->error);
  }
}

static lethe_rc journal_outcomes(struct applier *a, const struct lethe_outcome *outs)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < a->b.n && !rc; i++) {
    struct json_object *rec = outcome_record(&a->b.items[i], &outs[i], a->plugin->api->method);
    rc = journal_add(&a->j, "outcome", rec);
    json_object_put(rec);
    count(a, &outs[i], &a->b.items[i]);
  }
  if(!rc)
    rc = journal_commit(&a->j, a->err);
  return rc;
}

static void progress(struct applier *a)
{
  if(a->opts->progress)
    fprintf(stderr, "\rlethe: %llu of %llu items", (unsigned long long)a->done,
            (unsigned long long)a->total);
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

lethe_rc batch_flush(struct applier *a)
{
  struct lethe_item items[BATCH_MAX];
  struct lethe_outcome *outs;
  lethe_rc rc;
  if(!a->b.n)
    return LETHE_OK;
  outs = calloc(a->b.n, sizeof(*outs));
  if(!outs)
    return LETHE_E_NOMEM;
  for(size_t i = 0; i < a->b.n; i++)
    fill_item(a, &a->b.items[i], &items[i]);
  rc = journal_intents(a);
  if(!rc)
    rc = run_plugin(a, items, outs);
  if(!rc) {
    sync_dirs(a);
    rc = journal_outcomes(a, outs);
  }
  free(outs);
  if(!rc) {
    carry_last_dir(&a->b);
    progress(a);
  }
  return rc;
}

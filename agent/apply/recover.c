#include "recover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileops.h"
#include "isotime.h"
#include "journal.h"
#include "log.h"
#include "plugin_host.h"
#include "sources.h"
#include "strlist.h"
#include "uri.h"
#include "walk.h"

/* Intents whose outcome is not (yet) in the journal. A journal is written
 * batch by batch, so at most a batch is pending at any point. */
struct pending {
  const struct ruleset *rs;   /* the rules now, to reach mailbox servers */
  struct journal_item *v;     /* copies */
  size_t n, cap;
  bool ended;
  size_t items;               /* intent and skip records read */
  struct journal_rule_copy *rules; /* the run's rule records */
  size_t n_rules;
  const char *plugins_dir;
  struct plugin_cache plugins; /* for their recovery hooks */
  char run_id[40];
};

/* How one intent was resolved. */
struct resolution {
  const char *result;       /* deleted, skipped; NULL: cannot tell now */
  const char *level;
  char reason[512];
};

static lethe_rc note_rule(struct pending *p, const struct journal_rule *rule)
{
  struct journal_rule_copy *v = realloc(p->rules, (p->n_rules + 1) * sizeof(*v));
  if(!v)
    return LETHE_E_NOMEM;
  p->rules = v;
  if(journal_rule_copy(rule, &v[p->n_rules]))
    return LETHE_E_NOMEM;
  p->n_rules++;
  return LETHE_OK;
}

static lethe_rc add_intent(struct pending *p, const struct journal_item *it)
{
  if(p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 64;
    struct journal_item *v = realloc(p->v, cap * sizeof(*v));
    if(!v)
      return LETHE_E_NOMEM;
    p->v = v;
    p->cap = cap;
  }
  if(journal_item_copy(it, &p->v[p->n]))
    return LETHE_E_NOMEM;
  p->n++;
  return LETHE_OK;
}

static void drop_intent(struct pending *p, uint64_t seq)
{
  for(size_t i = p->n; i-- > 0;) {
    if(p->v[i].seq == seq) {
      journal_item_release(&p->v[i]);
      p->v[i] = p->v[--p->n];
      return;
    }
  }
}

static lethe_rc on_record(void *ctx, const struct journal_record *rec, int line)
{
  struct pending *p = ctx;
  (void)line;
  switch(rec->type) {
  case JOURNAL_END:
    p->ended = true;
    return LETHE_OK;
  case JOURNAL_RULE:
    return note_rule(p, &rec->rule);
  case JOURNAL_INTENT:
    p->items++;
    return add_intent(p, &rec->item);
  case JOURNAL_SKIP:
    p->items++;
    return LETHE_OK;
  case JOURNAL_OUTCOME:
    drop_intent(p, rec->outcome.seq);
    return LETHE_OK;
  default:
    return LETHE_OK;
  }
}

static void pending_release(struct pending *p)
{
  for(size_t i = 0; i < p->n_rules; i++)
    journal_rule_release(&p->rules[i]);
  free(p->rules);
  plugin_cache_release(&p->plugins);
  for(size_t i = 0; i < p->n; i++)
    journal_item_release(&p->v[i]);
  free(p->v);
}

static int by_seq(const void *a, const void *b)
{
  uint64_t x = ((const struct journal_item *)a)->seq, y = ((const struct journal_item *)b)->seq;
  return x < y ? -1 : x > y;
}

static void resolved(struct resolution *r, const char *result, const char *level,
                     const char *reason)
{
  r->result = result;
  r->level = level;
  snprintf(r->reason, sizeof(r->reason), "%.500s", reason);
}

/* Finish a deletion that was caught half-way; the intent authorised it. */
static void complete(int dirfd, const char *name, const char *tmpname,
                     const struct lethe_file_identity *planned, struct resolution *r)
{
  struct lethe_err err = { 0 };
  char spare[300];
  if(!strcmp(name, tmpname)) {
    if(unlinkat(dirfd, tmpname, 0)) {
      resolved(r, "failed", "none", "could not complete an interrupted deletion");
      return;
    }
  }
  else {
    snprintf(spare, sizeof(spare), "%s.r", tmpname);
    if(fileops_unlink_checked(dirfd, name, spare, planned, true, &err)) {
      resolved(r, "failed", "none", err.msg);
      return;
    }
  }
  fsync(dirfd);
  resolved(r, "deleted", "logical-delete", "completed by recovery (unlinked): an "
           "interrupted run had started deleting it");
}

static void resolve_in_dir(int dirfd, const char *name, const char *tmpname,
                           const struct lethe_file_identity *planned, struct resolution *r)
{
  struct lethe_file_identity now;
  lethe_rc rc = tmpname ? fileops_stat(dirfd, tmpname, &now, NULL, NULL) : LETHE_E_NOTFOUND;
  if(!rc && file_id_same_inode(&now, planned)) {
    complete(dirfd, tmpname, tmpname, planned, r);
    return;
  }
  rc = fileops_stat(dirfd, name, &now, NULL, NULL);
  if(rc == LETHE_E_NOTFOUND)
    resolved(r, "deleted", "logical-delete", "gone: the interrupted run deleted it "
             "before recording how");
  else if(rc)
    r->result = NULL;
  else if(file_id_equal(&now, planned))
    resolved(r, "skipped", "none", "interrupted before deletion: still present");
  else if(file_id_same_inode(&now, planned) && tmpname)
    complete(dirfd, name, tmpname, planned, r);
  else
    resolved(r, "skipped", "none", "replaced by another file since planned: not deleted");
}

/* Not in the file store (a message, an archive's entry): what the store said
 * of it, asked once per rule for the whole pending batch (an archive is read
 * once, a server asked in one round). A rule no longer configured leaves
 * the intent as tried; a store that cannot say leaves it for the next run;
 * a renumbered folder means its fate cannot be known. */
enum asked { ASKED_NO_RULE = -2, ASKED_LATER = -1 };

static void resolve_remote(int state, struct resolution *r)
{
  r->result = NULL;
  if(state == ASKED_NO_RULE)
    /* "failed" means tried, and the item may still exist. */
    resolved(r, "failed", "none", "interrupted: whether it was deleted is not known; the "
             "next plan lists it again if it is still there");
  else if(state == SOURCE_GONE)
    resolved(r, "deleted", "logical-delete", "gone: the interrupted run deleted it");
  else if(state == SOURCE_PRESENT)
    resolved(r, "skipped", "none", "interrupted before deletion: still present");
  else if(state == SOURCE_UNKNOWABLE)
    resolved(r, "failed", "none", "interrupted, and the folder was recreated since (new "
             "UIDVALIDITY): whether the message was deleted is not known");
  else if(state == SOURCE_MALFORMED)
    resolved(r, "skipped", "none", "intent record has no valid identity");
}

/* Fill asked[i] for every pending intent outside the file store. */
static lethe_rc ask_stores(const struct pending *p, int *asked)
{
  const char **ids = calloc(p->n + 1, sizeof(*ids)), **paths = calloc(p->n + 1, sizeof(*paths));
  enum source_presence *out = calloc(p->n + 1, sizeof(*out));
  size_t *which = calloc(p->n + 1, sizeof(*which));
  bool *done = calloc(p->n + 1, sizeof(*done));
  lethe_rc rc = ids && paths && out && which && done ? LETHE_OK : LETHE_E_NOMEM;
  for(size_t i = 0; !rc && i < p->n; i++) {
    const char *name = p->v[i].rule;
    const struct rule *rule = p->rs && name ? rules_find(p->rs, name) : NULL;
    struct lethe_err err = { 0 };
    size_t n = 0;
    if(done[i] || p->v[i].store == LETHE_STORE_FILE)
      continue;
    for(size_t k = i; k < p->n; k++) {
      if(done[k] || p->v[k].store == LETHE_STORE_FILE || !p->v[k].rule || !name ||
         strcmp(p->v[k].rule, name))
        continue;
      done[k] = true;
      asked[k] = ASKED_NO_RULE;
      if(!rule || !source_of(rule)->presence || !p->v[k].identity)
        continue;
      ids[n] = p->v[k].identity;
      paths[n] = p->v[k].path;
      which[n++] = k;
    }
    if(!n)
      continue;
    if(source_of(rule)->presence(rule, ids, paths, n, out, &err)) {
      for(size_t k = 0; k < n; k++)
        asked[which[k]] = ASKED_LATER; /* the store cannot be asked now */
      continue;
    }
    for(size_t k = 0; k < n; k++)
      asked[which[k]] = (int)out[k];
  }
  free(ids);
  free(paths);
  free(out);
  free(which);
  free(done);
  return rc;
}

static void resolve(const struct journal_item *intent, int asked, struct resolution *r)
{
  const char *root = intent->root, *enc = intent->path;
  const char *tmpname = intent->tmpname, *identity = intent->identity;
  struct lethe_err err = { 0 };
  struct lethe_file_identity planned = { 0 };
  struct dynbuf path;
  char *slash, *name;
  int rootfd, dirfd;

  r->result = NULL;
  if(intent->store != LETHE_STORE_FILE) {
    resolve_remote(asked, r);
    return;
  }
  db_init(&path, 4 * 1024 * 1024);
  if(!root || !enc || uri_decode(enc, &path) || !path.len) {
    resolved(r, "skipped", "none", "intent record is incomplete");
    db_release(&path);
    return;
  }
  rootfd = walk_open_root(root, &err);
  if(rootfd < 0) {
    db_release(&path);
    return; /* the source is not there now: judge it next time */
  }
  slash = strrchr(path.mem, '/');
  name = slash ? slash + 1 : path.mem;
  if(slash)
    *slash = '\0';
  dirfd = fileops_open_dir(rootfd, slash ? path.mem : "", NULL, &err);
  close(rootfd);
  if(dirfd < 0) {
    if(err.rc == LETHE_E_NOTFOUND)
      resolved(r, "deleted", "logical-delete", "gone with its directory");
    db_release(&path);
    return;
  }
  if(intent->kind == ITEM_DIRECTORY) {
    struct lethe_file_identity unused;
    if(fileops_stat(dirfd, name, &unused, NULL, NULL) == LETHE_E_NOTFOUND)
      resolved(r, "deleted", "logical-delete", "removed before the run was interrupted");
    else
      resolved(r, "skipped", "none", "interrupted before removal: still present");
  }
  else if(!identity || file_id_parse(identity, &planned)) {
    resolved(r, "skipped", "none", "intent record has no valid identity");
  }
  else {
    resolve_in_dir(dirfd, name, tmpname, &planned, r);
  }
  close(dirfd);
  db_release(&path);
}

/* The rule record of the interrupted run that an intent belongs to, with its
 * plugin loaded, as rule info for the plugin's recovery hooks; false when
 * there is none (a plugin that is no longer installed cannot help). The
 * record keeps all the rule's settings; the plugin is given those it takes,
 * as the run gave them (a source's keys such as inside= are not its). *given
 * is the caller's to free. */
static bool hook_target(struct pending *p, const char *rule, struct lethe_rule_info *info,
                        const struct loaded_plugin **plugin, struct lethe_setting **given)
{
  struct lethe_err err = { 0 };
  *given = NULL;
  for(size_t i = p->n_rules; i-- > 0;) {
    const struct journal_rule *r = &p->rules[i].rule;
    size_t n = 0;
    if(strcmp(r->name, rule) || !r->action)
      continue;
    if(plugin_cache_get(&p->plugins, p->plugins_dir, r->action, plugin, &err)) {
      log_msg(LOG_WARNING, "recovery of run %s: %s", p->run_id, err.msg);
      return false;
    }
    *given = calloc(r->n_settings + 1, sizeof(**given));
    if(!*given)
      return false;
    for(size_t k = 0; k < r->n_settings; k++)
      if(plugin_accepts(*plugin, r->settings[k].key))
        (*given)[n++] = r->settings[k];
    *info = (struct lethe_rule_info){ .name = r->name, .source = r->source,
                                      .settings = *given, .n_settings = n,
                                      .rootfd = -1, .struct_size = sizeof(*info),
                                      .run_id = p->run_id };
    return true;
  }
  return false;
}

/* What the plugin made for an item of the crashed run (an archive of it,
 * whether or not the original went): the certificate must name everything
 * that holds data of the items it lists. Directories the host removed are
 * no plugin's. */
static bool plugin_detail(struct pending *p, const struct journal_item *intent, char *detail,
                          size_t n)
{
  struct lethe_outcome out = { .struct_size = sizeof(out) };
  struct lethe_identity id;
  struct lethe_item item = {
    .store = intent->store, .kind = (enum lethe_item_kind)intent->kind, .uri = intent->uri,
    .path = intent->path, .subject = intent->subject, .dirfd = -1,
    .identity_text = intent->identity, .size = intent->size, .struct_size = sizeof(item),
    .identity = &id, .seq = intent->seq,
  };
  const struct loaded_plugin *plugin;
  struct lethe_rule_info info;
  struct lethe_setting *given;
  lethe_rc rc;
  if(intent->kind == ITEM_DIRECTORY)
    return false;
  if(source_identity(intent->store, intent->identity, &id))
    item.identity = NULL;
  if(!hook_target(p, intent->rule, &info, &plugin, &given)) {
    free(given);
    return false;
  }
  rc = plugin_recover_detail(plugin, &info, &item, &out);
  free(given);
  if(rc)
    return false;
  if(out.detail_json && out.detail_len && out.detail_len < n) {
    memcpy(detail, out.detail_json, out.detail_len);
    detail[out.detail_len] = '\0';
    return true;
  }
  snprintf(detail, n, "%s", out.detail);
  return detail[0] != '\0';
}

static lethe_rc append_outcome(struct journal *j, const struct journal_item *intent,
                               const struct resolution *r, const char *detail)
{
  struct journal_record rec = { .type = JOURNAL_OUTCOME };
  char now[ISOTIME_LEN];
  isotime_format(time(NULL), now);
  rec.outcome = (struct journal_outcome){
    .seq = intent->seq,
    .result = r->result,
    .at = now,
    .method = "recovery",
    .level = r->level,
    .level_reason = r->reason,
    .detail = detail,
    .recovered = true,
  };
  return journal_append(j, &rec);
}

/* Resolve and record every pending intent; false if some cannot be judged. */
/* Resolve and record every pending intent; false if some cannot be judged.
 * The plugins' recovery hooks run first: one may finish what the crashed
 * run began (an archive's purge swapped in but not yet recorded), and the
 * item's fate is what stands after that. */
static lethe_rc finish(struct journal *j, struct pending *p, struct recovery_stats *stats,
                       bool *complete_all)
{
  char (*details)[1024] = calloc(p->n + 1, sizeof(*details));
  int *asked = calloc(p->n + 1, sizeof(*asked));
  lethe_rc rc = details && asked ? LETHE_OK : LETHE_E_NOMEM;
  *complete_all = true;
  if(p->n)
    qsort(p->v, p->n, sizeof(*p->v), by_seq);
  for(size_t i = 0; !rc && i < p->n; i++)
    if(!plugin_detail(p, &p->v[i], details[i], sizeof(details[i])))
      details[i][0] = '\0';
  if(!rc)
    rc = ask_stores(p, asked);
  for(size_t i = 0; i < p->n && !rc; i++) {
    struct resolution r;
    resolve(&p->v[i], asked[i], &r);
    if(!r.result) {
      *complete_all = false;
      continue;
    }
    if(!strcmp(r.result, "deleted"))
      stats->deleted++;
    else
      stats->present++;
    rc = append_outcome(j, &p->v[i], &r, details[i][0] ? details[i] : NULL);
  }
  free(details);
  free(asked);
  return rc;
}

/* What the crashed run's plugins left unfinished (unverified archives):
 * nothing certifies it. */
static void clean_leftovers(struct pending *p)
{
  for(size_t i = 0; i < p->n_rules; i++) {
    const struct loaded_plugin *plugin;
    struct lethe_rule_info info;
    struct lethe_setting *given;
    if(hook_target(p, p->rules[i].rule.name, &info, &plugin, &given) &&
       plugin_recover_clean(plugin, &info))
      log_msg(LOG_WARNING, "recovery of run %s: plugin %s could not clean up", p->run_id,
              plugin->api->name);
    free(given);
  }
}

static lethe_rc recover_one(int dirfd, const char *name, const struct config *cfg,
                            const struct ruleset *rs, struct recovery_stats *stats,
                            struct lethe_err *err)
{
  struct pending p = { .rs = rs, .plugins_dir = cfg->plugins_dir };
  struct journal j;
  bool all = false;
  long torn_at = -1;
  lethe_rc rc;
  struct journal_peek peek;
  snprintf(p.run_id, sizeof(p.run_id), "%.*s", (int)strcspn(name, "."), name);
  /* a finished run's journal, however large, is certification's to read */
  rc = journal_peek(dirfd, name, &peek, err);
  if(rc || peek.ended)
    return rc;
  rc = journal_read(dirfd, name, on_record, &p, &torn_at, err);
  if(rc || p.ended) {
    pending_release(&p);
    return rc;
  }
  if(!p.items) {
    /* Stopped before its first intent: nothing was deleted, nothing is left
     * to certify (a certificate of nothing would only be noise). */
    pending_release(&p);
    if(unlinkat(dirfd, name, 0) || fsync(dirfd))
      return err_sys(err, LETHE_E_IO, "cannot remove journal %s, which recorded no item",
                     name);
    log_msg(LOG_INFO, "journal %s: its run stopped before deleting anything; removed", name);
    return LETHE_OK;
  }
  stats->journals++;
  rc = journal_reopen(&j, dirfd, name, err);
  if(!rc && torn_at >= 0 && ftruncate(j.fd, torn_at)) {
    /* The torn tail recorded nothing that happened yet: cut it off so the
     * records appended now start on a line of their own. */
    rc = err_sys(err, LETHE_E_IO, "cannot cut the torn end of journal %s", name);
  }
  if(!rc)
    rc = finish(&j, &p, stats, &all);
  if(!rc && all)
    clean_leftovers(&p);
  if(!rc)
    rc = journal_commit(&j, err);
  if(!rc && all) {
    stats->finished++;
    rc = journal_end(&j, "recovered", err);
  }
  else {
    journal_close(&j);
  }
  if(!all)
    log_msg(LOG_WARNING, "journal %s: some items cannot be checked now (source "
            "unavailable); recovery will try again next run", name);
  pending_release(&p);
  return rc;
}

lethe_rc recover_journals(const struct config *cfg, const struct ruleset *rs,
                          struct recovery_stats *stats,
                          struct lethe_err *err)
{
  int dirfd = journal_open_dir(cfg->state_dir, err);
  DIR *d;
  struct dirent *e;
  lethe_rc rc = LETHE_OK;

  memset(stats, 0, sizeof(*stats));
  if(dirfd < 0)
    return err->rc;
  d = fileops_list_dir(dirfd);
  if(!d) {
    close(dirfd);
    return err_sys(err, LETHE_E_IO, "cannot list the journal directory");
  }
  for(e = readdir(d); e && !rc; e = readdir(d)) {
    size_t n = strlen(e->d_name);
    if(e->d_name[0] == '.' || n < 7 || strcmp(e->d_name + n - 6, ".jsonl"))
      continue;
    rc = recover_one(dirfd, e->d_name, cfg, rs, stats, err);
  }
  closedir(d);
  close(dirfd);
  return rc;
}

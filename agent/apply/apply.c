/* Applying a plan, rule by rule: load the rule's plugin, open its source,
 * feed the plan's "delete" entries through batches, then remove emptied
 * directories. */
#include "apply_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "log.h"
#include "progress.h"
#include "plugin_check.h"
#include "source.h"
#include "walk.h"

lethe_rc apply_check_limits(const struct plan *p, bool reviewed, struct lethe_err *err)
{
  for(size_t i = 0; i < p->n_rules; i++) {
    const struct plan_rule *pr = &p->rules[i];
    const struct max_delete *m = &pr->rule->max_delete;
    uint64_t n = pr->count[DECISION_DELETE], limit;
    if(!m->set || (pr->rule->review_required && !reviewed))
      continue; /* no limit, or the rule will not delete in this run */
    limit = m->percent ? pr->source_items * m->value / 100 : m->value;
    if(n > limit)
      return err_set(err, LETHE_E_UNSAFE, "rule %s would delete %llu item%s, over its "
                     "max-delete of %llu%s (%llu items in the source); nothing was deleted",
                     pr->rule->name, (unsigned long long)n, n == 1 ? "" : "s",
                     (unsigned long long)m->value, m->percent ? "%" : "",
                     (unsigned long long)pr->source_items);
  }
  return LETHE_OK;
}

static lethe_rc open_plugin(struct applier *a)
{
  struct lethe_rule_info info = { .name = a->rule->name, .source = a->rule->source,
                                  .rootfd = a->rootfd, .struct_size = sizeof(info),
                                  .run_id = a->j.run_id };
  struct lethe_setting *settings;
  char msg[512] = "";
  lethe_rc rc = plugin_settings_of(a->plugin, a->rule, &settings, &info.n_settings);
  for(size_t i = 0; !rc && i < info.n_settings; i++)
    if(!plugin_takes(a->plugin, a->rule, settings[i].key))
      rc = err_set(a->err, LETHE_E_CONFIG, "rule %s: action %s does not take the setting "
                   "'%s'", a->rule->name, a->rule->action, settings[i].key);
  info.settings = settings;
  if(!rc && plugin_open(a->plugin, &info, &a->pstate, msg, sizeof(msg)))
    rc = err_set(a->err, LETHE_E_PLUGIN, "rule %s: action %s: %s", a->rule->name,
                 a->rule->action, msg[0] ? msg : "the plugin refused its settings");
  free(settings);
  return rc == LETHE_E_NOMEM ? err_set(a->err, rc, "out of memory") : rc;
}

static lethe_rc close_plugin(struct applier *a)
{
  char msg[512] = "";
  if(plugin_close(a->plugin, a->pstate, msg, sizeof(msg)))
    return err_set(a->err, LETHE_E_PLUGIN, "rule %s: action %s failed to finish: %s",
                   a->rule->name, a->rule->action, msg);
  return LETHE_OK;
}

static lethe_rc take_entry(void *ctx, const struct plan_entry *e)
{
  struct applier *a = ctx;
  return e->decision == DECISION_DELETE ? batch_take(a, e) : LETHE_OK;
}

/* The rule as it stood when this run applied it, so that the certificate
 * says under which rule each item went even if the rule changes later. Its
 * settings are paths and numbers, never secrets (those are read from the
 * files settings name); recovery finds in them what a plugin made. */
static lethe_rc journal_rule(struct applier *a)
{
  const struct rule *r = a->rule;
  struct journal_record rec = { .type = JOURNAL_RULE };
  char retain[DURATION_TEXT_LEN];
  duration_format(&r->retain, retain);
  rec.rule = (struct journal_rule){
    .name = r->name,
    .description = r->description,
    .basis = r->basis,
    .source = r->source,
    .action = r->action,
    .clock = clock_name(r->clock),
    .retain = retain,
    .plugin_method = plugin_method(a->plugin, a->pstate),
    .plugin_version = a->plugin->api->version ? a->plugin->api->version : "unknown",
    .settings = r->settings,
    .n_settings = r->n_settings,
  };
  return journal_append(&a->j, &rec);
}

/* A source on a read-only mount would fail every item with "Read-only file
 * system"; say so once, before anything is journalled, and how to fix it:
 * under systemd (INVOCATION_ID, systemd.exec(5)) it is the unit's sandbox. */
static lethe_rc writable_root(struct applier *a)
{
  struct statvfs sv;
  const char *root = a->rule->root;
  if(fstatvfs(a->rootfd, &sv) || !(sv.f_flag & ST_RDONLY))
    return LETHE_OK;
  if(getenv("INVOCATION_ID"))
    return err_set(a->err, LETHE_E_IO, "rule %s: %s is read-only here, so nothing can be "
                   "deleted from it: lethe.service writes only where ReadWritePaths= says; run "
                   "'systemctl edit lethe.service' and add '[Service]' then 'ReadWritePaths=%s'",
                   a->rule->name, root, root);
  return err_set(a->err, LETHE_E_IO, "rule %s: %s is on a read-only mount, so nothing can be "
                 "deleted from it: remount it read-write", a->rule->name, root);
}

static lethe_rc apply_rule(struct applier *a, struct plan *p, size_t i)
{
  lethe_rc rc, rc2;
  a->is_file = source_of(a->rule)->local;
  a->archive = source_of(a->rule)->store == LETHE_STORE_ARCHIVE;
  a->store = source_of(a->rule)->store;
  a->rootfd = -1;
  if(!(a->plugin->api->stores & a->store))
    return err_set(a->err, LETHE_E_PLUGIN, "rule %s: action %s cannot delete from %s",
                   a->rule->name, a->rule->action, a->rule->source);
  if(a->is_file) {
    a->root_held = walk_ancestor_held(a->rule->root);
    a->rootfd = walk_open_root(a->rule->root, a->err);
    if(a->rootfd < 0)
      return a->err->rc;
    rc = writable_root(a);
    if(rc) {
      close(a->rootfd);
      return rc;
    }
  }
  rc = open_plugin(a);
  if(rc) {
    if(a->rootfd >= 0)
      close(a->rootfd);
    return rc;
  }
  rc = journal_rule(a);
  a->rule_done = a->done;
  progress_begin("deleting", a->rule->name, p->rules[i].count[DECISION_DELETE]);
  if(!rc)
    rc = plan_each(p, i, take_entry, a);
  if(!rc)
    rc = batch_flush(a);
  progress_end();
  batch_release(&a->b);
  rc2 = close_plugin(a);
  if(!rc)
    rc = rc2;
  if(!rc && a->is_file && !a->archive)
    rc = apply_remove_empty_dirs(a);
  strlist_release(&a->touched);
  if(a->rootfd >= 0)
    close(a->rootfd);
  return rc;
}

/* Whether rule i runs in this apply, and if not, why (logged once). */
static bool runs(struct applier *a, const struct plan_rule *pr)
{
  const struct rule *r = pr->rule;
  if(!pr->count[DECISION_DELETE] || pr->error)
    return false;
  if(r->review_required && !a->opts->reviewed) {
    log_msg(LOG_NOTICE, "rule %s needs review: %llu item%s not deleted; save a plan with "
            "'lethe plan --rule %s --format json -o FILE', review it, then %s",
            r->name, (unsigned long long)pr->count[DECISION_DELETE],
            pr->count[DECISION_DELETE] == 1 ? "" : "s", r->name, r->approvers ?
            "approve it with 'lethe approve FILE --key KEY' for the next run to apply" :
            "'lethe apply --plan FILE'");
    a->stats->needs_review += pr->count[DECISION_DELETE];
    return false;
  }
  return true;
}

static lethe_rc apply_rules(struct applier *a, struct plan *p, struct plugin_cache *cache)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < p->n_rules && !rc; i++) {
    a->rule = p->rules[i].rule;
    if(!runs(a, &p->rules[i]))
      continue;
    rc = plugin_cache_get(cache, a->cfg->plugins_dir, a->rule->action, &a->plugin, a->err);
    if(!rc)
      rc = apply_rule(a, p, i);
  }
  return rc;
}

lethe_rc apply_plan(const struct config *cfg, const struct ruleset *rs, struct plan *p,
                    const struct apply_opts *opts, struct apply_stats *stats,
                    struct lethe_err *err)
{
  struct applier a = { .cfg = cfg, .rs = rs, .opts = opts, .stats = stats, .err = err };
  struct plugin_cache cache = { .n = 0 };
  lethe_rc rc;

  memset(stats, 0, sizeof(*stats));
  for(size_t i = 0; i < p->n_rules; i++)
    a.total += p->rules[i].count[DECISION_DELETE];
  rc = journal_begin(&a.j, cfg->state_dir, p->hash, err);
  for(size_t i = 0; !rc && i < opts->n_approvals; i++)
    rc = journal_append(&a.j, &(struct journal_record){ .type = JOURNAL_APPROVAL,
                                                        .approval = opts->approvals[i] });
  if(rc) {
    journal_close(&a.j);
    return rc;
  }
  snprintf(stats->run_id, sizeof(stats->run_id), "%s", a.j.run_id);
  rc = apply_rules(&a, p, &cache);
  if(rc)
    journal_close(&a.j); /* left without "end": the next run recovers it */
  else
    rc = journal_end(&a.j, stats->failed ? "some-failed" : "done", err);
  plugin_cache_release(&cache);
  return rc;
}

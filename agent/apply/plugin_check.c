#include "plugin_check.h"

#include <stdlib.h>
#include <string.h>

#include "plugin_host.h"
#include "source.h"

bool plugin_takes(const struct loaded_plugin *p, const struct rule *r, const char *key)
{
  return plugin_accepts(p, key) || source_takes(r, key, strlen(key));
}

lethe_rc plugin_settings_of(const struct loaded_plugin *p, const struct rule *r,
                            struct lethe_setting **out, size_t *n)
{
  struct lethe_setting *s = calloc(r->n_settings + 1, sizeof(*s));
  *n = 0;
  *out = s;
  if(!s)
    return LETHE_E_NOMEM;
  for(size_t i = 0; i < r->n_settings; i++) {
    const char *key = r->settings[i].key;
    if(rules_is_host_key(key))
      continue;
    if(source_takes(r, key, strlen(key)) && !plugin_accepts(p, key))
      continue; /* the source's, and this plugin does not use it */
    s[(*n)++] = r->settings[i];
  }
  return LETHE_OK;
}

/* The line of the setting a plugin's check named (index among the
 * settings it was given). */
static int setting_line(const struct rule *r, const struct lethe_setting *given)
{
  for(size_t i = 0; i < r->n_settings; i++)
    if(r->settings[i].key == given->key)
      return r->setting_lines[i];
  return r->line;
}

static void check_with(const struct loaded_plugin *p, const struct rule *r, struct diag *d)
{
  struct lethe_rule_info info = { .name = r->name, .source = r->source, .rootfd = -1,
                                  .struct_size = sizeof(info) };
  struct lethe_setting *settings;
  size_t bad = SIZE_MAX;
  char msg[512] = "";
  bool unknown = false;
  if(source_of(r) && !(p->api->stores & source_of(r)->store))
    diag_error(d, r->file, r->action_line, "[rule %s]: action %s cannot delete from a %s "
               "source", r->name, r->action, source_of(r)->name);
  if(plugin_settings_of(p, r, &settings, &info.n_settings)) {
    diag_error(d, r->file, r->line, "out of memory");
    free(settings);
    return;
  }
  for(size_t i = 0; i < info.n_settings; i++) {
    if(!plugin_takes(p, r, settings[i].key)) {
      diag_error(d, r->file, setting_line(r, &settings[i]), "unknown key '%s' in [rule %s] "
                 "for action %s", settings[i].key, r->name, r->action);
      unknown = true;
    }
  }
  info.settings = settings;
  if(!unknown && source_of(r) && plugin_check(p, &info, msg, sizeof(msg), &bad))
    diag_error(d, r->file, bad < info.n_settings ? setting_line(r, &settings[bad])
                                                 : r->action_line,
               "[rule %s]: action %s: %s", r->name, r->action,
               msg[0] ? msg : "the plugin refused its settings");
  free(settings);
}

/* action = report has no plugin: only the agent's and the source's keys. */
static void check_report(const struct rule *r, struct diag *d)
{
  for(size_t i = 0; i < r->n_settings; i++) {
    const char *key = r->settings[i].key;
    if(!rules_is_host_key(key) && !source_takes(r, key, strlen(key)))
      diag_error(d, r->file, r->setting_lines[i], "unknown key '%s' in [rule %s] for action "
                 "report (a report deletes nothing: no plugin reads settings)", key, r->name);
  }
}

lethe_rc plugins_check_rules(const struct config *cfg, const struct ruleset *rs,
                             struct diag *d)
{
  struct plugin_cache cache = { .n = 0 };
  unsigned before = d->errors;
  for(size_t i = 0; i < rs->n_rules; i++) {
    const struct rule *r = rs->rules[i];
    const struct loaded_plugin *p;
    struct lethe_err err = { 0 };
    if(!r->action)
      continue;
    if(r->report) {
      check_report(r, d);
      continue;
    }
    if(plugin_cache_get(&cache, cfg->plugins_dir, r->action, &p, &err)) {
      diag_error(d, r->file, r->action_line, "unknown action '%s': %s", r->action, err.msg);
      continue;
    }
    check_with(p, r, d);
  }
  plugin_cache_release(&cache);
  return d->errors > before ? LETHE_E_CONFIG : LETHE_OK;
}

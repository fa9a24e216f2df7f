/* Loading and calling deletion plugins: dlopen ACTION.so from the plugin
 * directory, refuse anything that does not keep the ABI (lethe/plugin.h),
 * and call a plugin of any version this host loads through one set of
 * functions that convert for older versions and skip the methods a version
 * does not have. */
#ifndef LETHE_PLUGIN_HOST_H
#define LETHE_PLUGIN_HOST_H

#include <stdbool.h>

#include "err.h"
#include "lethe/plugin.h"
#include "plugin_abi1.h"

struct loaded_plugin {
  void *handle;
  const struct lethe_plugin *api;   /* the members every version has */
  const struct lethe1_plugin *v1;   /* the same, when built for version 1 */
  uint32_t abi;                     /* the version it was built for */
  char *path;
};

/* Load the plugin for action from dir. Refused, with a message naming the
 * file: a file that is missing, not regular, or writable by group or others;
 * a dlopen failure; no entry symbol; an entry returning NULL; an ABI version
 * this lethe does not load (the message says how to rebuild); a missing
 * open, close, or both delete methods; a name that differs from the
 * action. On error out is still safe to pass to plugin_unload. */
lethe_rc plugin_load(const char *dir, const char *action, struct loaded_plugin *out,
                     struct lethe_err *err) WUR;

/* True if the plugin takes the setting key. */
bool plugin_accepts(const struct loaded_plugin *p, const char *key);

/* True if the plugin deletes items in batches. */
bool plugin_batches(const struct loaded_plugin *p);

/* The plugin's own check of rule's settings; *setting as lethe_plugin.check
 * documents. A plugin without a check method is opened and closed instead,
 * as a run would before its first item. */
lethe_rc plugin_check(const struct loaded_plugin *p, const struct lethe_rule_info *rule,
                      char *msg, size_t n, size_t *setting) WUR;

/* open, delete (n items, through delete_batch when the plugin has one, else
 * one at a time), close: as lethe_plugin documents them. */
lethe_rc plugin_open(const struct loaded_plugin *p, const struct lethe_rule_info *rule,
                     void **state, char *msg, size_t n) WUR;
lethe_rc plugin_delete(const struct loaded_plugin *p, void *state,
                       const struct lethe_item *const *items, size_t n,
                       struct lethe_outcome *const *outs, struct lethe_err *err) WUR;
lethe_rc plugin_close(const struct loaded_plugin *p, void *state, char *msg, size_t n) WUR;

/* The method as the rule's settings make it, else the plugin's. */
const char *plugin_method(const struct loaded_plugin *p, void *state);

/* The recovery hooks, for plugins that have them (else LETHE_OK, nothing
 * done). */
lethe_rc plugin_recover_detail(const struct loaded_plugin *p, const struct lethe_rule_info *rule,
                               const struct lethe_item *item, struct lethe_outcome *out) WUR;
lethe_rc plugin_recover_clean(const struct loaded_plugin *p,
                              const struct lethe_rule_info *rule) WUR;

/* dlclose and free. */
void plugin_unload(struct loaded_plugin *p);

/* Plugins loaded once each by action name, unloaded in reverse order. */
struct plugin_cache {
  struct loaded_plugin p[32];
  size_t n;
};

/* The plugin for action from dir, loaded now or earlier. */
lethe_rc plugin_cache_get(struct plugin_cache *c, const char *dir, const char *action,
                          const struct loaded_plugin **out, struct lethe_err *err) WUR;

void plugin_cache_release(struct plugin_cache *c);

#endif

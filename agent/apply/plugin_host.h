/* Loading deletion plugins: dlopen ACTION.so from the plugin directory and
 * refuse anything that does not keep the ABI (see lethe/plugin.h). */
#ifndef LETHE_PLUGIN_HOST_H
#define LETHE_PLUGIN_HOST_H

#include "err.h"
#include "lethe/plugin.h"

struct loaded_plugin {
  void *handle;
  const struct lethe_plugin *api;
  char *path;
};

/* Load the plugin for action from dir. Refused, with a message naming the
 * file: a file that is missing, not regular, or writable by group or others;
 * a dlopen failure; no entry symbol; an entry returning NULL; an ABI version
 * this lethe does not know; a missing open, close, or both delete methods; a
 * name that differs from the action. */
lethe_rc plugin_load(const char *dir, const char *action, struct loaded_plugin *out,
                     struct lethe_err *err) WUR;

/* True if the plugin accepts the setting key. */
int plugin_accepts(const struct loaded_plugin *p, const char *key);

/* dlclose and free. */
void plugin_unload(struct loaded_plugin *p);

#endif

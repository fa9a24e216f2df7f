/* The plugin ABI as version 1 defined it, frozen, so that the host can
 * still call plugins built for it (plugin_host.c converts). Never change
 * this file: it describes binaries that exist. */
#ifndef LETHE_PLUGIN_ABI1_H
#define LETHE_PLUGIN_ABI1_H

#include <stddef.h>
#include <stdint.h>

#include "lethe/plugin.h"

struct lethe1_rule_info {
  const char *name;
  const char *source;
  const struct lethe_setting *settings;
  size_t n_settings;
  int rootfd;
};

struct lethe1_item {
  uint32_t store;
  enum lethe_item_kind kind;
  const char *uri;
  const char *path;
  const char *subject;
  int dirfd;
  const char *name;
  const char *identity;
  uint64_t size;
  const char *tmpname;
};

struct lethe1_outcome {
  enum lethe_result result;
  char level[32];
  char level_reason[256];
  char error[1024];
  char detail[1024];
};

struct lethe1_plugin {
  uint32_t abi_version;
  const char *name;
  const char *version;
  uint32_t stores;
  const char *method;
  const char *const *settings;
  int (*open)(const struct lethe1_rule_info *rule, void **state, char *err, size_t errlen);
  int (*delete_one)(void *state, const struct lethe1_item *item, struct lethe1_outcome *out);
  int (*delete_batch)(void *state, const struct lethe1_item *items, size_t n,
                      struct lethe1_outcome *outs);
  int (*close)(void *state, char *err, size_t errlen);
};

#endif

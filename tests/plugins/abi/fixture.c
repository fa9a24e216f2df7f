/* Broken plugins for the loader's refusals, one per FIXTURE_* macro (see
 * meson.build): each is a well-formed plugin except for the one flaw its
 * name says.
 *
 *   bad-version.so      abi_version = 999
 *   no-entry.so         no lethe_plugin_entry symbol (exports another one)
 *   null-entry.so       lethe_plugin_entry returns NULL
 *   missing-delete.so   delete_one and delete_batch are both NULL
 *   missing-open.so     open is NULL
 *   crash-on-delete.so  delete_one calls abort()
 */
#include <stdlib.h>

#include "lethe/plugin.h"

static const char *const settings[] = { NULL };

__attribute__((unused)) static lethe_rc open_rule(const struct lethe_rule_info *rule, void **state, char *err, size_t errlen)
{
  (void)rule;
  (void)err;
  (void)errlen;
  *state = NULL;
  return LETHE_OK;
}

__attribute__((unused)) static lethe_rc delete_one(void *state, const struct lethe_item *item, struct lethe_outcome *out)
{
  (void)state;
  (void)item;
#ifdef FIXTURE_CRASH_ON_DELETE
  (void)out;
  abort();
#else
  out->result = LETHE_RESULT_SKIPPED;
  return LETHE_OK;
#endif
}

static lethe_rc close_rule(void *state, char *err, size_t errlen)
{
  (void)state;
  (void)err;
  (void)errlen;
  return LETHE_OK;
}

static const struct lethe_plugin plugin = {
#ifdef FIXTURE_BAD_VERSION
  .abi_version = 999,
#else
  .abi_version = LETHE_PLUGIN_ABI_VERSION,
#endif
  .name = FIXTURE_NAME,
  .version = "0",
  .stores = LETHE_STORE_FILE,
  .method = "test fixture: deletes nothing",
  .settings = settings,
#ifndef FIXTURE_MISSING_OPEN
  .open = open_rule,
#endif
#ifndef FIXTURE_MISSING_DELETE
  .delete_one = delete_one,
#endif
  .close = close_rule,
  .struct_size = sizeof(struct lethe_plugin),
};

#ifdef FIXTURE_NO_ENTRY
/* A near miss: the symbol a careless port from an older ABI might export. */
const struct lethe_plugin *lethe_plugin_entry_v0(void);

const struct lethe_plugin *lethe_plugin_entry_v0(void)
{
  return &plugin;
}
#else
const struct lethe_plugin *lethe_plugin_entry(void);

const struct lethe_plugin *lethe_plugin_entry(void)
{
#ifdef FIXTURE_NULL_ENTRY
  (void)plugin;
  return NULL;
#else
  return &plugin;
#endif
}
#endif

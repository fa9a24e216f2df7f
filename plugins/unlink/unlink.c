/* unlink: remove a file or symlink, nothing more. The sanitization level is
 * always logical-delete: the data blocks are freed, not overwritten. */
#include <stdio.h>
#include <string.h>

#include "fileops.h"
#include "lethe/plugin.h"

static const char *const settings[] = { NULL };

static lethe_rc open_rule(const struct lethe_rule_info *rule, void **state, char *err,
                          size_t errlen)
{
  (void)rule;
  (void)err;
  (void)errlen;
  *state = NULL;
  return LETHE_OK;
}

static void set(char *field, size_t n, const char *text)
{
  snprintf(field, n, "%s", text);
}

static lethe_rc delete_one(void *state, const struct lethe_item *item, struct lethe_outcome *out)
{
  struct lethe_err err = { 0 };
  lethe_rc rc;
  (void)state;
  rc = fileops_unlink_same(item->dirfd, item->name, &item->identity->file, &err);
  if(rc == LETHE_E_CHANGED) {
    out->result = LETHE_RESULT_SKIPPED;
    set(out->level, sizeof(out->level), LETHE_LEVEL_NONE);
  }
  else if(rc) {
    out->result = LETHE_RESULT_FAILED;
    set(out->level, sizeof(out->level), LETHE_LEVEL_NONE);
  }
  else {
    out->result = LETHE_RESULT_DELETED;
    set(out->level, sizeof(out->level), LETHE_LEVEL_LOGICAL);
    set(out->level_reason, sizeof(out->level_reason), "unlinked without overwriting");
  }
  if(rc)
    set(out->error, sizeof(out->error), err.msg);
  return LETHE_OK;
}

static lethe_rc close_rule(void *state, char *err, size_t errlen)
{
  (void)state;
  (void)err;
  (void)errlen;
  return LETHE_OK;
}

static const struct lethe_plugin plugin = {
  .abi_version = LETHE_PLUGIN_ABI_VERSION,
  .name = "unlink",
  .version = "2.0",
  .stores = LETHE_STORE_FILE,
  .method = "unlink (the directory entry is removed; data blocks are freed, not overwritten)",
  .settings = settings,
  .open = open_rule,
  .delete_one = delete_one,
  .close = close_rule,
  .struct_size = sizeof(struct lethe_plugin),
};

const struct lethe_plugin *lethe_plugin_entry(void);

const struct lethe_plugin *lethe_plugin_entry(void)
{
  return &plugin;
}

/* unlink: remove a file or symlink, nothing more. The sanitization level is
 * always logical-delete: the data blocks are freed, not overwritten. */
#include <stdio.h>
#include <string.h>

#include "fileops.h"
#include "lethe/plugin.h"

static const char *const settings[] = { NULL };

static int open_rule(const struct lethe_rule_info *rule, void **state, char *err,
                     size_t errlen)
{
  (void)rule;
  (void)err;
  (void)errlen;
  *state = NULL;
  return 0;
}

static int delete_one(void *state, const struct lethe_item *item, struct lethe_outcome *out)
{
  struct file_id expect;
  struct lethe_err err = { 0 };
  lethe_rc rc;
  (void)state;
  if(file_id_parse(item->identity, &expect)) {
    out->result = LETHE_RESULT_SKIPPED;
    snprintf(out->error, sizeof(out->error), "planned identity is malformed");
    return 0;
  }
  rc = fileops_unlink_same(item->dirfd, item->name, &expect, &err);
  if(rc == LETHE_E_CHANGED) {
    out->result = LETHE_RESULT_SKIPPED;
    snprintf(out->level, sizeof(out->level), "%s", LETHE_LEVEL_NONE);
  }
  else if(rc) {
    out->result = LETHE_RESULT_FAILED;
    snprintf(out->level, sizeof(out->level), "%s", LETHE_LEVEL_NONE);
  }
  else {
    out->result = LETHE_RESULT_DELETED;
    snprintf(out->level, sizeof(out->level), "%s", LETHE_LEVEL_LOGICAL);
    snprintf(out->level_reason, sizeof(out->level_reason), "unlinked without overwriting");
  }
  if(rc)
    snprintf(out->error, sizeof(out->error), "%s", err.msg);
  return 0;
}

static int close_rule(void *state, char *err, size_t errlen)
{
  (void)state;
  (void)err;
  (void)errlen;
  return 0;
}

static const struct lethe_plugin plugin = {
  .abi_version = LETHE_PLUGIN_ABI_VERSION,
  .name = "unlink",
  .version = "1.0",
  .stores = LETHE_STORE_FILE,
  .method = "unlink (the directory entry is removed; data blocks are freed, not overwritten)",
  .settings = settings,
  .open = open_rule,
  .delete_one = delete_one,
  .close = close_rule,
};

const struct lethe_plugin *lethe_plugin_entry(void);

const struct lethe_plugin *lethe_plugin_entry(void)
{
  return &plugin;
}

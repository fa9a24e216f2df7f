/* shred: overwrite a file in place with a ChaCha20 keystream, truncate it,
 * then rename and unlink it, recording "clear" only where the overwrite
 * reaches the old blocks (see shred_level.c), else logical-delete with why.
 *
 * Settings: passes (1..35, default 1), zero-pass (yes|no), verify (yes|no). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lethe/plugin.h"
#include "shred_core.h"

/* Symlinks and multiply-linked files: nothing is written to them. */
#define UNLINK_METHOD "rename, unlink (not overwritten)"

struct shred_state {
  struct shred_opts opts;
  char method[192];
};

/* Apply every setting, refusing unknown keys, repeats and bad values. */
static lethe_rc apply_settings(const struct lethe_rule_info *rule, struct shred_opts *o,
                               size_t *bad, struct lethe_err *err)
{
  shred_opts_init(o);
  for(size_t i = 0; i < rule->n_settings; i++) {
    const struct lethe_setting *s = &rule->settings[i];
    lethe_rc rc;
    *bad = i;
    for(size_t j = 0; j < i && !shred_opts_repeatable(s->key); j++)
      if(!strcmp(rule->settings[j].key, s->key))
        return err_set(err, LETHE_E_CONFIG, "setting '%s' is given more than once", s->key);
    rc = shred_opts_set(o, s->key, s->value, err);
    if(rc == LETHE_E_NOTFOUND)
      return err_set(err, LETHE_E_CONFIG, "setting '%s' is unknown to the shred plugin "
                     "(known: passes, zero-pass, verify, in-place-device)", s->key);
    if(rc)
      return rc;
  }
  return LETHE_OK;
}

static lethe_rc check_rule(const struct lethe_rule_info *rule, char *errbuf, size_t errlen,
                           size_t *setting)
{
  struct lethe_err err = { 0 };
  struct shred_opts o;
  if(!apply_settings(rule, &o, setting, &err))
    return LETHE_OK;
  snprintf(errbuf, errlen, "%s", err.msg);
  return LETHE_E_CONFIG;
}

static lethe_rc open_rule(const struct lethe_rule_info *rule, void **state, char *errbuf,
                          size_t errlen)
{
  struct lethe_err err = { 0 };
  struct shred_state *st = calloc(1, sizeof(*st));
  size_t bad;
  *state = NULL;
  if(!st) {
    snprintf(errbuf, errlen, "out of memory");
    return LETHE_E_NOMEM;
  }
  if(apply_settings(rule, &st->opts, &bad, &err)) {
    snprintf(errbuf, errlen, "%s", err.msg);
    free(st);
    return err.rc;
  }
  shred_opts_method(&st->opts, st->method, sizeof(st->method));
  *state = st;
  return LETHE_OK;
}

static lethe_rc delete_one(void *state, const struct lethe_item *item,
                           struct lethe_outcome *out)
{
  struct shred_state *st = state;
  bool overwritten;
  shred_item(item, &st->opts, out, &overwritten);
  if(out->result == LETHE_RESULT_DELETED)
    snprintf(out->detail, sizeof(out->detail), "{\"method\":\"%s\"}",
             overwritten ? st->method : UNLINK_METHOD);
  return LETHE_OK;
}

static lethe_rc close_rule(void *state, char *err, size_t errlen)
{
  (void)err;
  (void)errlen;
  free(state);
  return LETHE_OK;
}

static const struct lethe_plugin plugin = {
  .abi_version = LETHE_PLUGIN_ABI_VERSION,
  .name = "shred",
  .version = "2.0",
  .stores = LETHE_STORE_FILE,
  .method = "overwrite (passes of ChaCha20 keystream as the rule sets, default 1), "
            "truncate, rename, unlink; symlinks and multiply-linked files only unlinked",
  .settings = shred_setting_keys,
  .open = open_rule,
  .delete_one = delete_one,
  .delete_batch = NULL,
  .close = close_rule,
  .struct_size = sizeof(struct lethe_plugin),
  .check = check_rule,
};

const struct lethe_plugin *lethe_plugin_entry(void);

const struct lethe_plugin *lethe_plugin_entry(void)
{
  return &plugin;
}

/* archive-purge: delete entries inside archives by rewriting each archive
 * without them (purge.h: write beside, verify, swap, dispose), then shred
 * the old archive's data as the shred plugin would.
 *
 * The host hands the entries of one archive together (dirfd and name are
 * the archive's, path the entry's). Each archive's entries are purged in
 * one rewrite; the archive must still be the one planned (its identity)
 * and every entry as listed (size, mtime), or nothing in it is touched.
 * Each entry is asked for exactly: a directory entry goes, what lies below
 * it stays unless the rule selected it too.
 *
 * Settings: passes, zero-pass, verify, as for shred, for the old data. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap.h"
#include "purge.h"

lethe_rc ap_read_settings(const struct lethe_rule_info *rule, struct shred_opts *o,
                              size_t *bad, char *errbuf, size_t errlen)
{
  struct lethe_err err = { 0 };
  shred_opts_init(o);
  for(size_t i = 0; i < rule->n_settings; i++) {
    *bad = i;
    if(shred_opts_set(o, rule->settings[i].key, rule->settings[i].value, &err)) {
      snprintf(errbuf, errlen, "%s", err.rc == LETHE_E_NOTFOUND
               ? "a setting archive-purge does not take (passes, zero-pass, verify, "
               "in-place-device)" : err.msg);
      return LETHE_E_CONFIG;
    }
  }
  *bad = SIZE_MAX;
  return LETHE_OK;
}

static lethe_rc check_rule(const struct lethe_rule_info *rule, char *errbuf, size_t errlen,
                           size_t *setting)
{
  struct shred_opts o;
  return ap_read_settings(rule, &o, setting, errbuf, errlen);
}

static lethe_rc open_rule(const struct lethe_rule_info *rule, void **state, char *errbuf,
                          size_t errlen)
{
  struct ap_state *st = calloc(1, sizeof(*st));
  size_t bad;
  *state = NULL;
  if(!st) {
    snprintf(errbuf, errlen, "out of memory");
    return LETHE_E_NOMEM;
  }
  if(ap_read_settings(rule, &st->shred, &bad, errbuf, errlen)) {
    free(st);
    return LETHE_E_CONFIG;
  }
  ap_run_tag(rule, st->run);
  shred_opts_method(&st->shred, st->shred_method, sizeof(st->shred_method));
  snprintf(st->method, sizeof(st->method), "archive rewritten without the entries, read "
           "back and verified, swapped in; the old archive's data: %s", st->shred_method);
  *state = st;
  return LETHE_OK;
}

static bool same_archive(const struct lethe_item *a, const struct lethe_item *b)
{
  return a->dirfd == b->dirfd && !strcmp(a->name, b->name);
}

static lethe_rc delete_batch(void *state, const struct lethe_item *const *items, size_t n,
                             struct lethe_outcome *const *outs)
{
  ap_forget_details(state);
  for(size_t i = 0; i < n;) {
    size_t j = i + 1;
    while(j < n && same_archive(items[i], items[j]))
      j++;
    ap_purge_group(state, items + i, j - i, outs + i);
    i = j;
  }
  return LETHE_OK;
}

static lethe_rc delete_one(void *state, const struct lethe_item *item,
                           struct lethe_outcome *out)
{
  return delete_batch(state, &item, 1, &out);
}

static lethe_rc close_rule(void *state, char *err, size_t errlen)
{
  struct ap_state *st = state;
  (void)err;
  (void)errlen;
  ap_forget_details(st);
  free(st->details);
  free(st);
  return LETHE_OK;
}

static const char *rule_method(void *state)
{
  return ((struct ap_state *)state)->method;
}

static const struct lethe_plugin plugin = {
  .abi_version = LETHE_PLUGIN_ABI_VERSION,
  .name = "archive-purge",
  .version = "2.0",
  .stores = LETHE_STORE_ARCHIVE,
  .method = "archive rewritten without the entries, verified, swapped in; the old archive's "
            "data shredded as the shred plugin does",
  .settings = shred_setting_keys,
  .open = open_rule,
  .delete_one = delete_one,
  .delete_batch = delete_batch,
  .close = close_rule,
  .struct_size = sizeof(struct lethe_plugin),
  .check = check_rule,
  .rule_method = rule_method,
  .recover_detail = ap_recover_detail,
};

const struct lethe_plugin *lethe_plugin_entry(void);

const struct lethe_plugin *lethe_plugin_entry(void)
{
  return &plugin;
}

/* graph-delete: delete planned Microsoft 365 items over Microsoft Graph,
 * exactly those and only while each is still what was planned (see
 * ../common/gdel.h): messages, events, whole calendars and drive items.
 * Settings: method (permanent-delete, the default where the cloud offers it,
 * or delete: recoverable, and the certificate says so), and the rule's
 * source settings credentials, cloud, graph-endpoint, login-endpoint,
 * ca-file, hold-category and items. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdel.h"
#include "lethe/plugin.h"

static const char *const settings[] = { "credentials", "cloud", "graph-endpoint",
                                        "login-endpoint", "ca-file", "hold-category", "items",
                                        "method", NULL };

static lethe_rc check_rule(const struct lethe_rule_info *rule, char *errbuf, size_t errlen,
                           size_t *setting)
{
  struct gdel_config cfg;
  struct lethe_err err = { 0 };
  lethe_rc rc = gdel_config_read(&cfg, rule, NULL, setting, &err);
  if(rc)
    snprintf(errbuf, errlen, "%s", err.msg);
  else
    gdel_config_release(&cfg);
  return rc ? LETHE_E_CONFIG : LETHE_OK;
}

static lethe_rc open_rule(const struct lethe_rule_info *rule, void **state, char *errbuf,
                          size_t errlen)
{
  struct gdel_session *s = calloc(1, sizeof(*s));
  struct lethe_err err = { 0 };
  lethe_rc rc;
  if(!s) {
    snprintf(errbuf, errlen, "out of memory");
    return LETHE_E_NOMEM;
  }
  rc = gdel_config_read(&s->cfg, rule, NULL, NULL, &err);
  if(!rc)
    rc = gdel_open(s, &err); /* bad credentials or a missing folder: say so before any item */
  if(rc) {
    snprintf(errbuf, errlen, "%s", err.msg);
    gdel_close(s);
    free(s);
    return rc;
  }
  *state = s;
  return LETHE_OK;
}

static lethe_rc delete_batch(void *state, const struct lethe_item *const *items, size_t n,
                             struct lethe_outcome *const *outs)
{
  return gdel_delete_batch(state, items, n, outs);
}

static lethe_rc delete_one(void *state, const struct lethe_item *item,
                           struct lethe_outcome *out)
{
  return delete_batch(state, &item, 1, &out);
}

static const char *rule_method(void *state)
{
  return gdel_method_text(state);
}

static lethe_rc close_rule(void *state, char *err, size_t errlen)
{
  (void)err;
  (void)errlen;
  if(state) {
    gdel_close(state);
    free(state);
  }
  return LETHE_OK;
}

static const struct lethe_plugin plugin = {
  .abi_version = LETHE_PLUGIN_ABI_VERSION,
  .name = "graph-delete",
  .version = "1.0",
  .stores = LETHE_STORE_GRAPH,
  .method = "Microsoft Graph permanentDelete, or DELETE with method = delete, in $batch "
            "requests of at most 20, each item checked unchanged first (changeKey, eTag)",
  .settings = settings,
  .open = open_rule,
  .delete_one = delete_one,
  .delete_batch = delete_batch,
  .close = close_rule,
  .struct_size = sizeof(struct lethe_plugin),
  .check = check_rule,
  .rule_method = rule_method,
  .recover_detail = gdel_recover_detail,
};

const struct lethe_plugin *lethe_plugin_entry(void);

const struct lethe_plugin *lethe_plugin_entry(void)
{
  return &plugin;
}

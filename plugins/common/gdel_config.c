/* The settings of the Graph plugins: see gdel.h. */
#include "gdel.h"

#include <stdio.h>
#include <string.h>

static const char *const shared[] = { "items", "method", NULL };

static bool listed(const char *const *v, const char *key)
{
  for(; v && *v; v++)
    if(!strcmp(*v, key))
      return true;
  return false;
}

void gdel_config_release(struct gdel_config *cfg)
{
  graph_source_release(&cfg->src);
}

static enum graph_purge_kind purge_kind(enum graph_kind k)
{
  return k == GRAPH_MAIL ? GRAPH_PURGE_MESSAGE : k == GRAPH_CALENDAR ? GRAPH_PURGE_EVENT
                                                                     : GRAPH_PURGE_DRIVE_ITEM;
}

static lethe_rc one(struct gdel_config *cfg, const struct lethe_setting *s, bool *explicit_purge,
                    struct lethe_err *err)
{
  if(!strcmp(s->key, "method")) {
    if(!strcmp(s->value, "permanent-delete"))
      *explicit_purge = true;
    else if(!strcmp(s->value, "delete"))
      cfg->method = GDEL_DELETE;
    else
      return err_set(err, LETHE_E_CONFIG, "setting 'method': expected permanent-delete or "
                     "delete, got '%.100s'", s->value);
  }
  else if(!strcmp(s->key, "items")) {
    if(strcmp(s->value, "events") && strcmp(s->value, "calendar"))
      return err_set(err, LETHE_E_CONFIG, "setting 'items': expected events or calendar");
    cfg->whole_calendar = !strcmp(s->value, "calendar");
  }
  return LETHE_OK;
}

lethe_rc gdel_config_read(struct gdel_config *cfg, const struct lethe_rule_info *rule,
                          const char *const *extra, size_t *bad, struct lethe_err *err)
{
  bool purge = false;
  lethe_rc rc;
  memset(cfg, 0, sizeof(*cfg));
  cfg->method = GDEL_PERMANENT;
  rc = graph_source_parse(rule->source ? rule->source : "", &cfg->src, err);
  if(!rc)
    rc = graph_config_read(&cfg->cfg, rule->settings, rule->n_settings, bad, err);
  for(size_t i = 0; !rc && i < rule->n_settings; i++) {
    const struct lethe_setting *s = &rule->settings[i];
    if(!graph_config_key(s->key) && !listed(shared, s->key) && !listed(extra, s->key))
      rc = err_set(err, LETHE_E_CONFIG, "unknown setting '%.100s'", s->key);
    if(!rc)
      rc = one(cfg, s, &purge, err);
    if(rc && bad)
      *bad = i;
  }
  if(!rc && !purge && cfg->method == GDEL_PERMANENT &&
     !graph_cloud_purges(cfg->cfg.cloud, purge_kind(cfg->src.kind)))
    cfg->method = GDEL_DELETE; /* the default where permanentDelete is not offered */
  if(!rc && purge && !graph_cloud_purges(cfg->cfg.cloud, purge_kind(cfg->src.kind)))
    rc = err_set(err, LETHE_E_CONFIG, "setting 'method': the %s cloud offers no "
                 "permanentDelete for %s (use method = delete)", graph_cloud_name(cfg->cfg.cloud),
                 cfg->src.kind == GRAPH_MAIL ? "messages" : cfg->src.kind == GRAPH_CALENDAR
                                                              ? "events and calendars"
                                                              : "drive items");
  if(!rc && !cfg->cfg.credentials)
    rc = err_set(err, LETHE_E_CONFIG, "setting 'credentials' is required (the Graph "
                 "credentials file)");
  if(rc)
    gdel_config_release(cfg);
  return rc;
}

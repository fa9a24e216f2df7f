#include "graph_config.h"

#include <stdio.h>
#include <string.h>

/* https://learn.microsoft.com/graph/deployments: "App registration and token
 * service root endpoints" and "Microsoft Graph and Graph Explorer service
 * root endpoints". */
static const struct {
  const char *name, *login, *graph;
} clouds[] = {
  [GRAPH_CLOUD_GLOBAL] = { "global", "https://login.microsoftonline.com",
                           "https://graph.microsoft.com" },
  [GRAPH_CLOUD_USGOV] = { "usgov", "https://login.microsoftonline.us",
                          "https://graph.microsoft.us" },
  [GRAPH_CLOUD_USGOV_DOD] = { "usgov-dod", "https://login.microsoftonline.us",
                              "https://dod-graph.microsoft.us" },
  [GRAPH_CLOUD_CHINA] = { "china", "https://login.chinacloudapi.cn",
                          "https://microsoftgraph.chinacloudapi.cn" },
};

static const char *const keys[] = { "cloud", "graph-endpoint", "login-endpoint", "ca-file",
                                     "credentials", "hold-category", NULL };

bool graph_config_key(const char *key)
{
  for(const char *const *k = keys; *k; k++)
    if(!strcmp(*k, key))
      return true;
  return false;
}

const char *graph_cloud_name(enum graph_cloud c)
{
  return clouds[c].name;
}

bool graph_cloud_purges(enum graph_cloud c, enum graph_purge_kind kind)
{
  if(c == GRAPH_CLOUD_GLOBAL)
    return true;
  return c == GRAPH_CLOUD_CHINA && kind == GRAPH_PURGE_EVENT;
}

static lethe_rc bad_value(size_t i, size_t *bad, struct lethe_err *err)
{
  if(bad)
    *bad = i;
  return err->rc;
}

/* An https URL of a host, perhaps with a port and a path, without query,
 * fragment, user info or white space; copied without a trailing '/'. */
static lethe_rc endpoint(const char *key, const char *v, char *out, struct lethe_err *err)
{
  size_t n = strlen(v);
  const char *host = v + 8;
  if(strncmp(v, "https://", 8) || n <= 8 || n > GRAPH_ENDPOINT_MAX)
    return err_set(err, LETHE_E_CONFIG, "setting '%s': expected https://HOST[:PORT] (TLS is "
                   "always used and verified), got '%.200s'", key, v);
  for(const char *p = v; *p; p++)
    if((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || strchr("?#@\\\"", *p))
      return err_set(err, LETHE_E_CONFIG, "setting '%s': '%.200s' is not a plain https URL "
                     "of a host", key, v);
  if(*host == '/' || *host == ':')
    return err_set(err, LETHE_E_CONFIG, "setting '%s': '%.200s' names no host", key, v);
  while(n > 8 && v[n - 1] == '/')
    n--;
  memcpy(out, v, n);
  out[n] = '\0';
  return LETHE_OK;
}

static lethe_rc category(const char *v, struct lethe_err *err)
{
  size_t n = strlen(v);
  if(!n || n > 255)
    return err_set(err, LETHE_E_CONFIG, "setting 'hold-category': expected a category name "
                   "of 1 to 255 bytes");
  for(const char *p = v; *p; p++)
    if((unsigned char)*p < 0x20 || *p == 0x7f)
      return err_set(err, LETHE_E_CONFIG, "setting 'hold-category': control characters are "
                     "not allowed in a category name");
  return LETHE_OK;
}

static lethe_rc cloud(struct graph_config *cfg, const char *v, struct lethe_err *err)
{
  for(size_t i = 0; i < sizeof(clouds) / sizeof(clouds[0]); i++) {
    if(!strcmp(v, clouds[i].name)) {
      cfg->cloud = (enum graph_cloud)i;
      return LETHE_OK;
    }
  }
  return err_set(err, LETHE_E_CONFIG, "setting 'cloud': expected global, usgov, usgov-dod or "
                 "china, got '%.100s'", v);
}

static lethe_rc one(struct graph_config *cfg, const struct lethe_setting *s, char *graph,
                    char *login, struct lethe_err *err)
{
  if(!strcmp(s->key, "cloud"))
    return cloud(cfg, s->value, err);
  if(!strcmp(s->key, "graph-endpoint"))
    return endpoint(s->key, s->value, graph, err);
  if(!strcmp(s->key, "login-endpoint"))
    return endpoint(s->key, s->value, login, err);
  if(!strcmp(s->key, "hold-category")) {
    cfg->hold_category = s->value;
    return category(s->value, err);
  }
  if(!strcmp(s->key, "ca-file") || !strcmp(s->key, "credentials")) {
    if(!s->value[0] || s->value[0] != '/')
      return err_set(err, LETHE_E_CONFIG, "setting '%s': expected an absolute path, got "
                     "'%.200s'", s->key, s->value);
    if(!strcmp(s->key, "ca-file"))
      cfg->ca_file = s->value;
    else
      cfg->credentials = s->value;
  }
  return LETHE_OK;
}

lethe_rc graph_config_read(struct graph_config *cfg, const struct lethe_setting *settings,
                           size_t n, size_t *bad, struct lethe_err *err)
{
  char graph[GRAPH_ENDPOINT_MAX + 1] = "", login[GRAPH_ENDPOINT_MAX + 1] = "";
  lethe_rc rc;
  memset(cfg, 0, sizeof(*cfg));
  cfg->hold_category = GRAPH_DEFAULT_HOLD_CATEGORY;
  for(size_t i = 0; i < n; i++) {
    rc = one(cfg, &settings[i], graph, login, err);
    if(rc)
      return bad_value(i, bad, err);
  }
  snprintf(cfg->graph, sizeof(cfg->graph), "%s", graph[0] ? graph : clouds[cfg->cloud].graph);
  snprintf(cfg->login, sizeof(cfg->login), "%s", login[0] ? login : clouds[cfg->cloud].login);
  snprintf(cfg->scope, sizeof(cfg->scope), "%s/.default", clouds[cfg->cloud].graph);
  return LETHE_OK;
}

/* Opening a scan of a graph rule, and what the scans share. */
#include "gsrc.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "duration.h"
#include "graph_json.h"

lethe_rc gsrc_open(struct gsrc *g, const struct rule *r, struct lethe_err *err)
{
  lethe_rc rc;
  g->r = r;
  db_init(&g->rel, 64 * 1024);
  rc = graph_source_parse(r->source, &g->src, err);
  if(!rc)
    rc = graph_config_read(&g->cfg, r->settings, r->n_settings, NULL, err);
  if(!rc && !g->cfg.credentials)
    rc = err_set(err, LETHE_E_CONFIG, "a Graph source needs 'credentials', the file with the "
                 "app's tenant, client id and certificate or secret (mode 0600; see "
                 "lethe-graph(7))");
  if(!rc)
    rc = graph_client_open(&g->c, &g->cfg, err);
  if(!rc)
    g->open = true;
  snprintf(g->held_by, sizeof(g->held_by), "the %s carries the Outlook category '%.200s'",
           g->src.kind == GRAPH_MAIL ? "message" : "event", g->cfg.hold_category);
  return rc;
}

void gsrc_close(struct gsrc *g)
{
  if(g->open)
    graph_client_close(&g->c);
  g->open = false;
  graph_source_release(&g->src);
  db_release(&g->rel);
}

bool gsrc_whole_calendar(const struct rule *r)
{
  const char *v = rule_setting(r, GSRC_ITEMS);
  return v && !strcmp(v, "calendar");
}

int64_t gsrc_latest_due(const struct rule *r, int64_t now)
{
  int64_t lo = now - (r->retain.count + 1) * 400LL * 86400, hi = now, t;
  while(lo < hi) {
    int64_t mid = lo + (hi - lo + 1) / 2;
    if(!duration_add(mid, &r->retain, &t) && t <= now)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

bool gsrc_has_string(struct json_object *o, const char *key, const char *cat)
{
  struct json_object *a = gj_arr(o, key);
  size_t n = a ? json_object_array_length(a) : 0;
  for(size_t i = 0; i < n; i++) {
    struct json_object *v = json_object_array_get_idx(a, i);
    if(json_object_is_type(v, json_type_string) && !strcasecmp(json_object_get_string(v), cat))
      return true;
  }
  return false;
}

void gsrc_sha256_hex(const char *s, size_t n, char hex[65])
{
  static const char digits[] = "0123456789abcdef";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  hex[0] = '\0';
  if(!EVP_Digest(s, n, md, &len, EVP_sha256(), NULL) || len != 32)
    return;
  for(unsigned i = 0; i < len; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 15];
  }
  hex[64] = '\0';
}

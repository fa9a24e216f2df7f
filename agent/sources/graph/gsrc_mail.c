/* The messages of a mail folder: listed newest-due first by the rule's
 * clock, narrowed on the server with $filter (CLOCK lt X, X one second past
 * the latest clock that can be due, so that the policy still decides to the
 * second) and the matching $orderby that List messages requires with it
 * (https://learn.microsoft.com/graph/api/user-list-messages), 1000 a page,
 * immutable ids, the size as PidTagMessageSize (0x0E08) through
 * singleValueExtendedProperties. */
#include "gsrc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "graph_json.h"
#include "graph_resolve.h"
#include "isotime.h"

#define SELECT "id,changeKey,receivedDateTime,sentDateTime,createdDateTime," \
               "lastModifiedDateTime,internetMessageId,categories"
#define SIZE_EXPAND "singleValueExtendedProperties($filter=id eq 'Integer 0x0E08')"

static const struct {
  enum clock_kind clock;
  const char *property;
  enum item_time time;
} props[] = {
  { CLOCK_RECEIVED, "receivedDateTime", TIME_RECEIVED },
  { CLOCK_SENT, "sentDateTime", TIME_SENT },
  { CLOCK_CREATED, "createdDateTime", TIME_CREATED },
  { CLOCK_MODIFIED, "lastModifiedDateTime", TIME_MODIFIED },
};

#define N_PROPS (sizeof(props) / sizeof(props[0]))

/* PidTagMessageSize from "singleValueExtendedProperties": [{"id":"Integer
 * 0xe08","value":"12345"}] (the id compared by its number, the value a
 * string of digits). */
static bool message_size(struct json_object *o, uint64_t *size)
{
  struct json_object *a = gj_arr(o, "singleValueExtendedProperties");
  size_t n = a ? json_object_array_length(a) : 0;
  for(size_t i = 0; i < n; i++) {
    struct json_object *p = json_object_array_get_idx(a, i);
    const char *id = gj_str(p, "id", NULL), *hex;
    int64_t v;
    if(!id || !(hex = strstr(id, " 0x")) || strtoul(hex + 3, NULL, 16) != 0x0E08 ||
       strncasecmp(id, "Integer", 7) || !gj_int(p, "value", &v) || v < 0)
      continue;
    *size = (uint64_t)v;
    return true;
  }
  return false;
}

static void set_times(struct gsrc *g, struct json_object *o, struct item *it)
{
  for(size_t i = 0; i < N_PROPS; i++) {
    it->has_time[props[i].time] = gj_time(o, props[i].property, &it->times[props[i].time]);
    if(g->r->clock == props[i].clock && !it->has_time[props[i].time] && !it->problem) {
      snprintf(g->problem, sizeof(g->problem), "clock unreadable: the service gave no %s",
               props[i].property);
      it->problem = g->problem;
    }
  }
}

static lethe_rc on_message(void *ctx, struct json_object *o, struct lethe_err *err)
{
  struct gsrc *g = ctx;
  struct item it = { .store = LETHE_STORE_GRAPH, .kind = ITEM_MESSAGE, .nlink = 1 };
  size_t idn = 0, ckn = 0, mn = 0;
  const char *id = gj_str(o, "id", &idn), *ck = gj_str(o, "changeKey", &ckn);
  const char *mid = gj_str(o, "internetMessageId", &mn);
  lethe_rc rc;
  if(!gj_token_ok(id, idn, GRAPH_ID_MAX))
    return err_set(err, LETHE_E_PROTOCOL, "the service listed a message without a usable id");
  db_reset(&g->rel);
  rc = db_add(&g->rel, id, idn);
  if(rc)
    return err_set(err, rc, "%s", lethe_strerror(rc));
  it.rel = it.name = g->rel.mem;
  it.rel_len = g->rel.len;
  if(!graph_ident_format(it.identity, sizeof(it.identity), NULL, id, idn, ck, ckn))
    it.problem = "the service gave no usable change key (or an id too long to record)";
  set_times(g, o, &it);
  message_size(o, &it.size);
  if(gsrc_has_string(o, "categories", g->cfg.hold_category))
    it.held_by = g->held_by;
  if(mid && mn)
    gsrc_sha256_hex(mid, mn, it.message_id_sha256);
  return g->sink(g->ctx, &it, NULL);
}

/* "&$filter=PROP lt X&$orderby=PROP" for the rule's clock, if it is one the
 * service can filter on. */
static lethe_rc narrowing(struct gsrc *g, struct dynbuf *url)
{
  char cut[ISOTIME_LEN], filter[128];
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < N_PROPS && !rc; i++) {
    if(g->r->clock != props[i].clock)
      continue;
    isotime_format(gsrc_latest_due(g->r, g->now) + 1, cut);
    snprintf(filter, sizeof(filter), "%s lt %s", props[i].property, cut);
    rc = db_adds(url, "&$filter=");
    if(!rc)
      rc = graph_url_escape(url, filter, strlen(filter));
    if(!rc)
      rc = db_addf(url, "&$orderby=%s", props[i].property);
  }
  return rc;
}

lethe_rc gsrc_scan_mail(struct gsrc *g, struct lethe_err *err)
{
  char folder[GRAPH_ID_MAX + 1];
  struct dynbuf url;
  uint64_t total = 0;
  lethe_rc rc = graph_find_folder(&g->c, &g->src, folder, &total, err);
  if(rc)
    return rc;
  g->stats->source_items = total;
  db_init(&url, GRAPH_URL_MAX);
  rc = graph_url_user(&g->cfg, g->src.mailbox, &url);
  if(!rc)
    rc = db_adds(&url, "/mailFolders/");
  if(!rc)
    rc = graph_url_escape(&url, folder, strlen(folder));
  if(!rc)
    rc = db_adds(&url, "/messages?$top=1000&$select=" SELECT "&$expand=");
  if(!rc)
    rc = graph_url_escape(&url, SIZE_EXPAND, strlen(SIZE_EXPAND));
  if(!rc)
    rc = narrowing(g, &url);
  if(rc)
    rc = err_set(err, rc, "cannot build the listing's URL");
  else
    rc = graph_each_page(&g->c, db_str(&url), GRAPH_REQ_IMMUTABLE, on_message, g, err);
  db_release(&url);
  return rc;
}

/* A calendar: its events (each an item, clock end by default), or, with
 * items = calendar, the calendar itself as one item whose end is the end of
 * its last event (never the mailbox's default calendar). Times are asked in
 * UTC (Prefer: outlook.timezone="UTC", https://learn.microsoft.com/graph/api/calendar-list-events). */
#include "gsrc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_json.h"
#include "graph_resolve.h"
#include "isotime.h"

#define SELECT "id,changeKey,start,end,createdDateTime,lastModifiedDateTime,categories,type," \
               "recurrence"

/* The whole calendar, while its events are read. */
struct whole {
  bool has_end, held;
  int64_t end;
  uint64_t events;
};

/* An event's end in UTC. A recurring series ends with its last occurrence:
 * only a series with an end date can be dated, and then (time zones
 * unknown) two days after that date, so never too early. */
static bool event_end(struct json_object *o, int64_t *end, const char **why)
{
  const char *type = gj_str(o, "type", NULL), *zone, *date;
  struct json_object *range = gj_obj(gj_obj(o, "recurrence"), "range");
  if(type && !strcmp(type, "seriesMaster")) {
    date = gj_str(range, "endDate", NULL);
    if(!gj_str(range, "type", NULL) || strcmp(gj_str(range, "type", NULL), "endDate") || !date ||
       strlen(date) != 10 || isotime_parse(date, end, NULL)) {
      *why = "clock unreadable: a recurring series without an end date";
      return false;
    }
    *end += 2 * 86400;
    return true;
  }
  zone = gj_str(gj_obj(o, "end"), "timeZone", NULL);
  if(!zone || strcmp(zone, "UTC") || !gj_time(gj_obj(o, "end"), "dateTime", end)) {
    *why = "clock unreadable: the service gave no end in UTC";
    return false;
  }
  return true;
}

static lethe_rc on_event(void *ctx, struct json_object *o, struct lethe_err *err)
{
  struct gsrc *g = ctx;
  struct item it = { .store = LETHE_STORE_GRAPH, .kind = ITEM_EVENT, .nlink = 1 };
  size_t idn = 0, ckn = 0;
  const char *id = gj_str(o, "id", &idn), *ck = gj_str(o, "changeKey", &ckn), *why = NULL;
  if(!gj_token_ok(id, idn, GRAPH_ID_MAX))
    return err_set(err, LETHE_E_PROTOCOL, "the service listed an event without a usable id");
  scan_stats_saw(g->stats);
  db_reset(&g->rel);
  if(db_add(&g->rel, id, idn))
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  it.rel = it.name = g->rel.mem;
  it.rel_len = g->rel.len;
  if(!graph_ident_format(it.identity, sizeof(it.identity), NULL, id, idn, ck, ckn))
    it.problem = "the service gave no usable change key (or an id too long to record)";
  it.has_time[TIME_END] = event_end(o, &it.times[TIME_END], &why);
  it.has_time[TIME_CREATED] = gj_time(o, "createdDateTime", &it.times[TIME_CREATED]);
  it.has_time[TIME_MODIFIED] = gj_time(o, "lastModifiedDateTime", &it.times[TIME_MODIFIED]);
  if(!it.problem && g->r->clock == CLOCK_END && !it.has_time[TIME_END])
    it.problem = why;
  if(gsrc_has_string(o, "categories", g->cfg.hold_category))
    it.held_by = g->held_by;
  return g->sink(g->ctx, &it, NULL);
}

static lethe_rc on_member(void *ctx, struct json_object *o, struct lethe_err *err)
{
  struct whole *w = ctx;
  const char *why;
  int64_t end;
  (void)err;
  w->events++;
  if(event_end(o, &end, &why) && (!w->has_end || end > w->end)) {
    w->end = end;
    w->has_end = true;
  }
  return LETHE_OK;
}

struct member_ctx {
  struct gsrc *g;
  struct whole w;
};

static lethe_rc on_any(void *ctx, struct json_object *o, struct lethe_err *err)
{
  struct member_ctx *m = ctx;
  if(gsrc_has_string(o, "categories", m->g->cfg.hold_category))
    m->w.held = true;
  return on_member(&m->w, o, err);
}

static lethe_rc whole_calendar(struct gsrc *g, const char *id, const char *ck, const char *url,
                               struct lethe_err *err)
{
  struct member_ctx m = { .g = g };
  struct item it = { .store = LETHE_STORE_GRAPH, .kind = ITEM_CALENDAR, .nlink = 1 };
  lethe_rc rc = graph_each_page(&g->c, url, GRAPH_REQ_IMMUTABLE | GRAPH_REQ_UTC, on_any, &m, err);
  if(rc)
    return rc;
  g->stats->source_items = 1;
  it.rel = it.name = g->src.parts[0];
  it.rel_len = strlen(it.rel);
  it.size = m.w.events;
  if(!graph_ident_format(it.identity, sizeof(it.identity), NULL, id, strlen(id), ck, strlen(ck)))
    it.problem = "the service gave no usable change key for the calendar";
  it.has_time[TIME_END] = m.w.has_end;
  it.times[TIME_END] = m.w.end;
  if(!it.problem && g->r->clock == CLOCK_END && !m.w.has_end)
    it.problem = "clock unreadable: the calendar has no event to date it by";
  if(m.w.held) {
    snprintf(g->held_by, sizeof(g->held_by), "an event of the calendar carries the Outlook "
             "category '%.200s'", g->cfg.hold_category);
    it.held_by = g->held_by;
  }
  return g->sink(g->ctx, &it, NULL);
}

lethe_rc gsrc_scan_calendar(struct gsrc *g, struct lethe_err *err)
{
  char id[GRAPH_ID_MAX + 1], ck[GRAPH_ID_MAX + 1];
  bool is_default = false, whole = gsrc_whole_calendar(g->r);
  struct dynbuf url;
  lethe_rc rc = graph_find_calendar(&g->c, &g->src, id, ck, &is_default, err);
  if(rc)
    return rc;
  if(whole && is_default)
    return err_set(err, LETHE_E_CONFIG, "'%s' is the default calendar of %s: Lethe never deletes "
                   "it as a whole (items = events deletes its events)", g->src.parts[0],
                   g->src.mailbox);
  db_init(&url, GRAPH_URL_MAX);
  rc = graph_url_user(&g->cfg, g->src.mailbox, &url);
  if(!rc)
    rc = db_adds(&url, "/calendars/");
  if(!rc)
    rc = graph_url_escape(&url, id, strlen(id));
  if(!rc)
    rc = db_adds(&url, "/events?$top=1000&$select=" SELECT);
  if(rc)
    rc = err_set(err, rc, "cannot build the listing's URL");
  else if(whole)
    rc = whole_calendar(g, id, ck, db_str(&url), err);
  else
    rc = graph_each_page(&g->c, db_str(&url), GRAPH_REQ_IMMUTABLE | GRAPH_REQ_UTC, on_event, g,
                         err);
  db_release(&url);
  return rc;
}

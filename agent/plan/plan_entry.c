#include "plan_entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_text.h"
#include "strpack.h"

/* Keys are literals: JSONW_KEY writes them whole. */
#define PUT_STRING(w, key, value) (JSONW_KEY((w), key), jsonw_string((w), (value)))

void plan_entry_write(const struct plan_entry *e, struct jsonw *w)
{
  jsonw_object_begin(w);
  PUT_STRING(w, "action", e->action);
  JSONW_KEY(w, "clock");
  jsonw_object_begin(w);
  PUT_STRING(w, "name", e->clock_name);
  PUT_STRING(w, "value", e->clock_value);
  jsonw_object_end(w);
  PUT_STRING(w, "decision", decision_name(e->decision));
  PUT_STRING(w, "due", e->due);
  PUT_STRING(w, "expires", e->expires);
  if(e->findings) { /* contains = rules only: counts and redacted samples */
    JSONW_KEY(w, "findings");
    findings_write_json(e->findings, w);
  }
  PUT_STRING(w, "hold", e->hold);
  PUT_STRING(w, "identity", e->identity);
  PUT_STRING(w, "kind", item_kind_name(e->kind));
  if(e->message_id_sha256) /* messages only: proves which went without naming it */
    PUT_STRING(w, "message_id_sha256", e->message_id_sha256);
  PUT_STRING(w, "path", e->path);
  PUT_STRING(w, "reason", e->reason);
  PUT_STRING(w, "rule", e->rule);
  JSONW_KEY(w, "size");
  jsonw_u64(w, e->size);
  PUT_STRING(w, "store", item_store_name(e->store));
  PUT_STRING(w, "subject", e->subject);
  PUT_STRING(w, "uri", e->uri);
  jsonw_object_end(w);
}

/* ---- reading ------------------------------------------------------------------- */

struct reader {
  struct json_object *o;
  char *why;
  size_t n;
  bool bad;
};

static void complain(struct reader *r, const char *key, const char *what)
{
  if(!r->bad)
    snprintf(r->why, r->n, "'%s' %s", key, what);
  r->bad = true;
}

/* o[key] as a string; NULL for null when nullable. */
static const char *text(struct reader *r, struct json_object *o, const char *key,
                        bool nullable)
{
  struct json_object *v;
  if(!json_object_object_get_ex(o, key, &v)) {
    complain(r, key, "is missing");
    return NULL;
  }
  if(nullable && json_object_is_type(v, json_type_null))
    return NULL;
  if(!json_object_is_type(v, json_type_string)) {
    complain(r, key, nullable ? "is not a string or null" : "is not a string");
    return NULL;
  }
  return json_object_get_string(v);
}

static void read_clock(struct reader *r, struct plan_entry *e)
{
  struct json_object *clock;
  if(!json_object_object_get_ex(r->o, "clock", &clock) ||
     !json_object_is_type(clock, json_type_object)) {
    complain(r, "clock", "is not an object");
    return;
  }
  e->clock_name = text(r, clock, "name", false);
  e->clock_value = text(r, clock, "value", true);
}

static void read_enums(struct reader *r, struct plan_entry *e)
{
  const char *decision = text(r, r->o, "decision", false);
  const char *kind = text(r, r->o, "kind", false), *store = text(r, r->o, "store", false);
  if(decision && !decision_parse(decision, &e->decision))
    complain(r, "decision", "is not delete, held, grace, skip or report");
  if(kind && !item_kind_parse(kind, &e->kind))
    complain(r, "kind", "names no kind of item");
  if(store && !item_store_parse(store, &e->store))
    complain(r, "store", "names no store");
}

static void read_size(struct reader *r, struct plan_entry *e)
{
  struct json_object *v;
  if(!json_object_object_get_ex(r->o, "size", &v) || !json_object_is_type(v, json_type_int) ||
     json_object_get_int64(v) < 0) {
    complain(r, "size", "is not a count of bytes");
    return;
  }
  e->size = json_object_get_uint64(v);
}

lethe_rc plan_entry_read(struct json_object *o, struct plan_entry *e, char *why, size_t n)
{
  struct reader r = { o, why, n, false };
  memset(e, 0, sizeof(*e));
  if(!json_object_is_type(o, json_type_object)) {
    snprintf(why, n, "not a JSON object");
    return LETHE_E_PARSE;
  }
  e->action = text(&r, o, "action", false);
  read_clock(&r, e);
  read_enums(&r, e);
  e->due = text(&r, o, "due", true);
  e->expires = text(&r, o, "expires", true);
  e->hold = text(&r, o, "hold", true);
  e->identity = text(&r, o, "identity", true);
  if(json_object_object_get_ex(o, "message_id_sha256", NULL))
    e->message_id_sha256 = text(&r, o, "message_id_sha256", false);
  e->path = text(&r, o, "path", false);
  e->reason = text(&r, o, "reason", false);
  e->rule = text(&r, o, "rule", false);
  read_size(&r, e);
  e->subject = text(&r, o, "subject", true);
  e->uri = text(&r, o, "uri", false);
  return r.bad ? LETHE_E_PARSE : LETHE_OK;
}

/* ---- copies -------------------------------------------------------------------- */

lethe_rc plan_entry_copy(const struct plan_entry *src, struct plan_entry *dst)
{
  const char **const fields[] = {
    &dst->action, &dst->clock_name, &dst->clock_value, &dst->due, &dst->expires, &dst->hold,
    &dst->identity, &dst->message_id_sha256, &dst->path, &dst->reason, &dst->rule,
    &dst->subject, &dst->uri,
  };
  *dst = *src;
  return strpack(fields, sizeof(fields) / sizeof(fields[0]), &dst->block);
}

void plan_entry_release(struct plan_entry *e)
{
  free(e->block);
  memset(e, 0, sizeof(*e));
}

#include "journal_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "strpack.h"

static const char *const type_names[] = {
  [JOURNAL_BEGIN] = "begin", [JOURNAL_RULE] = "rule", [JOURNAL_INTENT] = "intent",
  [JOURNAL_OUTCOME] = "outcome", [JOURNAL_SKIP] = "skip", [JOURNAL_END] = "end",
  [JOURNAL_APPROVAL] = "approval",
};

#define N_TYPES (sizeof(type_names) / sizeof(type_names[0]))

/* ---- writing: every record's keys in sorted order --------------------------------- */

static void put(struct jsonw *w, const char *key, const char *value)
{
  jsonw_key(w, key);
  jsonw_string(w, value);
}

/* A key whose value may be left out when there is none. */
static void put_if(struct jsonw *w, const char *key, const char *value)
{
  if(value)
    put(w, key, value);
}

static void put_u64(struct jsonw *w, const char *key, uint64_t value)
{
  jsonw_key(w, key);
  jsonw_u64(w, value);
}

static void write_begin(const struct journal_begin *b, struct jsonw *w)
{
  jsonw_key(w, "pid");
  jsonw_i64(w, b->pid);
  put(w, "plan", b->plan);
  put(w, "run", b->run);
  put(w, "started", b->started);
  put(w, "type", "begin");
}

static int by_key(const void *a, const void *b)
{
  return strcmp(((const struct lethe_setting *)a)->key, ((const struct lethe_setting *)b)->key);
}

static lethe_rc write_settings(const struct journal_rule *r, struct jsonw *w)
{
  struct lethe_setting *sorted = calloc(r->n_settings + 1, sizeof(*sorted));
  if(!sorted)
    return LETHE_E_NOMEM;
  if(r->n_settings)
    memcpy(sorted, r->settings, r->n_settings * sizeof(*sorted));
  qsort(sorted, r->n_settings, sizeof(*sorted), by_key);
  jsonw_key(w, "settings");
  jsonw_object_begin(w);
  for(size_t i = 0; i < r->n_settings; i++)
    if(!i || strcmp(sorted[i].key, sorted[i - 1].key)) /* a key given twice: the first */
      put(w, sorted[i].key, sorted[i].value);
  jsonw_object_end(w);
  free(sorted);
  return LETHE_OK;
}

static lethe_rc write_rule(const struct journal_rule *r, struct jsonw *w)
{
  lethe_rc rc;
  put(w, "action", r->action);
  put(w, "basis", r->basis);
  put(w, "clock", r->clock);
  put(w, "description", r->description);
  put(w, "name", r->name);
  put(w, "plugin_method", r->plugin_method);
  put(w, "plugin_version", r->plugin_version);
  put(w, "retain", r->retain);
  rc = write_settings(r, w);
  put(w, "source", r->source);
  put(w, "type", "rule");
  return rc;
}

static void write_item(const struct journal_item *it, const char *type, struct jsonw *w)
{
  bool intent = !strcmp(type, "intent");
  put(w, "action", it->action);
  if(it->has_clock) {
    jsonw_key(w, "clock");
    jsonw_object_begin(w);
    put(w, "name", it->clock_name);
    put(w, "value", it->clock_value);
    jsonw_object_end(w);
  }
  put_if(w, "identity", it->identity);
  put(w, "kind", item_kind_name(it->kind));
  put_if(w, "message_id_sha256", it->message_id_sha256);
  put(w, "path", it->path);
  put_if(w, "plan_uri", it->plan_uri);
  if(!intent)
    put(w, "reason", it->reason);
  if(!intent)
    put(w, "result", it->result);
  put_if(w, "root", it->root);
  put(w, "rule", it->rule);
  if(intent)
    put_u64(w, "seq", it->seq);
  put_u64(w, "size", it->size);
  put(w, "store", item_store_name(it->store));
  put(w, "subject", it->subject);
  if(intent)
    put_if(w, "tmpname", it->tmpname);
  put(w, "type", type);
  put(w, "uri", it->uri);
}

/* The plugin's detail, re-serialised the way json-c writes it; NULL when it
 * is not a JSON object. */
static struct json_object *parse_detail(const char *text)
{
  struct json_object *o = text ? json_tokener_parse(text) : NULL;
  if(o && !json_object_is_type(o, json_type_object)) {
    json_object_put(o);
    o = NULL;
  }
  return o;
}

static void write_outcome(const struct journal_outcome *o, struct jsonw *w)
{
  struct json_object *detail = parse_detail(o->detail);
  put(w, "at", o->at);
  if(detail) {
    size_t len;
    const char *text = json_object_to_json_string_length(detail, JSON_C_TO_STRING_PLAIN |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    jsonw_key(w, "detail");
    jsonw_raw(w, text, len);
  }
  put_if(w, "error", o->error);
  put(w, "level", o->level);
  put_if(w, "level_reason", o->level_reason);
  put(w, "method", o->method);
  if(o->recovered) {
    jsonw_key(w, "recovered");
    jsonw_bool(w, true);
  }
  put(w, "result", o->result);
  put_u64(w, "seq", o->seq);
  put(w, "type", "outcome");
  json_object_put(detail);
}

static void write_end(const struct journal_end *e, struct jsonw *w)
{
  put(w, "finished", e->finished);
  put(w, "status", e->status);
  put(w, "type", "end");
}

static void write_approval(const struct journal_approval *a, struct jsonw *w)
{
  put(w, "approved_at", a->approved_at);
  put(w, "fingerprint", a->fingerprint);
  put(w, "message", a->message);
  put(w, "principal", a->principal);
  put(w, "signature", a->signature);
  put(w, "type", "approval");
}

lethe_rc journal_record_write(const struct journal_record *rec, struct dynbuf *out)
{
  struct jsonw w;
  lethe_rc rc = LETHE_OK;
  jsonw_init(&w, out);
  jsonw_object_begin(&w);
  switch(rec->type) {
  case JOURNAL_BEGIN:
    write_begin(&rec->begin, &w);
    break;
  case JOURNAL_RULE:
    rc = write_rule(&rec->rule, &w);
    break;
  case JOURNAL_INTENT:
  case JOURNAL_SKIP:
    write_item(&rec->item, type_names[rec->type], &w);
    break;
  case JOURNAL_OUTCOME:
    write_outcome(&rec->outcome, &w);
    break;
  case JOURNAL_END:
    write_end(&rec->end, &w);
    break;
  case JOURNAL_APPROVAL:
    write_approval(&rec->approval, &w);
    break;
  }
  jsonw_object_end(&w);
  if(!rc)
    rc = w.rc;
  return rc ? rc : db_add(out, "\n", 1);
}

/* ---- reading ------------------------------------------------------------------------- */

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

/* o[key] as a string: required ones must be there and strings; optional
 * ones may be missing or null. */
static const char *text_of(struct reader *r, struct json_object *o, const char *key,
                           bool required)
{
  struct json_object *v;
  if(!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
    if(required)
      complain(r, key, "is missing");
    return NULL;
  }
  if(!json_object_is_type(v, json_type_string)) {
    complain(r, key, "is not a string");
    return NULL;
  }
  return json_object_get_string(v);
}

static const char *need(struct reader *r, const char *key)
{
  return text_of(r, r->o, key, true);
}

static const char *maybe(struct reader *r, const char *key)
{
  return text_of(r, r->o, key, false);
}

static uint64_t number(struct reader *r, const char *key, bool required)
{
  struct json_object *v;
  if(!json_object_object_get_ex(r->o, key, &v)) {
    if(required)
      complain(r, key, "is missing");
    return 0;
  }
  if(!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0) {
    complain(r, key, "is not a number");
    return 0;
  }
  return json_object_get_uint64(v);
}

static void read_begin(struct reader *r, struct journal_begin *b)
{
  b->run = maybe(r, "run");
  b->plan = maybe(r, "plan");
  b->started = maybe(r, "started");
  b->pid = (int64_t)number(r, "pid", false);
}

static lethe_rc read_settings(struct reader *r, struct journal_rule *rule,
                              struct lethe_setting **settings)
{
  struct json_object *o;
  size_t n = 0;
  if(!json_object_object_get_ex(r->o, "settings", &o) ||
     !json_object_is_type(o, json_type_object))
    return LETHE_OK;
  *settings = calloc((size_t)json_object_object_length(o) + 1, sizeof(**settings));
  if(!*settings)
    return LETHE_E_NOMEM;
  json_object_object_foreach(o, key, value) {
    if(!json_object_is_type(value, json_type_string))
      continue;
    (*settings)[n].key = key;
    (*settings)[n++].value = json_object_get_string(value);
  }
  rule->settings = *settings;
  rule->n_settings = n;
  return LETHE_OK;
}

static lethe_rc read_rule(struct reader *r, struct journal_rule *rule,
                          struct lethe_setting **settings)
{
  rule->name = need(r, "name");
  rule->description = maybe(r, "description");
  rule->basis = maybe(r, "basis");
  rule->source = maybe(r, "source");
  rule->action = maybe(r, "action");
  rule->clock = maybe(r, "clock");
  rule->retain = maybe(r, "retain");
  rule->plugin_method = maybe(r, "plugin_method");
  rule->plugin_version = maybe(r, "plugin_version");
  return read_settings(r, rule, settings);
}

static void read_clock(struct reader *r, struct journal_item *it)
{
  struct json_object *clock;
  if(!json_object_object_get_ex(r->o, "clock", &clock) ||
     !json_object_is_type(clock, json_type_object))
    return;
  it->has_clock = true;
  it->clock_name = text_of(r, clock, "name", false);
  it->clock_value = text_of(r, clock, "value", false);
}

static void read_item(struct reader *r, struct journal_item *it, bool intent)
{
  const char *kind = maybe(r, "kind"), *store = maybe(r, "store");
  it->seq = number(r, "seq", intent);
  it->action = maybe(r, "action");
  it->rule = need(r, "rule");
  read_clock(r, it);
  it->identity = maybe(r, "identity");
  it->kind = ITEM_FILE;
  if(kind && !item_kind_parse(kind, &it->kind))
    complain(r, "kind", "names no kind of item");
  it->store = LETHE_STORE_FILE;
  if(store && !item_store_parse(store, &it->store))
    complain(r, "store", "names no store");
  it->message_id_sha256 = maybe(r, "message_id_sha256");
  it->path = maybe(r, "path");
  it->uri = maybe(r, "uri");
  it->plan_uri = maybe(r, "plan_uri");
  it->root = maybe(r, "root");
  it->subject = maybe(r, "subject");
  it->size = number(r, "size", false);
  it->tmpname = maybe(r, "tmpname");
  it->result = intent ? NULL : need(r, "result");
  it->reason = intent ? NULL : maybe(r, "reason");
}

static void read_outcome(struct reader *r, struct journal_outcome *o)
{
  struct json_object *v;
  o->seq = number(r, "seq", true);
  o->result = need(r, "result");
  o->at = maybe(r, "at");
  o->method = maybe(r, "method");
  o->level = maybe(r, "level");
  o->level_reason = maybe(r, "level_reason");
  o->error = maybe(r, "error");
  if(json_object_object_get_ex(r->o, "detail", &v) && json_object_is_type(v, json_type_object))
    o->detail = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
                                               JSON_C_TO_STRING_NOSLASHESCAPE);
  o->recovered = json_object_object_get_ex(r->o, "recovered", &v) &&
                 json_object_get_boolean(v);
}

static void read_end(struct reader *r, struct journal_end *e)
{
  e->finished = maybe(r, "finished");
  e->status = maybe(r, "status");
}

static void read_approval(struct reader *r, struct journal_approval *a)
{
  a->approved_at = need(r, "approved_at");
  a->fingerprint = need(r, "fingerprint");
  a->principal = need(r, "principal");
  a->message = need(r, "message");
  a->signature = need(r, "signature");
}

static bool read_type(struct reader *r, enum journal_type *out)
{
  const char *type = need(r, "type");
  for(size_t i = 0; type && i < N_TYPES; i++) {
    if(!strcmp(type, type_names[i])) {
      *out = (enum journal_type)i;
      return true;
    }
  }
  if(type)
    complain(r, "type", "names no kind of record");
  return false;
}

lethe_rc journal_record_read(struct json_object *o, struct journal_record *rec,
                             struct lethe_setting **settings, char *why, size_t n)
{
  struct reader r = { o, why, n, false };
  lethe_rc rc = LETHE_OK;
  memset(rec, 0, sizeof(*rec));
  *settings = NULL;
  if(!read_type(&r, &rec->type))
    return LETHE_E_PARSE;
  switch(rec->type) {
  case JOURNAL_BEGIN:
    read_begin(&r, &rec->begin);
    break;
  case JOURNAL_RULE:
    rc = read_rule(&r, &rec->rule, settings);
    break;
  case JOURNAL_INTENT:
  case JOURNAL_SKIP:
    read_item(&r, &rec->item, rec->type == JOURNAL_INTENT);
    break;
  case JOURNAL_OUTCOME:
    read_outcome(&r, &rec->outcome);
    break;
  case JOURNAL_END:
    read_end(&r, &rec->end);
    break;
  case JOURNAL_APPROVAL:
    read_approval(&r, &rec->approval);
    break;
  }
  return rc ? rc : r.bad ? LETHE_E_PARSE : LETHE_OK;
}

/* ---- copies ---------------------------------------------------------------------------- */

lethe_rc journal_item_copy(const struct journal_item *src, struct journal_item *dst)
{
  const char **const fields[] = {
    &dst->action, &dst->rule, &dst->clock_name, &dst->clock_value, &dst->identity,
    &dst->message_id_sha256, &dst->path, &dst->uri, &dst->plan_uri, &dst->root,
    &dst->subject, &dst->tmpname, &dst->result, &dst->reason,
  };
  *dst = *src;
  return strpack(fields, sizeof(fields) / sizeof(fields[0]), &dst->block);
}

void journal_item_release(struct journal_item *item)
{
  free(item->block);
  memset(item, 0, sizeof(*item));
}

lethe_rc journal_rule_copy(const struct journal_rule *src, struct journal_rule_copy *dst)
{
  size_t n = src->n_settings, k = 0;
  const char ***fields;
  struct journal_rule *r = &dst->rule;
  lethe_rc rc;
  memset(dst, 0, sizeof(*dst));
  *r = *src;
  dst->settings = calloc(n + 1, sizeof(*dst->settings));
  fields = calloc(9 + 2 * n, sizeof(*fields));
  if(!dst->settings || !fields) {
    free(fields);
    free(dst->settings);
    dst->settings = NULL;
    return LETHE_E_NOMEM;
  }
  fields[k++] = &r->name;
  fields[k++] = &r->description;
  fields[k++] = &r->basis;
  fields[k++] = &r->source;
  fields[k++] = &r->action;
  fields[k++] = &r->clock;
  fields[k++] = &r->retain;
  fields[k++] = &r->plugin_method;
  fields[k++] = &r->plugin_version;
  for(size_t i = 0; i < n; i++) {
    dst->settings[i] = src->settings[i];
    fields[k++] = &dst->settings[i].key;
    fields[k++] = &dst->settings[i].value;
  }
  rc = strpack((const char **const *)fields, k, &dst->block);
  free(fields);
  r->settings = dst->settings;
  return rc;
}

void journal_rule_release(struct journal_rule_copy *c)
{
  free(c->block);
  free(c->settings);
  memset(c, 0, sizeof(*c));
}

const char *journal_rule_setting(const struct journal_rule *r, const char *key)
{
  for(size_t i = 0; i < r->n_settings; i++)
    if(!strcmp(r->settings[i].key, key))
      return r->settings[i].value;
  return NULL;
}

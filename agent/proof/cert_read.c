/* Reading a certificate file as it streams (see cert_read.h). The scanner's
 * events are sorted by depth: 1 the top level, 2 an item or a table entry,
 * 3 an item's value, 4 inside a lethe-certificate/1 item's clock. */
#include "cert_read.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strpack.h"

enum { IN_NONE, IN_ITEMS, IN_GROUPS, IN_DETAILS, IN_COLUMNS, IN_OTHER };

/* An item's strings (indexes into r->at). */
enum field {
  F_URI, F_SUBJECT, F_RESULT, F_DELETED_AT, F_ERROR, F_REASON, F_CLOCK_NAME, F_CLOCK_VALUE,
  F_RULE, F_PLUGIN, F_METHOD, F_LEVEL, F_LEVEL_REASON, F_KIND, F_STORE, F_MESSAGE_ID,
  F_DETAIL, F__COUNT
};

/* A lethe-certificate/1 item's members that are strings. */
static const struct {
  const char *name;
  enum field f;
} object_fields[] = {
  { "uri", F_URI }, { "subject", F_SUBJECT }, { "result", F_RESULT },
  { "deleted_at", F_DELETED_AT }, { "error", F_ERROR }, { "reason", F_REASON },
  { "rule", F_RULE }, { "plugin", F_PLUGIN }, { "method", F_METHOD }, { "level", F_LEVEL },
  { "level_reason", F_LEVEL_REASON }, { "kind", F_KIND }, { "store", F_STORE },
  { "message_id_sha256", F_MESSAGE_ID },
};

/* A row's columns that are strings. */
static const enum field column_fields[CERT_COL__COUNT] = {
  [CERT_COL_GROUP] = F__COUNT, [CERT_COL_URI] = F_URI, [CERT_COL_RESULT] = F_RESULT,
  [CERT_COL_SIZE] = F__COUNT, [CERT_COL_SUBJECT] = F_SUBJECT,
  [CERT_COL_CLOCK_VALUE] = F_CLOCK_VALUE, [CERT_COL_DELETED_AT] = F_DELETED_AT,
  [CERT_COL_ERROR] = F_ERROR, [CERT_COL_REASON] = F_REASON, [CERT_COL_DETAIL] = F__COUNT,
  [CERT_COL_MESSAGE_ID] = F_MESSAGE_ID,
};

static lethe_rc on_event(void *ctx, const struct canon_event *ev);

void cert_reader_init(struct cert_reader *r, bool strict, cert_item_fn fn, void *ctx)
{
  memset(r, 0, sizeof(*r));
  canon_scan_init(&r->scan, strict, on_event, r);
  r->fn = fn;
  r->ctx = ctx;
  r->meta = json_object_new_object();
  db_init(&r->text, 4 * CANON_TOKEN_MAX);
}

static void release_tables(struct cert_reader *r)
{
  for(size_t i = 0; i < r->n_groups; i++)
    free(r->groups[i].block);
  for(size_t i = 0; i < r->n_details; i++)
    free(r->details[i]);
  free(r->groups);
  free(r->details);
  r->groups = NULL;
  r->details = NULL;
  r->n_groups = r->cap_groups = r->n_details = r->cap_details = 0;
}

void cert_reader_release(struct cert_reader *r)
{
  canon_scan_release(&r->scan);
  json_object_put(r->meta);
  release_tables(r);
  db_release(&r->text);
  memset(r, 0, sizeof(*r));
}

void cert_reader_again(struct cert_reader *r, cert_item_fn fn, void *ctx)
{
  bool strict = r->scan.strict;
  canon_scan_release(&r->scan);
  canon_scan_init(&r->scan, strict, on_event, r);
  json_object_put(r->meta);
  r->meta = json_object_new_object();
  r->fn = fn;
  r->ctx = ctx;
  r->tables_kept = true;
  r->n_items = 0;
  r->why[0] = '\0';
}

const char *cert_reader_why(const struct cert_reader *r)
{
  return r->why[0] ? r->why : canon_scan_why(&r->scan);
}

struct json_object *cert_reader_get(const struct cert_reader *r, const char *key)
{
  struct json_object *v;
  return json_object_object_get_ex(r->meta, key, &v) ? v : NULL;
}

const char *cert_reader_str(const struct cert_reader *r, const char *key)
{
  struct json_object *v = cert_reader_get(r, key);
  return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static lethe_rc bad(struct cert_reader *r, const char *fmt, ...) PRINTF(2, 3);

static lethe_rc bad(struct cert_reader *r, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->why, sizeof(r->why), fmt, ap);
  va_end(ap);
  return LETHE_E_PARSE;
}

/* ---- the top level ------------------------------------------------------- */

static struct json_object *parse_raw(const char *raw, size_t n)
{
  struct json_tokener *tok = json_tokener_new();
  struct json_object *o = tok ? json_tokener_parse_ex(tok, raw, (int)n) : NULL;
  json_tokener_free(tok);
  return o;
}

static struct json_object *scalar(const struct canon_event *ev)
{
  switch(ev->type) {
  case CANON_STRING:
    return json_object_new_string_len(ev->text, (int)ev->len);
  case CANON_NUMBER:
    if(strpbrk(ev->text, ".eE"))
      return json_object_new_double(strtod(ev->text, NULL));
    if(ev->text[0] == '-')
      return json_object_new_int64(strtoll(ev->text, NULL, 10));
    return json_object_new_uint64(strtoull(ev->text, NULL, 10));
  case CANON_TRUE:
  case CANON_FALSE:
    return json_object_new_boolean(ev->type == CANON_TRUE);
  default:
    return NULL;
  }
}

static lethe_rc keep_meta(struct cert_reader *r, struct json_object *v)
{
  return json_object_object_add(r->meta, r->key, v) ? LETHE_E_NOMEM : LETHE_OK;
}

static lethe_rc read_columns(struct cert_reader *r, const char *raw, size_t n)
{
  struct json_object *a = parse_raw(raw, n);
  size_t k = a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
  if(!a || k > sizeof(r->column) / sizeof(r->column[0])) {
    json_object_put(a);
    return bad(r, "\"columns\" is not a short list of names");
  }
  r->n_columns = k;
  for(size_t i = 0; i < k; i++) {
    const char *name = json_object_get_string(json_object_array_get_idx(a, i));
    r->column[i] = -1;
    for(int c = 0; name && c < CERT_COL__COUNT; c++)
      if(!strcmp(name, cert_column_name((enum cert_column)c)))
        r->column[i] = c;
  }
  json_object_put(a);
  return LETHE_OK;
}

static lethe_rc top_value(struct cert_reader *r, const struct canon_event *ev)
{
  static const char *const names[] = { [IN_ITEMS] = "items", [IN_GROUPS] = "groups",
                                       [IN_DETAILS] = "details", [IN_COLUMNS] = "columns" };
  r->in = IN_OTHER;
  for(int i = IN_ITEMS; i <= IN_COLUMNS; i++)
    if(!strcmp(r->key, names[i]))
      r->in = i;
  if(r->in != IN_OTHER && ev->type != CANON_ARRAY)
    return bad(r, "\"%s\" is not an array", r->key);
  if(r->in == IN_COLUMNS || (r->in == IN_OTHER && (ev->type == CANON_OBJECT ||
                                                   ev->type == CANON_ARRAY))) {
    canon_scan_capture(&r->scan);
    return LETHE_OK;
  }
  if(r->in != IN_OTHER)
    return LETHE_OK;
  return keep_meta(r, scalar(ev));
}

static lethe_rc top_end(struct cert_reader *r, const struct canon_event *ev)
{
  int in = r->in;
  r->in = IN_NONE;
  if(in == IN_COLUMNS)
    return read_columns(r, ev->raw, ev->raw_len);
  if(in != IN_OTHER)
    return LETHE_OK;
  return keep_meta(r, parse_raw(ev->raw, ev->raw_len));
}

/* ---- tables -------------------------------------------------------------- */

static const char *member(struct json_object *o, const char *key)
{
  struct json_object *v;
  if(!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
    return NULL;
  return json_object_get_string(v);
}

static lethe_rc add_group(struct cert_reader *r, const char *raw, size_t n)
{
  struct json_object *o = parse_raw(raw, n), *rec;
  struct cert_group *g;
  lethe_rc rc;
  if(!json_object_is_type(o, json_type_object)) {
    json_object_put(o);
    return bad(r, "group %zu is not an object", r->n_groups);
  }
  if(r->n_groups == r->cap_groups) {
    size_t cap = r->cap_groups ? r->cap_groups * 2 : 16;
    struct cert_group *v = realloc(r->groups, cap * sizeof(*v));
    if(!v) {
      json_object_put(o);
      return LETHE_E_NOMEM;
    }
    r->groups = v;
    r->cap_groups = cap;
  }
  g = &r->groups[r->n_groups];
  *g = (struct cert_group){
    .clock = member(o, "clock"), .kind = member(o, "kind"), .level = member(o, "level"),
    .level_reason = member(o, "level_reason"), .method = member(o, "method"),
    .plugin = member(o, "plugin"), .rule = member(o, "rule"), .store = member(o, "store"),
    .recovered = json_object_object_get_ex(o, "recovered", &rec) &&
                 json_object_get_boolean(rec),
  };
  {
    const char **const fields[] = { &g->clock, &g->kind, &g->level, &g->level_reason,
                                    &g->method, &g->plugin, &g->rule, &g->store };
    rc = strpack(fields, sizeof(fields) / sizeof(fields[0]), &g->block);
  }
  json_object_put(o);
  if(!rc)
    r->n_groups++;
  return rc;
}

static lethe_rc add_detail(struct cert_reader *r, const char *raw, size_t n)
{
  char *copy;
  if(r->n_details == r->cap_details) {
    size_t cap = r->cap_details ? r->cap_details * 2 : 16;
    char **v = realloc(r->details, cap * sizeof(*v));
    if(!v)
      return LETHE_E_NOMEM;
    r->details = v;
    r->cap_details = cap;
  }
  copy = strndup(raw, n);
  if(!copy)
    return LETHE_E_NOMEM;
  r->details[r->n_details++] = copy;
  return LETHE_OK;
}

static lethe_rc table_entry(struct cert_reader *r, const struct canon_event *ev)
{
  if(ev->type == CANON_OBJECT) {
    canon_scan_capture(&r->scan);
    return LETHE_OK;
  }
  if(ev->type != CANON_OBJECT_END)
    return bad(r, "%s entry %zu is not an object", r->in == IN_GROUPS ? "a group" : "a detail",
               ev->index);
  if(r->tables_kept)
    return LETHE_OK;
  if(r->in == IN_GROUPS)
    return add_group(r, ev->raw, ev->raw_len);
  return add_detail(r, ev->raw, ev->raw_len);
}

/* ---- items --------------------------------------------------------------- */

static void item_start(struct cert_reader *r, bool row)
{
  r->row = row;
  db_reset(&r->text);
  for(size_t i = 0; i < F__COUNT; i++)
    r->at[i] = SIZE_MAX;
  r->size = r->group = 0;
  r->detail = -1;
  r->recovered = r->has_group = false;
  r->field[0] = '\0';
}

static lethe_rc set_text(struct cert_reader *r, enum field f, const char *s, size_t n)
{
  size_t at = r->text.len;
  if(db_add(&r->text, s, n) || db_add(&r->text, "", 1))
    return bad(r, "item %" PRIu64 " is too long", r->n_items);
  r->at[f] = at;
  return LETHE_OK;
}

static const char *text_at(const struct cert_reader *r, enum field f)
{
  return r->at[f] == SIZE_MAX ? NULL : r->text.mem + r->at[f];
}

static bool number_of(const struct canon_event *ev, uint64_t *out)
{
  if(ev->type != CANON_NUMBER || ev->text[0] == '-' || strpbrk(ev->text, ".eE"))
    return false;
  *out = strtoull(ev->text, NULL, 10);
  return true;
}

/* A value of a row: by its column. */
static lethe_rc row_value(struct cert_reader *r, const struct canon_event *ev)
{
  int c = ev->index < r->n_columns ? r->column[ev->index] : -1;
  uint64_t n = 0;
  if(c < 0 || ev->type == CANON_NULL)
    return LETHE_OK;
  if(c == CERT_COL_GROUP || c == CERT_COL_SIZE || c == CERT_COL_DETAIL) {
    if(!number_of(ev, &n))
      return bad(r, "item %" PRIu64 ": its %s is not a number", r->n_items,
                 cert_column_name((enum cert_column)c));
    if(c == CERT_COL_GROUP)
      r->group = n, r->has_group = true;
    else if(c == CERT_COL_SIZE)
      r->size = n;
    else
      r->detail = n > (uint64_t)LONG_MAX ? LONG_MAX : (long)n;
    return LETHE_OK;
  }
  if(ev->type != CANON_STRING)
    return bad(r, "item %" PRIu64 ": its %s is not a string", r->n_items,
               cert_column_name((enum cert_column)c));
  return set_text(r, column_fields[c], ev->text, ev->len);
}

/* A member of a lethe-certificate/1 item. */
static lethe_rc object_value(struct cert_reader *r, const struct canon_event *ev)
{
  if(!strcmp(r->field, "clock") || !strcmp(r->field, "detail")) {
    if(ev->type == CANON_OBJECT && r->field[0] == 'd')
      canon_scan_capture(&r->scan);
    return LETHE_OK;
  }
  if(!strcmp(r->field, "size"))
    return number_of(ev, &r->size) || ev->type == CANON_NULL
           ? LETHE_OK : bad(r, "item %" PRIu64 ": its size is not a number", r->n_items);
  if(!strcmp(r->field, "recovered")) {
    r->recovered = ev->type == CANON_TRUE;
    return LETHE_OK;
  }
  for(size_t i = 0; i < sizeof(object_fields) / sizeof(object_fields[0]); i++)
    if(!strcmp(r->field, object_fields[i].name) && ev->type == CANON_STRING)
      return set_text(r, object_fields[i].f, ev->text, ev->len);
  return LETHE_OK;
}

/* Inside the item's clock or detail. */
static lethe_rc nested_value(struct cert_reader *r, const struct canon_event *ev)
{
  if(ev->depth == 3 && ev->type == CANON_OBJECT_END && r->field[0] == 'd' && ev->raw)
    return set_text(r, F_DETAIL, ev->raw, ev->raw_len);
  if(ev->depth != 4 || strcmp(r->field, "clock"))
    return LETHE_OK;
  if(ev->type == CANON_KEY) {
    snprintf(r->clock_field, sizeof(r->clock_field), "%s", ev->text);
    return LETHE_OK;
  }
  if(ev->type == CANON_STRING && !strcmp(r->clock_field, "name"))
    return set_text(r, F_CLOCK_NAME, ev->text, ev->len);
  if(ev->type == CANON_STRING && !strcmp(r->clock_field, "value"))
    return set_text(r, F_CLOCK_VALUE, ev->text, ev->len);
  return LETHE_OK;
}

/* A row's group and detail, from the tables. */
static lethe_rc resolve_row(struct cert_reader *r, struct cert_item *it)
{
  const struct cert_group *g;
  if(!r->has_group || r->group >= r->n_groups)
    return bad(r, "item %" PRIu64 " names group %" PRIu64 ", which the file does not have",
               r->n_items, r->group);
  if(r->detail >= 0 && (size_t)r->detail >= r->n_details)
    return bad(r, "item %" PRIu64 " names detail %ld, which the file does not have",
               r->n_items, r->detail);
  g = &r->groups[r->group];
  it->clock_name = g->clock;
  it->kind = g->kind;
  it->level = g->level;
  it->level_reason = g->level_reason;
  it->method = g->method;
  it->plugin = g->plugin;
  it->rule = g->rule;
  it->store = g->store;
  it->recovered = g->recovered;
  it->detail = r->detail >= 0 ? r->details[r->detail] : NULL;
  return LETHE_OK;
}

static lethe_rc item_end(struct cert_reader *r)
{
  struct cert_item it = {
    .uri = text_at(r, F_URI), .subject = text_at(r, F_SUBJECT),
    .result = text_at(r, F_RESULT), .deleted_at = text_at(r, F_DELETED_AT),
    .error = text_at(r, F_ERROR), .reason = text_at(r, F_REASON),
    .clock_name = text_at(r, F_CLOCK_NAME), .clock_value = text_at(r, F_CLOCK_VALUE),
    .rule = text_at(r, F_RULE), .plugin = text_at(r, F_PLUGIN), .method = text_at(r, F_METHOD),
    .level = text_at(r, F_LEVEL), .level_reason = text_at(r, F_LEVEL_REASON),
    .kind = text_at(r, F_KIND), .store = text_at(r, F_STORE),
    .message_id_sha256 = text_at(r, F_MESSAGE_ID), .detail = text_at(r, F_DETAIL),
    .size = r->size, .recovered = r->recovered,
  };
  lethe_rc rc = LETHE_OK;
  if(r->fn && r->row)
    rc = resolve_row(r, &it);
  if(!rc && r->fn)
    rc = r->fn(r->ctx, &it);
  r->n_items++;
  return rc;
}

static lethe_rc item_event(struct cert_reader *r, const struct canon_event *ev)
{
  if(ev->depth == 2) {
    if(ev->type == CANON_OBJECT || ev->type == CANON_ARRAY) {
      item_start(r, ev->type == CANON_ARRAY);
      return LETHE_OK;
    }
    if(ev->type == CANON_OBJECT_END || ev->type == CANON_ARRAY_END)
      return item_end(r);
    return bad(r, "item %zu is neither an object nor a row", ev->index);
  }
  if(ev->depth == 3 && r->row)
    return ev->type == CANON_ARRAY_END || ev->type == CANON_OBJECT_END ? LETHE_OK
                                                                       : row_value(r, ev);
  if(ev->depth == 3 && ev->type == CANON_KEY) {
    snprintf(r->field, sizeof(r->field), "%s", ev->text);
    return LETHE_OK;
  }
  if(ev->depth == 3 && ev->type != CANON_OBJECT_END && ev->type != CANON_ARRAY_END)
    return object_value(r, ev);
  return nested_value(r, ev);
}

/* ---- events -------------------------------------------------------------- */

static lethe_rc on_event(void *ctx, const struct canon_event *ev)
{
  struct cert_reader *r = ctx;
  if(ev->depth == 0)
    return ev->type == CANON_OBJECT || ev->type == CANON_OBJECT_END
           ? LETHE_OK : bad(r, "not a JSON object");
  if(ev->depth == 1) {
    if(ev->type == CANON_KEY) {
      snprintf(r->key, sizeof(r->key), "%s", ev->text);
      return LETHE_OK;
    }
    if(ev->type == CANON_OBJECT_END || ev->type == CANON_ARRAY_END)
      return top_end(r, ev);
    return top_value(r, ev);
  }
  if(r->in == IN_ITEMS)
    return item_event(r, ev);
  if((r->in == IN_GROUPS || r->in == IN_DETAILS) && ev->depth == 2)
    return table_entry(r, ev);
  return LETHE_OK;
}

lethe_rc cert_reader_feed(struct cert_reader *r, const void *data, size_t n)
{
  return canon_scan_feed(&r->scan, data, n);
}

lethe_rc cert_reader_finish(struct cert_reader *r)
{
  return canon_scan_finish(&r->scan);
}

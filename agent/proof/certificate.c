/* A run's certificate from its journal, and canonical JSON. */
#include "certificate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"

/* ---- reading the journal ----------------------------------------------- */

/* One item: an intent (with its outcome once read) or a skip. */
struct entry {
  struct json_object *rec;      /* intent or skip */
  struct json_object *outcome;  /* NULL for skips and unresolved intents */
  uint64_t seq;
  bool skip;
};

struct collector {
  struct json_object *begin, *end;
  struct json_object *rules;    /* array of rule objects */
  struct entry *v;
  size_t n, cap;
};

static struct json_object *field(struct json_object *o, const char *key)
{
  struct json_object *v;
  if(!o || !json_object_object_get_ex(o, key, &v))
    return NULL;
  return v;
}

static const char *str(struct json_object *o, const char *key)
{
  struct json_object *v = field(o, key);
  return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* A copy of o[key] for the certificate (a new reference), or null. */
static struct json_object *take(struct json_object *o, const char *key)
{
  return json_object_get(field(o, key));
}

static struct json_object *str_or_null(const char *s)
{
  return s ? json_object_new_string(s) : NULL;
}

/* An intent or skip record as the object item_object reads. */
static struct json_object *item_as_object(const struct journal_item *it)
{
  struct json_object *o = json_object_new_object();
  if(it->has_clock) {
    struct json_object *clock = json_object_new_object();
    json_object_object_add(clock, "name", str_or_null(it->clock_name));
    json_object_object_add(clock, "value", str_or_null(it->clock_value));
    json_object_object_add(o, "clock", clock);
  }
  json_object_object_add(o, "action", str_or_null(it->action));
  json_object_object_add(o, "kind", json_object_new_string(item_kind_name(it->kind)));
  if(it->message_id_sha256)
    json_object_object_add(o, "message_id_sha256", json_object_new_string(it->message_id_sha256));
  json_object_object_add(o, "reason", str_or_null(it->reason));
  json_object_object_add(o, "result", str_or_null(it->result));
  json_object_object_add(o, "rule", str_or_null(it->rule));
  json_object_object_add(o, "size", json_object_new_uint64(it->size));
  json_object_object_add(o, "store", json_object_new_string(item_store_name(it->store)));
  json_object_object_add(o, "subject", str_or_null(it->subject));
  json_object_object_add(o, "uri", str_or_null(it->uri));
  return o;
}

static struct json_object *outcome_as_object(const struct journal_outcome *out)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "at", str_or_null(out->at));
  if(out->detail)
    json_object_object_add(o, "detail", json_tokener_parse(out->detail));
  json_object_object_add(o, "error", str_or_null(out->error));
  json_object_object_add(o, "level", str_or_null(out->level));
  json_object_object_add(o, "level_reason", str_or_null(out->level_reason));
  json_object_object_add(o, "method", str_or_null(out->method));
  json_object_object_add(o, "recovered", json_object_new_boolean(out->recovered));
  json_object_object_add(o, "result", str_or_null(out->result));
  return o;
}

static lethe_rc add_entry(struct collector *col, const struct journal_item *it, bool skip)
{
  if(col->n == col->cap) {
    size_t cap = col->cap ? col->cap * 2 : 64;
    struct entry *v = realloc(col->v, cap * sizeof(*v));
    if(!v)
      return LETHE_E_NOMEM;
    col->v = v;
    col->cap = cap;
  }
  col->v[col->n++] = (struct entry){ .rec = item_as_object(it), .seq = it->seq, .skip = skip };
  return LETHE_OK;
}

/* Outcomes follow their intents within a batch: search from the end. */
static void add_outcome(struct collector *col, const struct journal_outcome *out)
{
  for(size_t i = col->n; i-- > 0;) {
    struct entry *e = &col->v[i];
    if(!e->skip && e->seq == out->seq && !e->outcome) {
      e->outcome = outcome_as_object(out);
      return;
    }
  }
}

static struct json_object *rule_object(const struct journal_rule *r)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "action", str_or_null(r->action));
  json_object_object_add(o, "basis", str_or_null(r->basis));
  json_object_object_add(o, "clock", str_or_null(r->clock));
  json_object_object_add(o, "description", str_or_null(r->description));
  json_object_object_add(o, "method", str_or_null(r->plugin_method));
  json_object_object_add(o, "name", str_or_null(r->name));
  json_object_object_add(o, "plugin_version", str_or_null(r->plugin_version));
  json_object_object_add(o, "retain", str_or_null(r->retain));
  json_object_object_add(o, "source", str_or_null(r->source));
  return o;
}

static struct json_object *begin_object(const struct journal_begin *b)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "plan", str_or_null(b->plan));
  json_object_object_add(o, "run", str_or_null(b->run));
  json_object_object_add(o, "started", str_or_null(b->started));
  return o;
}

static struct json_object *end_object(const struct journal_end *e)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "finished", str_or_null(e->finished));
  json_object_object_add(o, "status", str_or_null(e->status));
  return o;
}

static lethe_rc on_record(void *ctx, const struct journal_record *rec, int line)
{
  struct collector *col = ctx;
  (void)line;
  switch(rec->type) {
  case JOURNAL_BEGIN:
    if(!col->begin)
      col->begin = begin_object(&rec->begin);
    return LETHE_OK;
  case JOURNAL_END:
    json_object_put(col->end); /* the last one counts */
    col->end = end_object(&rec->end);
    return LETHE_OK;
  case JOURNAL_RULE:
    return json_object_array_add(col->rules, rule_object(&rec->rule)) ? LETHE_E_NOMEM
                                                                        : LETHE_OK;
  case JOURNAL_INTENT:
    return add_entry(col, &rec->item, false);
  case JOURNAL_SKIP:
    return add_entry(col, &rec->item, true);
  case JOURNAL_OUTCOME:
    add_outcome(col, &rec->outcome);
    return LETHE_OK;
  }
  return LETHE_OK;
}

static void collector_release(struct collector *col)
{
  for(size_t i = 0; i < col->n; i++) {
    json_object_put(col->v[i].rec);
    json_object_put(col->v[i].outcome);
  }
  free(col->v);
  json_object_put(col->begin);
  json_object_put(col->end);
  json_object_put(col->rules);
}

/* ---- building the certificate ------------------------------------------ */

/* The result of an entry, normalised to deleted, failed, skipped, held. */
static const char *result_of(const struct entry *e)
{
  const char *r = str(e->skip ? e->rec : e->outcome, "result");
  if(!r || (strcmp(r, "deleted") && strcmp(r, "skipped") && strcmp(r, "held")))
    return "failed";
  return r;
}

static void count_item(struct certificate *c, const char *result, struct json_object *rec,
                       uint64_t *bytes)
{
  c->items++;
  if(!strcmp(result, "deleted")) {
    c->deleted++;
    *bytes += field(rec, "size") ? json_object_get_uint64(field(rec, "size")) : 0;
  }
  else if(!strcmp(result, "failed")) {
    c->failed++;
  }
  else if(!strcmp(result, "held")) {
    c->held++;
  }
  else {
    c->skipped++;
  }
}

/* Why an item was not deleted, or what went wrong. */
static void add_why(struct json_object *o, const struct entry *e, const char *result)
{
  const char *error = NULL, *reason = NULL;
  if(!strcmp(result, "failed")) {
    error = str(e->outcome, "error");
    if(!error)
      error = e->outcome ? "the plugin reported no error text"
                         : "no outcome recorded in the journal";
  }
  else if(strcmp(result, "deleted")) {
    reason = e->skip ? str(e->rec, "reason") : str(e->outcome, "error");
    if(!reason)
      reason = "no reason recorded";
  }
  json_object_object_add(o, "error", str_or_null(error));
  json_object_object_add(o, "reason", str_or_null(reason));
}

static struct json_object *item_object(struct certificate *c, const struct entry *e,
                                       uint64_t *bytes)
{
  struct json_object *o = json_object_new_object(), *out = e->outcome, *detail;
  const char *result = result_of(e), *level = str(out, "level");
  struct json_object *recovered = field(out, "recovered");
  count_item(c, result, e->rec, bytes);
  json_object_object_add(o, "clock", take(e->rec, "clock"));
  json_object_object_add(o, "deleted_at", strcmp(result, "deleted") ? NULL
                                                                    : take(out, "at"));
  detail = field(out, "detail");
  if(detail && !json_object_is_type(detail, json_type_null))
    json_object_object_add(o, "detail", json_object_get(detail));
  add_why(o, e, result);
  json_object_object_add(o, "kind", take(e->rec, "kind"));
  json_object_object_add(o, "level", json_object_new_string(level ? level : "none"));
  json_object_object_add(o, "level_reason", take(out, "level_reason"));
  if(field(e->rec, "message_id_sha256"))
    json_object_object_add(o, "message_id_sha256", take(e->rec, "message_id_sha256"));
  json_object_object_add(o, "method", take(out, "method"));
  json_object_object_add(o, "plugin", take(e->rec, "action"));
  json_object_object_add(o, "recovered", json_object_new_boolean(
                            recovered && json_object_get_boolean(recovered)));
  json_object_object_add(o, "result", json_object_new_string(result));
  json_object_object_add(o, "rule", take(e->rec, "rule"));
  json_object_object_add(o, "size", take(e->rec, "size"));
  json_object_object_add(o, "store", take(e->rec, "store"));
  json_object_object_add(o, "subject", take(e->rec, "subject"));
  json_object_object_add(o, "uri", take(e->rec, "uri"));
  if(recovered && json_object_get_boolean(recovered))
    c->recovered = true;
  return o;
}

static struct json_object *totals_object(const struct certificate *c, uint64_t bytes)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "bytes_deleted", json_object_new_uint64(bytes));
  json_object_object_add(o, "deleted", json_object_new_uint64(c->deleted));
  json_object_object_add(o, "failed", json_object_new_uint64(c->failed));
  json_object_object_add(o, "held", json_object_new_uint64(c->held));
  json_object_object_add(o, "items", json_object_new_uint64(c->items));
  json_object_object_add(o, "skipped", json_object_new_uint64(c->skipped));
  return o;
}

static lethe_rc note_rules(struct certificate *c, struct json_object *rules)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < json_object_array_length(rules) && !rc; i++) {
    const char *name = str(json_object_array_get_idx(rules, i), "name");
    rc = strlist_add(&c->rules, name ? name : "?");
  }
  return rc;
}

/* The run id: the "begin" record's, else the journal's file name. */
static lethe_rc run_id(struct certificate *c, struct collector *col, const char *name,
                       struct lethe_err *err)
{
  const char *id = str(col->begin, "run");
  size_t n = strcspn(name, ".");
  if(id && strlen(id) == UUID_TEXT_LEN - 1) {
    memcpy(c->id, id, UUID_TEXT_LEN);
    return LETHE_OK;
  }
  if(n != UUID_TEXT_LEN - 1 || strspn(name, "0123456789abcdef-") < n)
    return err_set(err, LETHE_E_PARSE, "journal %s: no run id", name);
  memcpy(c->id, name, n);
  c->id[n] = '\0';
  return LETHE_OK;
}

static lethe_rc build(struct certificate *c, struct collector *col, const char *name,
                      const struct cert_context *ctx, struct lethe_err *err)
{
  struct json_object *doc, *items = json_object_new_array();
  const char *status = str(col->end, "status"), *started = str(col->begin, "started");
  uint64_t bytes = 0;
  lethe_rc rc = run_id(c, col, name, err);
  if(rc) {
    json_object_put(items);
    return rc;
  }
  isotime_format(ctx->issued_at, c->issued_at);
  snprintf(c->started, sizeof(c->started), "%s", started ? started : "");
  c->ended = col->end != NULL;
  c->recovered = status && !strcmp(status, "recovered");
  for(size_t i = 0; i < col->n; i++)
    json_object_array_add(items, item_object(c, &col->v[i], &bytes));
  rc = note_rules(c, col->rules);
  c->doc = doc = json_object_new_object();
  json_object_object_add(doc, "agent_version", json_object_new_string(ctx->agent_version));
  json_object_object_add(doc, "finished", take(col->end, "finished"));
  json_object_object_add(doc, "host", json_object_new_string(ctx->host));
  json_object_object_add(doc, "id", json_object_new_string(c->id));
  json_object_object_add(doc, "issued_at", json_object_new_string(c->issued_at));
  json_object_object_add(doc, "items", items);
  json_object_object_add(doc, "operator", json_object_new_string(ctx->operator_name));
  json_object_object_add(doc, "plan_hash", take(col->begin, "plan"));
  json_object_object_add(doc, "previous", NULL);
  json_object_object_add(doc, "recovered", json_object_new_boolean(c->recovered));
  json_object_object_add(doc, "rules", json_object_get(col->rules));
  json_object_object_add(doc, "schema", json_object_new_string(CERTIFICATE_SCHEMA));
  json_object_object_add(doc, "started", take(col->begin, "started"));
  json_object_object_add(doc, "status", take(col->end, "status"));
  json_object_object_add(doc, "totals", totals_object(c, bytes));
  return rc;
}

static void certificate_init(struct certificate *c)
{
  memset(c, 0, sizeof(*c));
}

lethe_rc certificate_from_journal(struct certificate *c, int dirfd, const char *name,
                                  const struct cert_context *ctx, struct lethe_err *err)
{
  struct collector col = { .rules = json_object_new_array() };
  lethe_rc rc;
  certificate_init(c);
  rc = journal_read(dirfd, name, on_record, &col, NULL, err);
  if(!rc)
    rc = build(c, &col, name, ctx, err);
  collector_release(&col);
  return rc;
}

lethe_rc certificate_from_text(struct certificate *c, const char *text, size_t len,
                               const char *name, const struct cert_context *ctx,
                               struct lethe_err *err)
{
  struct collector col = { .rules = json_object_new_array() };
  lethe_rc rc;
  certificate_init(c);
  rc = journal_parse(text, len, name, on_record, &col, NULL, err);
  if(!rc)
    rc = build(c, &col, name, ctx, err);
  collector_release(&col);
  return rc;
}

lethe_rc certificate_set_previous(struct certificate *c, const char *hex)
{
  return json_object_object_add(c->doc, "previous", str_or_null(hex)) ? LETHE_E_NOMEM
                                                                         : LETHE_OK;
}

lethe_rc certificate_canonical(const struct certificate *c, struct dynbuf *out)
{
  lethe_rc rc = canonical_json(c->doc, out);
  return rc ? rc : db_add(out, "\n", 1);
}

void certificate_path(const struct certificate *c, char *buf, size_t size)
{
  snprintf(buf, size, CERTIFICATE_DIR "/%.4s/%.2s/%s.json", c->issued_at, c->issued_at + 5,
           c->id);
}

void certificate_release(struct certificate *c)
{
  json_object_put(c->doc);
  strlist_release(&c->rules);
  memset(c, 0, sizeof(*c));
}

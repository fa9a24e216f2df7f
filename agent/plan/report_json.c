/* The plan as one JSON document (schema lethe-plan/1, see lethe-plan(1)).
 * The header is built with json-c; the items are streamed from the spool so
 * the document's size never lives in memory. */
#include "report.h"

#include <json-c/json.h>
#include <string.h>
#include <unistd.h>

#include "isotime.h"
#include "text.h"

static const char *const decision_keys[DECISION__COUNT] = {
  "keep", "delete", "held", "grace", "skip", "report",
};

/* Rule texts come from files that need not be UTF-8; the report must be. */
static struct json_object *str_or_null(const char *s)
{
  struct dynbuf b;
  struct json_object *o;
  if(!s)
    return json_object_new_null();
  db_init(&b, 1024 * 1024);
  o = text_add_printable(&b, s, strlen(s)) ? NULL : json_object_new_string(db_str(&b));
  db_release(&b);
  return o ? o : json_object_new_null();
}

static struct json_object *time_or_null(bool has, int64_t t)
{
  char buf[ISOTIME_LEN];
  if(!has)
    return json_object_new_null();
  isotime_format(t, buf);
  return json_object_new_string(buf);
}

static struct json_object *counts(const uint64_t count[], const uint64_t bytes[])
{
  struct json_object *o = json_object_new_object();
  for(int d = 0; d < DECISION__COUNT; d++) {
    struct json_object *c;
    if(d == DECISION_REPORT && !count[d])
      continue; /* only plans with a report rule say "report" */
    c = json_object_new_object();
    json_object_object_add(c, "bytes", json_object_new_uint64(bytes[d]));
    json_object_object_add(c, "count", json_object_new_uint64(count[d]));
    json_object_object_add(o, decision_keys[d], c);
  }
  return o;
}

static struct json_object *duration_or_null(bool has, const struct duration *d)
{
  char buf[DURATION_TEXT_LEN];
  if(!has)
    return json_object_new_null();
  duration_format(d, buf);
  return json_object_new_string(buf);
}

static struct json_object *rule_object(const struct plan_rule *pr)
{
  const struct rule *r = pr->rule;
  struct json_object *o = json_object_new_object();
  struct json_object *s = counts(pr->count, pr->bytes);
  struct json_object *oldest = json_object_new_object();
  json_object_object_add(oldest, "clock", time_or_null(pr->has_oldest, pr->oldest));
  json_object_object_add(oldest, "uri", str_or_null(pr->oldest_uri));
  json_object_object_add(s, "oldest", oldest);
  json_object_object_add(s, "source_items", json_object_new_uint64(pr->source_items));
  json_object_object_add(o, "action", str_or_null(r->action));
  json_object_object_add(o, "basis", str_or_null(r->basis));
  json_object_object_add(o, "clock", json_object_new_string(clock_name(r->clock)));
  json_object_object_add(o, "description", str_or_null(r->description));
  json_object_object_add(o, "error", str_or_null(pr->error));
  json_object_object_add(o, "every", duration_or_null(r->has_every, &r->every));
  json_object_object_add(o, "grace", duration_or_null(r->has_grace, &r->grace));
  json_object_object_add(o, "name", json_object_new_string(r->name));
  json_object_object_add(o, "retain", duration_or_null(true, &r->retain));
  json_object_object_add(o, "review", json_object_new_string(r->review_required ?
                                                                 "required" : "none"));
  json_object_object_add(o, "source", str_or_null(r->source));
  json_object_object_add(o, "summary", s);
  return o;
}

static struct json_object *header(const struct plan *p)
{
  struct json_object *doc = json_object_new_object();
  struct json_object *rules = json_object_new_array();
  uint64_t count[DECISION__COUNT], bytes[DECISION__COUNT];
  char host[256] = "";
  gethostname(host, sizeof(host) - 1);
  plan_totals(p, count, bytes);
  for(size_t i = 0; i < p->n_rules; i++)
    json_object_array_add(rules, rule_object(&p->rules[i]));
  json_object_object_add(doc, "hash", json_object_new_string(p->hash));
  json_object_object_add(doc, "host", json_object_new_string(host));
  json_object_object_add(doc, "now", time_or_null(true, p->now));
  json_object_object_add(doc, "rules", rules);
  json_object_object_add(doc, "schema", json_object_new_string(PLAN_SCHEMA));
  json_object_object_add(doc, "totals", counts(count, bytes));
  return doc;
}

lethe_rc report_json(struct plan *p, FILE *out)
{
  struct json_object *doc = header(p);
  const char *text;
  size_t len;
  bool first = true;
  lethe_rc rc = LETHE_OK;

  text = json_object_to_json_string_length(doc, JSON_C_TO_STRING_PLAIN |
                                           JSON_C_TO_STRING_NOSLASHESCAPE, &len);
  if(!text || len < 2) {
    json_object_put(doc);
    return LETHE_E_NOMEM;
  }
  /* Splice the items in before the closing brace: {"hash":...,"items":[...]} */
  if(fwrite(text, 1, len - 1, out) != len - 1 || fputs(",\"items\":[\n", out) == EOF)
    rc = LETHE_E_IO;
  json_object_put(doc);
  for(size_t i = 0; i < p->n_rules && !rc; i++)
    rc = p->joined ? plan_copy_rendered(p, i, out) : plan_copy_lines(p, i, out, ",\n", &first);
  if(!rc && fputs("\n]}\n", out) == EOF)
    rc = LETHE_E_IO;
  return rc;
}

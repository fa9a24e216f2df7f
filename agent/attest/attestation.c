/* Building and reading attestations (lethe-attestation(5)). */
#include "attestation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certificate.h"

/* ---- building -------------------------------------------------------------- */

static struct json_object *str_or_null(const char *s)
{
  return s ? json_object_new_string(s) : NULL;
}

static struct json_object *instant(int64_t t)
{
  char buf[ISOTIME_LEN];
  isotime_format(t, buf);
  return json_object_new_string(buf);
}

/* Add key = v to o; false when v could not be made (out of memory). A NULL v
 * for a nullable key is added as null by passing nullable. */
static bool put(struct json_object *o, const char *key, struct json_object *v, bool nullable)
{
  if(!v && !nullable)
    return false;
  return !json_object_object_add(o, key, v);
}

static struct json_object *string_array(const char *const *v, size_t n)
{
  struct json_object *a = json_object_new_array();
  for(size_t i = 0; a && i < n; i++) {
    struct json_object *s = json_object_new_string(v[i]);
    if(!s || json_object_array_add(a, s)) {
      json_object_put(s);
      json_object_put(a);
      return NULL;
    }
  }
  return a;
}

static struct json_object *tally(const struct attest_tally *t)
{
  struct json_object *o = json_object_new_object(), *by = json_object_new_object();
  bool ok = o && by;
  for(size_t i = 0; ok && t && i < t->n; i++)
    ok = put(by, t->names[i], json_object_new_int64((int64_t)t->counts[i]), false);
  if(ok)
    ok = put(o, "files", json_object_new_int64(t ? (int64_t)t->files : 0), false);
  if(ok && put(o, "values", by, false))
    return o;
  if(!ok)
    json_object_put(by);
  json_object_put(o);
  return NULL;
}

static struct json_object *who(const struct attest_header *h)
{
  struct json_object *o = json_object_new_object();
  if(o && put(o, "name", json_object_new_string(h->name), false) &&
     put(o, "email", json_object_new_string(h->email), false) &&
     put(o, "key_fingerprint", json_object_new_string(h->fingerprint), false))
    return o;
  json_object_put(o);
  return NULL;
}

static struct json_object *covers(const struct attest_header *h)
{
  struct json_object *o = json_object_new_object();
  if(o && put(o, "from", h->has_from ? instant(h->covers_from) : NULL, !h->has_from) &&
     put(o, "to", instant(h->attested_at), false) &&
     put(o, "project", str_or_null(h->project), !h->project))
    return o;
  json_object_put(o);
  return NULL;
}

static struct json_object *scanner(const struct attest_header *h)
{
  struct json_object *o = json_object_new_object();
  if(o && put(o, "agent_version", json_object_new_string(h->agent_version), false) &&
     put(o, "rules_sha256", json_object_new_string(h->rules_sha256), false) &&
     put(o, "detectors", string_array(h->detectors, h->n_detectors), false) &&
     put(o, "client_list", json_object_new_boolean(h->client_list), false))
    return o;
  json_object_put(o);
  return NULL;
}

static bool fill_header(struct json_object *d, const struct attestation *a,
                        const struct attest_header *h)
{
  return put(d, "schema", json_object_new_string(ATTESTATION_SCHEMA), false) &&
         put(d, "id", json_object_new_string(a->id), false) &&
         put(d, "attested_at", json_object_new_string(a->attested_at), false) &&
         put(d, "who", who(h), false) && put(d, "covers", covers(h), false) &&
         put(d, "policy", str_or_null(h->policy), !h->policy) &&
         put(d, "host", json_object_new_string(h->host), false) &&
         put(d, "user", json_object_new_string(h->user), false) &&
         put(d, "folders", string_array(h->folders, h->n_folders), false) &&
         put(d, "scanner", scanner(h), false) &&
         put(d, "statement", json_object_new_string(h->statement), false) &&
         put(d, "certificates", json_object_new_array(), false) &&
         put(d, "exceptions", json_object_new_array(), false) &&
         put(d, "unscanned", json_object_new_array(), false) &&
         put(d, "files_scanned", json_object_new_int64(0), false) &&
         put(d, "files_not_read", json_object_new_int64(0), false) &&
         put(d, "before", tally(NULL), false) && put(d, "after", tally(NULL), false);
}

lethe_rc attestation_begin(struct attestation *a, const struct attest_header *h)
{
  lethe_rc rc;
  memset(a, 0, sizeof(*a));
  rc = uuid_v4(a->id);
  if(rc)
    return rc;
  isotime_format(h->attested_at, a->attested_at);
  a->doc = json_object_new_object();
  if(!a->doc || !fill_header(a->doc, a, h)) {
    attestation_release(a);
    return LETHE_E_NOMEM;
  }
  return LETHE_OK;
}

lethe_rc attestation_set_tally(struct attestation *a, bool before, const struct attest_tally *t)
{
  return put(a->doc, before ? "before" : "after", tally(t), false) ? LETHE_OK
                                                                    : LETHE_E_NOMEM;
}

lethe_rc attestation_set_scanned(struct attestation *a, uint64_t files, uint64_t not_read)
{
  return put(a->doc, "files_scanned", json_object_new_int64((int64_t)files), false) &&
         put(a->doc, "files_not_read", json_object_new_int64((int64_t)not_read), false)
           ? LETHE_OK : LETHE_E_NOMEM;
}

static lethe_rc append(struct attestation *a, const char *list, struct json_object *o)
{
  struct json_object *arr = json_object_object_get(a->doc, list);
  if(o && !json_object_array_add(arr, o))
    return LETHE_OK;
  json_object_put(o);
  return LETHE_E_NOMEM;
}

lethe_rc attestation_add_certificate(struct attestation *a, const char *id, const char *path,
                                     const char *sha256, uint64_t deleted, uint64_t failed)
{
  struct json_object *o = json_object_new_object();
  if(o && !(put(o, "id", json_object_new_string(id), false) &&
            put(o, "path", json_object_new_string(path), false) &&
            put(o, "sha256", json_object_new_string(sha256), false) &&
            put(o, "deleted", json_object_new_int64((int64_t)deleted), false) &&
            put(o, "failed", json_object_new_int64((int64_t)failed), false))) {
    json_object_put(o);
    o = NULL;
  }
  return append(a, "certificates", o);
}

lethe_rc attestation_add_exception(struct attestation *a, const char *path, const char *reason,
                                   const struct attest_tally *t)
{
  struct json_object *o = json_object_new_object();
  if(o && !(put(o, "path", json_object_new_string(path), false) &&
            put(o, "reason", json_object_new_string(reason), false) &&
            put(o, "found", tally(t), false))) {
    json_object_put(o);
    o = NULL;
  }
  return append(a, "exceptions", o);
}

lethe_rc attestation_add_unscanned(struct attestation *a, const char *path, const char *reason)
{
  struct json_object *o = json_object_new_object();
  if(o && !(put(o, "path", json_object_new_string(path), false) &&
            put(o, "reason", json_object_new_string(reason), false))) {
    json_object_put(o);
    o = NULL;
  }
  return append(a, "unscanned", o);
}

lethe_rc attestation_canonical(const struct attestation *a, struct dynbuf *out)
{
  lethe_rc rc = canonical_json(a->doc, out);
  return rc ? rc : db_add(out, "\n", 1);
}

void attestation_path(const struct attestation *a, char *buf, size_t size)
{
  snprintf(buf, size, ATTESTATION_DIR "/%.4s/%.2s/%s.json", a->attested_at,
           a->attested_at + 5, a->id);
}

void attestation_release(struct attestation *a)
{
  json_object_put(a->doc);
  memset(a, 0, sizeof(*a));
}

/* ---- reading ----------------------------------------------------------------- */

struct reader {
  struct json_object *doc;
  char *why;
  size_t n;
};

/* The string at path "a" or "a.b" of the document; NULL (with why set)
 * when missing or not a string, unless nullable and null. */
static const char *get_str(struct reader *r, const char *outer, const char *key, bool nullable,
                           bool *bad)
{
  struct json_object *o = r->doc, *v = NULL;
  if(outer && (!json_object_object_get_ex(o, outer, &o) || !json_object_is_type(o,
                                                                                json_type_object)))
    o = NULL;
  if(o)
    json_object_object_get_ex(o, key, &v);
  if(v && json_object_is_type(v, json_type_string))
    return json_object_get_string(v);
  if(nullable && o && json_object_object_get_ex(o, key, NULL) && !v)
    return NULL;
  if(!*bad)
    snprintf(r->why, r->n, "%s%s%s is missing or not a string%s", outer ? outer : "",
             outer ? "." : "", key, nullable ? " or null" : "");
  *bad = true;
  return NULL;
}

static uint64_t array_len(struct reader *r, const char *key, bool *bad)
{
  struct json_object *v = NULL;
  if(json_object_object_get_ex(r->doc, key, &v) && json_object_is_type(v, json_type_array))
    return json_object_array_length(v);
  if(!*bad)
    snprintf(r->why, r->n, "%s is missing or not an array", key);
  *bad = true;
  return 0;
}

/* The sum of after.values. */
static uint64_t remaining(struct reader *r, bool *bad)
{
  struct json_object *after = NULL, *values = NULL;
  uint64_t sum = 0;
  if(!json_object_object_get_ex(r->doc, "after", &after) ||
     !json_object_object_get_ex(after, "values", &values) ||
     !json_object_is_type(values, json_type_object)) {
    if(!*bad)
      snprintf(r->why, r->n, "after.values is missing or not an object");
    *bad = true;
    return 0;
  }
  json_object_object_foreach(values, key, val) {
    (void)key;
    if(json_object_is_type(val, json_type_int) && json_object_get_int64(val) > 0)
      sum += (uint64_t)json_object_get_int64(val);
  }
  return sum;
}

static char *dup_or_null(const char *s, bool *bad)
{
  char *d = s ? strdup(s) : NULL;
  if(s && !d)
    *bad = true;
  return d;
}

static bool fill_summary(struct reader *r, struct attest_summary *s)
{
  struct lethe_err err;
  bool bad = false;
  const char *schema = get_str(r, NULL, "schema", false, &bad);
  const char *at = get_str(r, NULL, "attested_at", false, &bad);
  if(!bad && strcmp(schema, ATTESTATION_SCHEMA)) {
    snprintf(r->why, r->n, "schema is \"%.100s\", not " ATTESTATION_SCHEMA, schema);
    return false;
  }
  if(!bad && isotime_parse(at, &s->attested_at, &err)) {
    snprintf(r->why, r->n, "attested_at: %s", err.msg);
    return false;
  }
  s->id = dup_or_null(get_str(r, NULL, "id", false, &bad), &bad);
  s->name = dup_or_null(get_str(r, "who", "name", false, &bad), &bad);
  s->email = dup_or_null(get_str(r, "who", "email", false, &bad), &bad);
  s->fingerprint = dup_or_null(get_str(r, "who", "key_fingerprint", false, &bad), &bad);
  s->project = dup_or_null(get_str(r, "covers", "project", true, &bad), &bad);
  s->host = dup_or_null(get_str(r, NULL, "host", false, &bad), &bad);
  s->exceptions = array_len(r, "exceptions", &bad);
  s->certificates = array_len(r, "certificates", &bad);
  s->remaining = remaining(r, &bad);
  return !bad;
}

lethe_rc attestation_read(const char *json, size_t len, struct attest_summary *s, char *why,
                          size_t n)
{
  struct json_tokener *tok = json_tokener_new();
  struct reader r = { .why = why, .n = n };
  bool ok;
  memset(s, 0, sizeof(*s));
  if(!tok)
    return LETHE_E_NOMEM;
  r.doc = json_tokener_parse_ex(tok, json, (int)len);
  if(!r.doc || json_tokener_get_error(tok) != json_tokener_success ||
     !json_object_is_type(r.doc, json_type_object)) {
    snprintf(why, n, "not a JSON object");
    json_object_put(r.doc);
    json_tokener_free(tok);
    return LETHE_E_PARSE;
  }
  json_tokener_free(tok);
  ok = fill_summary(&r, s);
  json_object_put(r.doc);
  if(!ok)
    attest_summary_release(s);
  return ok ? LETHE_OK : LETHE_E_PARSE;
}

void attest_summary_release(struct attest_summary *s)
{
  free(s->id);
  free(s->name);
  free(s->email);
  free(s->fingerprint);
  free(s->project);
  free(s->host);
  memset(s, 0, sizeof(*s));
}

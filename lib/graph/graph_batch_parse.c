/* The $batch envelope written and its reply read: the part of batching that
 * only handles text, kept apart so that it can be tested on hostile input. */
#include "graph_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "graph_json.h"
#include "jsonw.h"

#define ID_MAX 32
#define ANSWERS_MAX 1000   /* far above GRAPH_BATCH_MAX: a reply beyond is hostile */

static lethe_rc header_value(struct json_object *h, const char *name, const char **out)
{
  *out = NULL;
  json_object_object_foreach(h, key, val) {
    if(strcasecmp(key, name))
      continue;
    if(json_object_is_type(val, json_type_string) || json_object_is_type(val, json_type_int) ||
       json_object_is_type(val, json_type_double))
      *out = json_object_get_string(val);
    return LETHE_OK;
  }
  return LETHE_OK;
}

static double seconds(const char *v)
{
  char *end;
  double d;
  if(!v || !*v)
    return -1;
  d = strtod(v, &end);
  return *end || d < 0 || d > 86400 ? -1 : d;
}

static lethe_rc answer(struct json_object *r, struct graph_answer *a, struct lethe_err *err)
{
  struct json_object *status, *h;
  size_t n;
  memset(a, 0, sizeof(*a));
  a->retry_after = -1;
  a->id = gj_str(r, "id", &n);
  if(!a->id || !n || n > ID_MAX || n != strlen(a->id))
    return err_set(err, LETHE_E_PROTOCOL, "a $batch answer has no usable id");
  if(!json_object_object_get_ex(r, "status", &status) ||
     !json_object_is_type(status, json_type_int) || json_object_get_int64(status) < 100 ||
     json_object_get_int64(status) > 599)
    return err_set(err, LETHE_E_PROTOCOL, "the $batch answer '%s' has no HTTP status", a->id);
  a->status = (long)json_object_get_int64(status);
  if(json_object_object_get_ex(r, "headers", &h) && !json_object_is_type(h, json_type_null)) {
    const char *ra;
    if(!json_object_is_type(h, json_type_object))
      return err_set(err, LETHE_E_PROTOCOL, "the $batch answer '%s' has headers that are "
                     "not an object", a->id);
    if(header_value(h, "Retry-After", &ra) || header_value(h, "request-id", &a->request_id))
      return LETHE_E_PROTOCOL;
    a->retry_after = seconds(ra);
  }
  a->body = gj_obj(r, "body") ? gj_obj(r, "body") : NULL;
  return LETHE_OK;
}

static bool seen_before(struct json_object *arr, size_t i, const char *id)
{
  for(size_t j = 0; j < i; j++) {
    const char *other = gj_str(json_object_array_get_idx(arr, j), "id", NULL);
    if(other && !strcasecmp(other, id))
      return true;
  }
  return false;
}

lethe_rc graph_batch_parse(const char *text, size_t len, graph_answer_fn fn, void *ctx,
                           struct lethe_err *err)
{
  struct json_object *o, *arr;
  size_t n;
  lethe_rc rc = gj_parse(text, len, "$batch reply", &o, err);
  if(rc)
    return rc;
  arr = gj_arr(o, "responses");
  n = arr ? json_object_array_length(arr) : 0;
  if(!arr || n > ANSWERS_MAX)
    rc = err_set(err, LETHE_E_PROTOCOL, "the $batch reply has no \"responses\" array of "
                 "answers");
  for(size_t i = 0; !rc && i < n; i++) {
    struct graph_answer a;
    struct json_object *r = json_object_array_get_idx(arr, i);
    if(!r || !json_object_is_type(r, json_type_object))
      rc = err_set(err, LETHE_E_PROTOCOL, "a $batch answer is not an object");
    else
      rc = answer(r, &a, err);
    if(!rc && seen_before(arr, i, a.id))
      rc = err_set(err, LETHE_E_PROTOCOL, "the $batch reply answers '%s' twice", a.id);
    if(!rc)
      rc = fn(ctx, &a, err);
  }
  json_object_put(o);
  return rc;
}

static void put_headers(struct jsonw *w, const struct graph_sub *s, unsigned flags)
{
  if(!s->if_match[0] && !(flags & (GRAPH_REQ_IMMUTABLE | GRAPH_REQ_UTC)))
    return;
  jsonw_key(w, "headers");
  jsonw_object_begin(w);
  if(s->if_match[0]) {
    jsonw_key(w, "If-Match");
    jsonw_string(w, s->if_match);
  }
  if(flags & (GRAPH_REQ_IMMUTABLE | GRAPH_REQ_UTC)) {
    jsonw_key(w, "Prefer");
    jsonw_string(w, (flags & GRAPH_REQ_IMMUTABLE) && (flags & GRAPH_REQ_UTC)
                      ? "IdType=\"ImmutableId\", outlook.timezone=\"UTC\""
                      : (flags & GRAPH_REQ_IMMUTABLE) ? "IdType=\"ImmutableId\""
                                                      : "outlook.timezone=\"UTC\"");
  }
  jsonw_object_end(w);
}

lethe_rc graph_batch_envelope(const struct graph_sub *subs, const size_t *idx, size_t k,
                              bool chain, unsigned flags, struct dynbuf *out)
{
  struct jsonw w;
  char id[24];
  jsonw_init(&w, out);
  jsonw_object_begin(&w);
  jsonw_key(&w, "requests");
  if(!w.rc && db_add(out, "[", 1))
    w.rc = LETHE_E_NOMEM;
  for(size_t i = 0; i < k && !w.rc; i++) {
    const struct graph_sub *s = &subs[idx[i]];
    if(i && db_add(out, ",", 1))
      w.rc = LETHE_E_NOMEM;
    w.need_comma = false;
    jsonw_object_begin(&w);
    if(chain && i) {
      jsonw_key(&w, "dependsOn");
      snprintf(id, sizeof(id), "[\"%zu\"]", idx[i - 1]);
      jsonw_raw(&w, id, strlen(id));
    }
    put_headers(&w, s, flags);
    snprintf(id, sizeof(id), "%zu", idx[i]);
    jsonw_key(&w, "id");
    jsonw_string(&w, id);
    jsonw_key(&w, "method");
    jsonw_string(&w, s->method);
    jsonw_key(&w, "url");
    jsonw_string(&w, s->url);
    jsonw_object_end(&w);
  }
  if(!w.rc && db_add(out, "]", 1))
    w.rc = LETHE_E_NOMEM;
  w.need_comma = true;
  jsonw_object_end(&w);
  return w.rc;
}

#include "graph_json.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "isotime.h"

lethe_rc gj_parse(const char *text, size_t len, const char *what, struct json_object **out,
                  struct lethe_err *err)
{
  struct json_tokener *tok;
  struct json_object *o;
  enum json_tokener_error e;
  size_t used;
  *out = NULL;
  if(len > INT_MAX)
    return err_set(err, LETHE_E_RANGE, "%s: reply too large to parse", what);
  if(!len)
    return err_set(err, LETHE_E_PARSE, "%s: empty reply where JSON was expected", what);
  tok = json_tokener_new_ex(GRAPH_JSON_DEPTH);
  if(!tok)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
  o = json_tokener_parse_ex(tok, text, (int)len);
  e = json_tokener_get_error(tok);
  used = (size_t)json_tokener_get_parse_end(tok);
  json_tokener_free(tok);
  if(e == json_tokener_continue || (!o && e == json_tokener_success)) {
    json_object_put(o);
    return err_set(err, LETHE_E_PARSE, "%s: the JSON reply is truncated", what);
  }
  if(e != json_tokener_success) {
    json_object_put(o);
    return err_set(err, LETHE_E_PARSE, "%s: malformed JSON reply (%s at byte %zu)", what,
                   json_tokener_error_desc(e), used);
  }
  while(used < len && strchr(" \t\r\n", text[used]))
    used++;
  if(used != len) {
    json_object_put(o);
    return err_set(err, LETHE_E_PARSE, "%s: malformed JSON reply (text after the document "
                   "at byte %zu)", what, used);
  }
  *out = o;
  return LETHE_OK;
}

static struct json_object *member(struct json_object *o, const char *key, enum json_type t)
{
  struct json_object *v;
  if(!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
    return NULL;
  return json_object_is_type(v, t) ? v : NULL;
}

struct json_object *gj_obj(struct json_object *o, const char *key)
{
  return member(o, key, json_type_object);
}

struct json_object *gj_arr(struct json_object *o, const char *key)
{
  return member(o, key, json_type_array);
}

const char *gj_str(struct json_object *o, const char *key, size_t *len)
{
  struct json_object *v = member(o, key, json_type_string);
  if(!v)
    return NULL;
  if(len)
    *len = (size_t)json_object_get_string_len(v);
  return json_object_get_string(v);
}

bool gj_int(struct json_object *o, const char *key, int64_t *out)
{
  struct json_object *v = member(o, key, json_type_int);
  const char *s;
  int64_t n = 0;
  size_t len, i;
  if(v) {
    *out = json_object_get_int64(v);
    return true;
  }
  s = gj_str(o, key, &len);
  if(!s || !len || len > 18)
    return false;
  for(i = 0; i < len; i++) {
    if(s[i] < '0' || s[i] > '9')
      return false;
    n = n * 10 + (s[i] - '0');
  }
  *out = n;
  return true;
}

bool gj_bool(struct json_object *o, const char *key, bool *out)
{
  struct json_object *v = member(o, key, json_type_boolean);
  if(!v)
    return false;
  *out = json_object_get_boolean(v);
  return true;
}

bool gj_time(struct json_object *o, const char *key, int64_t *out)
{
  size_t len;
  const char *s = gj_str(o, key, &len);
  if(!s || len != strlen(s) || len > 64)
    return false;
  return isotime_parse(s, out, NULL) == LETHE_OK;
}

bool gj_token_ok(const char *s, size_t n, size_t max)
{
  if(!s || !n || n > max)
    return false;
  for(size_t i = 0; i < n; i++)
    if((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
      return false;
  return true;
}

const char *gj_error_code(struct json_object *body, const char **inner)
{
  struct json_object *e = gj_obj(body, "error");
  const char *code = gj_str(e, "code", NULL);
  if(inner)
    *inner = gj_str(gj_obj(e, "innerError"), "code", NULL);
  if(inner && !*inner)
    *inner = gj_str(gj_obj(e, "innererror"), "code", NULL);
  return code ? code : "";
}

/* Copy s into out (n bytes) with control bytes and quotes made harmless,
 * stopping at a line break (AADSTS texts carry trace ids after one). */
static void printable(char *out, size_t n, const char *s)
{
  size_t o = strlen(out);
  for(; s && *s && *s != '\r' && *s != '\n' && o + 1 < n; s++)
    out[o++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
  out[o] = '\0';
}

void gj_error_text(struct json_object *body, char *out, size_t n)
{
  struct json_object *e = gj_obj(body, "error");
  const char *inner, *code = gj_error_code(body, &inner), *msg = gj_str(e, "message", NULL);
  if(!n)
    return;
  out[0] = '\0';
  if(!*code && !msg)
    return;
  printable(out, n, *code ? code : "error");
  if(inner && strcmp(inner, code)) {
    printable(out, n, " (");
    printable(out, n, inner);
    printable(out, n, ")");
  }
  if(msg) {
    printable(out, n, ": ");
    printable(out, n, msg);
  }
}

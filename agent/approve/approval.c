/* The approval message (see approval.h). */
#include "approval.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"
#include "jsonw.h"

lethe_rc approval_write(const struct approval *a, struct dynbuf *out)
{
  char when[ISOTIME_LEN];
  struct jsonw w;
  isotime_format(a->approved_at, when);
  jsonw_init(&w, out);
  jsonw_object_begin(&w);
  jsonw_key(&w, "approved_at");
  jsonw_string(&w, when);
  jsonw_key(&w, "plan");
  jsonw_string(&w, a->plan);
  jsonw_key(&w, "rules");
  jsonw_raw(&w, "[", 1);
  for(size_t i = 0; i < a->rules.n; i++) {
    if(i)
      jsonw_raw(&w, ",", 1);
    jsonw_string(&w, a->rules.v[i]);
  }
  jsonw_raw(&w, "]", 1);
  jsonw_key(&w, "schema");
  jsonw_string(&w, APPROVAL_SCHEMA);
  jsonw_object_end(&w);
  return w.rc ? w.rc : db_add(out, "\n", 1);
}

static const char *string_of(struct json_object *o, const char *key)
{
  struct json_object *v;
  if(!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
    return NULL;
  return json_object_get_string(v);
}

static lethe_rc read_rules(struct json_object *o, struct approval *a, char *why, size_t n)
{
  struct json_object *rules;
  if(!json_object_object_get_ex(o, "rules", &rules) ||
     !json_object_is_type(rules, json_type_array) || !json_object_array_length(rules)) {
    snprintf(why, n, "no list of rules");
    return LETHE_E_PARSE;
  }
  for(size_t i = 0; i < json_object_array_length(rules); i++) {
    struct json_object *r = json_object_array_get_idx(rules, i);
    if(!json_object_is_type(r, json_type_string)) {
      snprintf(why, n, "a rule that is not a name");
      return LETHE_E_PARSE;
    }
    if(strlist_add(&a->rules, json_object_get_string(r)))
      return LETHE_E_NOMEM;
  }
  return LETHE_OK;
}

static lethe_rc read_doc(struct json_object *o, struct approval *a, char *why, size_t n)
{
  const char *schema = string_of(o, "schema"), *plan = string_of(o, "plan");
  const char *when = string_of(o, "approved_at");
  struct lethe_err err;
  if(!schema || strcmp(schema, APPROVAL_SCHEMA)) {
    snprintf(why, n, "not a %s approval", APPROVAL_SCHEMA);
    return LETHE_E_PARSE;
  }
  if(!plan || strlen(plan) >= sizeof(a->plan) || !when) {
    snprintf(why, n, "no plan or approved_at");
    return LETHE_E_PARSE;
  }
  if(isotime_parse(when, &a->approved_at, &err)) {
    snprintf(why, n, "approved_at: %s", err.msg);
    return LETHE_E_PARSE;
  }
  snprintf(a->plan, sizeof(a->plan), "%s", plan);
  return read_rules(o, a, why, n);
}

/* Only the canonical line (as approval_write writes it) is an approval:
 * nothing unsigned-looking can ride along into a certificate. */
static lethe_rc canonical(const struct approval *a, const char *text, size_t len, char *why,
                          size_t n)
{
  struct dynbuf again;
  lethe_rc rc;
  db_init(&again, 64 * 1024);
  rc = approval_write(a, &again);
  if(!rc && (again.len != len || memcmp(again.mem, text, len))) {
    snprintf(why, n, "not in the canonical form lethe approve writes");
    rc = LETHE_E_PARSE;
  }
  db_release(&again);
  return rc;
}

lethe_rc approval_parse(const char *text, size_t len, struct approval *a, char *why, size_t n)
{
  struct json_tokener *tok;
  struct json_object *o = NULL;
  lethe_rc rc = LETHE_E_PARSE;
  memset(a, 0, sizeof(*a));
  snprintf(why, n, "not JSON");
  if(len > 64 * 1024 || (len && memchr(text, '\0', len)))
    return LETHE_E_PARSE;
  tok = json_tokener_new();
  if(!tok)
    return LETHE_E_NOMEM;
  o = json_tokener_parse_ex(tok, text, (int)len);
  if(o && json_object_is_type(o, json_type_object))
    rc = read_doc(o, a, why, n);
  if(!rc)
    rc = canonical(a, text, len, why, n);
  json_object_put(o);
  json_tokener_free(tok);
  if(rc)
    approval_release(a);
  return rc;
}

bool approval_covers(const struct approval *a, const char *rule)
{
  for(size_t i = 0; i < a->rules.n; i++)
    if(!strcmp(a->rules.v[i], rule))
      return true;
  return false;
}

void approval_release(struct approval *a)
{
  strlist_release(&a->rules);
}

lethe_rc approval_keyid(const struct sshsig_key *key, char out[APPROVAL_KEYID_LEN])
{
  struct dynbuf fp;
  const char *s;
  size_t i = 0;
  lethe_rc rc;
  db_init(&fp, 256);
  rc = sshsig_fingerprint(key, &fp);
  s = rc ? "" : db_str(&fp);
  if(!strncmp(s, "SHA256:", 7))
    s += 7;
  for(; *s && i < APPROVAL_KEYID_LEN - 1; s++)
    out[i++] = *s == '/' ? '_' : *s == '+' ? '-' : *s;
  out[i] = '\0';
  db_release(&fp);
  return rc;
}

char *approval_plan_dir(const char *state_dir, const char *hash)
{
  char *dir;
  if(strncmp(hash, "sha256:", 7) || strlen(hash + 7) != 64 ||
     strspn(hash + 7, "0123456789abcdef") != 64)
    return NULL;
  if(asprintf(&dir, "%s/%s/%s", state_dir, APPROVALS_DIR, hash + 7) < 0)
    return NULL;
  return dir;
}

#include "plan_load.h"

#include <json-c/json.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "isotime.h"
#include "plan_entry.h"

static const char *get(struct json_object *o, const char *key)
{
  struct json_object *v;
  if(!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
    return NULL;
  return json_object_get_string(v);
}

static struct json_object *read_doc(const char *path, struct lethe_err *err)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  struct json_object *doc;
  if(fd < 0) {
    err_sys(err, LETHE_E_IO, "%s: cannot read the plan", path);
    return NULL;
  }
  doc = json_object_from_fd(fd);
  close(fd);
  if(!doc || !json_object_is_type(doc, json_type_object)) {
    json_object_put(doc);
    err_set(err, LETHE_E_PARSE, "%s: not a JSON plan (%s)", path, json_util_get_last_err());
    return NULL;
  }
  return doc;
}

/* The plan's rule must still say what it said when the plan was made. */
static lethe_rc match_rule(const char *path, struct json_object *pr, const struct rule *r,
                           struct lethe_err *err)
{
  const char *source = get(pr, "source"), *action = get(pr, "action");
  if(!source || !action || strcmp(source, r->source) || strcmp(action, r->action))
    return err_set(err, LETHE_E_CHANGED, "%s: rule %s has changed since the plan was made "
                   "(source or action); make a new plan", path, r->name);
  return LETHE_OK;
}

static uint64_t source_items(struct json_object *pr)
{
  struct json_object *s, *n;
  if(json_object_object_get_ex(pr, "summary", &s) &&
     json_object_object_get_ex(s, "source_items", &n))
    return json_object_get_uint64(n);
  return 0;
}

static lethe_rc load_rule(struct plan *p, const char *path, struct json_object *pr,
                          struct json_object *items, const struct ruleset *rs,
                          struct lethe_err *err)
{
  const char *name = get(pr, "name");
  const struct rule *r = name ? rules_find(rs, name) : NULL;
  struct plan_rule *slot;
  lethe_rc rc;
  if(!r)
    return err_set(err, LETHE_E_CHANGED, "%s: the plan names rule '%s', which is not "
                   "configured now", path, name ? name : "?");
  rc = match_rule(path, pr, r, err);
  if(!rc)
    rc = plan_begin_rule(p, r, &slot);
  if(rc)
    return rc == LETHE_E_NOMEM ? err_set(err, rc, "out of memory") : rc;
  slot->source_items = source_items(pr);
  for(size_t i = 0; i < json_object_array_length(items) && !rc; i++) {
    struct plan_entry e;
    char why[128];
    if(plan_entry_read(json_object_array_get_idx(items, i), &e, why, sizeof(why)))
      return err_set(err, LETHE_E_PARSE, "%s: item %zu: %s", path, i + 1, why);
    if(!strcmp(e.rule, name))
      rc = plan_add_entry(p, &e);
  }
  if(!rc)
    rc = plan_end_rule(p);
  return rc ? err_set(err, rc, "%s: cannot spool the plan", path) : LETHE_OK;
}

static lethe_rc load_body(struct json_object *doc, const char *path, const struct ruleset *rs,
                          struct plan *p, struct lethe_err *err)
{
  struct json_object *rules, *items;
  const char *schema = get(doc, "schema"), *now = get(doc, "now"), *hash = get(doc, "hash");
  int64_t when;
  lethe_rc rc;

  if(!schema || strcmp(schema, PLAN_SCHEMA))
    return err_set(err, LETHE_E_PARSE, "%s: not a %s plan", path, PLAN_SCHEMA);
  if(!now || !hash || !json_object_object_get_ex(doc, "rules", &rules) ||
     !json_object_object_get_ex(doc, "items", &items) ||
     !json_object_is_type(rules, json_type_array) ||
     !json_object_is_type(items, json_type_array))
    return err_set(err, LETHE_E_PARSE, "%s: the plan lacks now, hash, rules or items", path);
  if(isotime_parse(now, &when, err))
    return err_prefix(err, "%s", path);
  rc = plan_init(p, when, err);
  for(size_t i = 0; i < json_object_array_length(rules) && !rc; i++)
    rc = load_rule(p, path, json_object_array_get_idx(rules, i), items, rs, err);
  if(!rc)
    rc = plan_finish(p, err);
  if(!rc && strcmp(p->hash, hash))
    rc = err_set(err, LETHE_E_CHANGED, "%s: the plan's hash does not match its items: it "
                 "was changed after it was made", path);
  return rc;
}

lethe_rc plan_load(const char *path, const struct ruleset *rs, struct plan *p,
                   struct lethe_err *err)
{
  struct json_object *doc = read_doc(path, err);
  lethe_rc rc;
  memset(p, 0, sizeof(*p));
  if(!doc)
    return err->rc;
  rc = load_body(doc, path, rs, p, err);
  json_object_put(doc);
  return rc;
}

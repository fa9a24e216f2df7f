/* Reading a saved plan back (see plan_load.h), in memory that does not grow
 * with the plan: lethe writes its JSON plan as the header on the first line
 * (every key but the items, ending in "items":[), then one entry a line,
 * then "]}". Each line is parsed on its own and its entry spooled as it
 * comes. A plan laid out otherwise (re-indented by a tool, say) is read as
 * one document, as before. */
#include "plan_load.h"

#include <json-c/json.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isotime.h"
#include "plan_entry.h"

/* What ends the first line of a plan lethe wrote, and its last line. */
#define ITEMS_OPEN ",\"items\":["
#define ITEMS_CLOSE "]}"
/* A line longer than this is no plan line (entries are bounded). */
#define PLAN_LINE_MAX (16u * 1024 * 1024)

static const char *get(struct json_object *o, const char *key)
{
  struct json_object *v;
  if(!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
    return NULL;
  return json_object_get_string(v);
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

/* Begin the entries of the plan's rule pr, which must be configured now. */
static lethe_rc begin_rule(struct plan *p, const char *path, struct json_object *pr,
                           const struct ruleset *rs, struct lethe_err *err)
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
  return LETHE_OK;
}

/* The header's checks, then p started as of the plan's instant; its rules
 * and the hash it claims in *rules and *hash (owned by doc). */
static lethe_rc begin_plan(struct json_object *doc, const char *path, struct plan *p,
                           struct json_object **rules, const char **hash,
                           struct lethe_err *err)
{
  const char *schema = get(doc, "schema"), *now = get(doc, "now");
  int64_t when;
  *hash = get(doc, "hash");
  if(!schema || strcmp(schema, PLAN_SCHEMA))
    return err_set(err, LETHE_E_PARSE, "%s: not a %s plan", path, PLAN_SCHEMA);
  if(!now || !*hash || !json_object_object_get_ex(doc, "rules", rules) ||
     !json_object_is_type(*rules, json_type_array))
    return err_set(err, LETHE_E_PARSE, "%s: the plan lacks now, hash, rules or items", path);
  if(isotime_parse(now, &when, err))
    return err_prefix(err, "%s", path);
  return plan_init(p, when, err);
}

static lethe_rc end_plan(struct plan *p, const char *path, const char *hash,
                         struct lethe_err *err)
{
  lethe_rc rc = plan_finish(p, err);
  if(!rc && strcmp(p->hash, hash))
    rc = err_set(err, LETHE_E_CHANGED, "%s: the plan's hash does not match its items: it "
                 "was changed after it was made", path);
  return rc;
}

/* Read entry o (the plan's n-th) into e. */
static lethe_rc read_entry(const char *path, struct json_object *o, size_t n,
                           struct plan_entry *e, struct lethe_err *err)
{
  char why[128];
  if(plan_entry_read(o, e, why, sizeof(why)))
    return err_set(err, LETHE_E_PARSE, "%s: item %zu: %s", path, n, why);
  return LETHE_OK;
}

static lethe_rc spool_entry(struct plan *p, const char *path, const struct plan_entry *e,
                            struct lethe_err *err)
{
  return plan_add_entry(p, e) ? err_set(err, LETHE_E_IO, "%s: cannot spool the plan", path)
                              : LETHE_OK;
}

/* ---- the plan as one document ---------------------------------------- */

static lethe_rc load_whole(FILE *f, const char *path, const struct ruleset *rs,
                           struct plan *p, struct lethe_err *err)
{
  struct json_object *doc = json_object_from_fd(fileno(f)), *rules, *items;
  const char *hash;
  lethe_rc rc;
  if(!doc || !json_object_is_type(doc, json_type_object)) {
    json_object_put(doc);
    return err_set(err, LETHE_E_PARSE, "%s: not a JSON plan (%s)", path,
                   json_util_get_last_err());
  }
  rc = begin_plan(doc, path, p, &rules, &hash, err);
  if(!rc && (!json_object_object_get_ex(doc, "items", &items) ||
             !json_object_is_type(items, json_type_array)))
    rc = err_set(err, LETHE_E_PARSE, "%s: the plan lacks now, hash, rules or items", path);
  for(size_t i = 0; !rc && i < json_object_array_length(rules); i++) {
    const char *name = get(json_object_array_get_idx(rules, i), "name");
    rc = begin_rule(p, path, json_object_array_get_idx(rules, i), rs, err);
    for(size_t k = 0; !rc && k < json_object_array_length(items); k++) {
      struct plan_entry e;
      rc = read_entry(path, json_object_array_get_idx(items, k), k + 1, &e, err);
      if(!rc && !strcmp(e.rule, name))
        rc = spool_entry(p, path, &e, err);
    }
    if(!rc && plan_end_rule(p))
      rc = err_set(err, LETHE_E_IO, "%s: cannot spool the plan", path);
  }
  if(!rc)
    rc = end_plan(p, path, hash, err);
  json_object_put(doc);
  return rc;
}

/* ---- the plan as lethe writes it, a line at a time ------------------- */

struct stream {
  FILE *f;
  const char *path;
  const struct ruleset *rs;
  struct plan *p;
  struct json_object *rules;
  size_t next_rule;       /* the header's rules begun so far */
  const char *current;    /* the name of the rule begun last */
  struct json_tokener *tok;
  struct lethe_err *err;
};

/* Begin the header's next rule, ending the one before. */
static lethe_rc next_rule(struct stream *s)
{
  struct json_object *pr;
  lethe_rc rc = LETHE_OK;
  if(s->next_rule && plan_end_rule(s->p))
    return err_set(s->err, LETHE_E_IO, "%s: cannot spool the plan", s->path);
  pr = json_object_array_get_idx(s->rules, s->next_rule++);
  s->current = get(pr, "name");
  rc = begin_rule(s->p, s->path, pr, s->rs, s->err);
  return rc;
}

/* One entry line ("{...}," or the last "{...}"): its rule begun if it is
 * the next one (entries come grouped by rule, in the header's order). */
static lethe_rc entry_line(struct stream *s, char *line, size_t len, size_t n)
{
  struct json_object *o;
  struct plan_entry e;
  lethe_rc rc;
  if(len && line[len - 1] == ',')
    line[--len] = '\0';
  json_tokener_reset(s->tok);
  o = json_tokener_parse_ex(s->tok, line, (int)len);
  if(!o || json_tokener_get_error(s->tok) != json_tokener_success ||
     json_tokener_get_parse_end(s->tok) != len) {
    json_object_put(o);
    return err_set(s->err, LETHE_E_PARSE, "%s: item %zu: not a JSON object on its line",
                   s->path, n);
  }
  rc = read_entry(s->path, o, n, &e, s->err);
  while(!rc && (!s->current || strcmp(e.rule, s->current))) {
    if(s->next_rule == json_object_array_length(s->rules))
      rc = err_set(s->err, LETHE_E_PARSE, "%s: item %zu names rule '%s', which is not among "
                   "the plan's rules in their order", s->path, n, e.rule);
    else
      rc = next_rule(s);
  }
  if(!rc)
    rc = spool_entry(s->p, s->path, &e, s->err);
  json_object_put(o);
  return rc;
}

/* The entry lines up to "]}", then the rules without entries. */
static lethe_rc stream_entries(struct stream *s)
{
  char *line = NULL;
  size_t cap = 0, n = 0;
  ssize_t len;
  bool closed = false;
  lethe_rc rc = LETHE_OK;
  while(!rc && !closed && (len = getline(&line, &cap, s->f)) > 0) {
    if(line[len - 1] == '\n')
      line[--len] = '\0';
    if((size_t)len > PLAN_LINE_MAX)
      rc = err_set(s->err, LETHE_E_PARSE, "%s: item %zu: a line of over %u bytes", s->path,
                   n + 1, PLAN_LINE_MAX);
    else if(!strcmp(line, ITEMS_CLOSE))
      closed = true;
    else if(len)
      rc = entry_line(s, line, (size_t)len, ++n);
  }
  free(line);
  if(!rc && !closed)
    rc = err_set(s->err, LETHE_E_PARSE, "%s: the plan ends before its items do", s->path);
  while(!rc && s->next_rule < json_object_array_length(s->rules))
    rc = next_rule(s);
  if(!rc && s->next_rule && plan_end_rule(s->p))
    rc = err_set(s->err, LETHE_E_IO, "%s: cannot spool the plan", s->path);
  return rc;
}

static lethe_rc load_lines(FILE *f, char *header, size_t len, const char *path,
                           const struct ruleset *rs, struct plan *p, struct lethe_err *err)
{
  struct stream s = { .f = f, .path = path, .rs = rs, .p = p, .err = err };
  struct json_object *doc;
  const char *hash;
  lethe_rc rc;
  /* the header without its items: {"hash":...,"totals":{...}} */
  memcpy(header + len - strlen(ITEMS_OPEN), "}", 2);
  doc = json_tokener_parse(header);
  if(!doc || !json_object_is_type(doc, json_type_object)) {
    json_object_put(doc);
    return err_set(err, LETHE_E_PARSE, "%s: not a JSON plan (its first line)", path);
  }
  s.tok = json_tokener_new();
  rc = s.tok ? begin_plan(doc, path, p, &s.rules, &hash, err) : LETHE_E_NOMEM;
  if(!rc)
    rc = stream_entries(&s);
  if(!rc)
    rc = end_plan(p, path, hash, err);
  json_tokener_free(s.tok);
  json_object_put(doc);
  return rc;
}

lethe_rc plan_load(const char *path, const struct ruleset *rs, struct plan *p,
                   struct lethe_err *err)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
  char *header = NULL;
  size_t cap = 0;
  ssize_t len;
  lethe_rc rc;
  memset(p, 0, sizeof(*p));
  p->spool.fd = -1;
  if(!f) {
    rc = err_sys(err, LETHE_E_IO, "%s: cannot read the plan", path);
    if(fd >= 0)
      close(fd);
    return rc;
  }
  len = getline(&header, &cap, f);
  if(len > 0 && header[len - 1] == '\n')
    header[--len] = '\0';
  if(len > (ssize_t)strlen(ITEMS_OPEN) && (size_t)len <= PLAN_LINE_MAX &&
     !strcmp(header + len - strlen(ITEMS_OPEN), ITEMS_OPEN)) {
    rc = load_lines(f, header, (size_t)len, path, rs, p, err);
  }
  else if(fseek(f, 0, SEEK_SET) || lseek(fd, 0, SEEK_SET)) {
    rc = err_sys(err, LETHE_E_IO, "%s: cannot read the plan", path);
  }
  else {
    rc = load_whole(f, path, rs, p, err);
  }
  free(header);
  fclose(f);
  return rc;
}

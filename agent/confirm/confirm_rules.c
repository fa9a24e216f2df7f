/* Rules made from the owner's choices. */
#include "confirm_rules.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_check.h"
#include "sources.h"
#include "uri.h"

#define RULE_FILE "lethe confirm"

lethe_rc confirm_glob_literal(const char *path, struct dynbuf *out)
{
  lethe_rc rc = LETHE_OK;
  for(const char *p = path; *p && !rc; p++) {
    if(strchr("\\*?[]", *p))
      rc = db_add(out, "\\", 1);
    if(!rc)
      rc = db_add(out, p, 1);
  }
  return rc;
}

/* "confirm-Documents": the folder's last name, in the characters a rule
 * name may have; "-2" and on when two folders share it. */
static char *rule_name(const char *folder, const struct ruleset *rs)
{
  const char *base = strrchr(folder, '/') ? strrchr(folder, '/') + 1 : folder;
  char name[96];
  size_t n = (size_t)snprintf(name, sizeof(name), "confirm-");
  for(const char *p = base; *p && n < 64; p++)
    name[n++] = isalnum((unsigned char)*p) || strchr("._-", *p) ? *p : '_';
  name[n] = '\0';
  for(unsigned k = 2; rules_find(rs, name); k++)
    snprintf(name + n, sizeof(name) - n, "-%u", k);
  return strdup(name);
}

static lethe_rc fill(struct rule *r, const struct confirm_config *c, const char *folder,
                     const struct ruleset *rs)
{
  struct dynbuf uri;
  lethe_rc rc;
  db_init(&uri, 65536);
  rc = db_adds(&uri, "file://");
  if(!rc)
    rc = uri_encode_path(folder, strlen(folder), &uri);
  r->name = rule_name(folder, rs);
  r->file = strdup(RULE_FILE);
  r->source = strdup(db_str(&uri));
  r->action = strdup(c->action);
  r->basis = strdup(c->policy ? c->policy : "lethe confirm: personal data the owner chose "
                    "to delete");
  if(asprintf(&r->description, "Personal data found by lethe confirm in %s and deleted "
              "at the choice of %s <%s>", folder, c->name, c->email) < 0)
    r->description = NULL;
  r->has_retain = true;
  r->retain = (struct duration){ 0, DURATION_DAYS };
  db_release(&uri);
  if(!rc && !(r->name && r->file && r->source && r->action && r->basis && r->description))
    rc = LETHE_E_NOMEM;
  return rc;
}

static lethe_rc add_rule(struct ruleset *rs, struct rule *r)
{
  struct rule **v = realloc(rs->rules, (rs->n_rules + 1) * sizeof(*v));
  if(!v)
    return LETHE_E_NOMEM;
  rs->rules = v;
  v[rs->n_rules++] = r;
  return LETHE_OK;
}

/* The rule of folder i, or LETHE_OK with nothing added when no file of it
 * is to be deleted. */
static lethe_rc folder_rule(const struct confirm_config *c, const struct sweep *s, size_t i,
                            struct ruleset *rs)
{
  struct rule *r = NULL;
  struct dynbuf pattern;
  lethe_rc rc = LETHE_OK;
  db_init(&pattern, 65536);
  for(size_t k = 0; k < s->n && !rc; k++) {
    if(s->files[k].folder != i || s->files[k].fate != SWEEP_DELETE)
      continue;
    if(!r) {
      r = calloc(1, sizeof(*r));
      rc = r ? fill(r, c, c->folders.v[i], rs) : LETHE_E_NOMEM;
      if(r) {
        lethe_rc added = add_rule(rs, r);
        if(added) {
          free(r);
          return added;
        }
      }
    }
    db_reset(&pattern);
    if(!rc)
      rc = confirm_glob_literal(s->files[k].rel, &pattern);
    if(!rc)
      rc = strlist_add(&r->select, db_str(&pattern));
  }
  db_release(&pattern);
  return rc;
}

lethe_rc confirm_rules_make(const struct confirm_config *c, const struct sweep *s,
                            struct ruleset *rs, struct diag *d)
{
  lethe_rc rc = LETHE_OK;
  memset(rs, 0, sizeof(*rs));
  for(size_t i = 0; i < c->folders.n && !rc; i++)
    rc = folder_rule(c, s, i, rs);
  if(!rc)
    rc = rules_finish(rs, d);
  if(!rc)
    rc = sources_bind(rs, d);
  if(!rc)
    rc = plugins_check_rules(&c->agent, rs, d);
  return rc;
}

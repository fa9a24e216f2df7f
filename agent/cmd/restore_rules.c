/* The rules lethe restore-check judges an archive by: each configured rule
 * with a clock deleted:RULE, copied to look at the archive given instead of
 * its own source (a file: its directory, with the archive as the only
 * `inside`; a directory such as a mounted tape: that directory, with the
 * rule's own `inside` patterns). Everything else of the rule holds: its
 * subject pattern, its history of deletions, its action. */
#include "restore_rules.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "uri.h"

/* A glob matching exactly name: every character escaped. */
static char *escaped(const char *name)
{
  size_t n = strlen(name);
  char *g = malloc(2 * n + 1), *p = g;
  if(!g)
    return NULL;
  for(size_t i = 0; i < n; i++) {
    *p++ = '\\';
    *p++ = name[i];
  }
  *p = '\0';
  return g;
}

static lethe_rc source_uri(const char *dir, char **out)
{
  struct dynbuf b;
  lethe_rc rc;
  db_init(&b, 65536);
  rc = db_adds(&b, "file://");
  if(!rc)
    rc = uri_encode_path(dir, strlen(dir), &b);
  *out = rc ? NULL : strdup(db_str(&b));
  db_release(&b);
  return rc ? rc : *out ? LETHE_OK : LETHE_E_NOMEM;
}

/* The settings of r, with `inside` replaced by glob when glob is set. */
static lethe_rc settings_for(const struct rule *r, struct rule *c, char *glob)
{
  size_t n = 0;
  c->settings = calloc(r->n_settings + 2, sizeof(*c->settings));
  c->setting_lines = calloc(r->n_settings + 2, sizeof(*c->setting_lines));
  if(!c->settings || !c->setting_lines)
    return LETHE_E_NOMEM;
  for(size_t i = 0; i < r->n_settings; i++) {
    if(glob && !strcmp(r->settings[i].key, "inside"))
      continue;
    c->setting_lines[n] = r->setting_lines[i];
    c->settings[n++] = r->settings[i];
  }
  if(glob) {
    c->setting_lines[n] = r->line;
    c->settings[n++] = (struct lethe_setting){ .key = "inside", .value = glob };
  }
  c->n_settings = n;
  return LETHE_OK;
}

static lethe_rc clone_for(const struct rule *r, const char *path, bool is_dir,
                          struct restore_target *t)
{
  char *copy = strdup(path), *slash;
  lethe_rc rc = copy ? LETHE_OK : LETHE_E_NOMEM;
  t->rule = *r;
  t->rule.root = t->rule.source = NULL;
  t->rule.settings = NULL;
  t->rule.setting_lines = NULL;
  t->glob = NULL;
  slash = copy ? strrchr(copy, '/') : NULL;
  if(!rc && !is_dir) {
    t->glob = escaped(slash + 1);
    if(!t->glob)
      rc = LETHE_E_NOMEM;
    slash[slash == copy ? 1 : 0] = '\0'; /* "/x.tar" lives in "/" */
  }
  if(!rc)
    rc = settings_for(r, &t->rule, t->glob);
  if(!rc)
    rc = source_uri(copy, &t->rule.source);
  t->rule.root = copy;
  return rc;
}

lethe_rc restore_targets(const struct ruleset *rs, const char *only, char *const *paths,
                         size_t n_paths, struct restore_set *out, struct lethe_err *err)
{
  lethe_rc rc = LETHE_OK;
  memset(out, 0, sizeof(*out));
  out->v = calloc(rs->n_rules * n_paths + 1, sizeof(*out->v));
  out->rules = calloc(rs->n_rules * n_paths + 1, sizeof(*out->rules));
  if(!out->v || !out->rules)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  for(size_t p = 0; p < n_paths && !rc; p++) {
    char real[PATH_MAX];
    struct stat st;
    if(!realpath(paths[p], real) || stat(real, &st))
      return err_sys(err, LETHE_E_USAGE, "%s", paths[p]);
    for(size_t i = 0; i < rs->n_rules && !rc; i++) {
      const struct rule *r = rs->rules[i];
      if(r->clock != CLOCK_DELETED || (only && strcmp(only, r->name)))
        continue;
      rc = clone_for(r, real, S_ISDIR(st.st_mode), &out->v[out->n]);
      out->rules[out->n] = &out->v[out->n].rule;
      out->n++;
    }
  }
  if(rc)
    return err_set(err, rc, "out of memory");
  if(!out->n && only)
    return err_set(err, LETHE_E_USAGE, "no rule %s with a clock deleted:RULE", only);
  if(!out->n)
    return err_set(err, LETHE_E_USAGE, "no rule with a clock deleted:RULE: restore-check has "
                   "nothing to judge archives by");
  out->ruleset = (struct ruleset){ .rules = out->rules, .n_rules = out->n,
                                   .holds = rs->holds, .n_holds = rs->n_holds };
  return LETHE_OK;
}

void restore_targets_release(struct restore_set *s)
{
  for(size_t i = 0; i < s->n; i++) {
    free(s->v[i].rule.root);
    free(s->v[i].rule.source);
    free(s->v[i].rule.settings);
    free(s->v[i].rule.setting_lines);
    free(s->v[i].glob);
  }
  free(s->v);
  free(s->rules);
  memset(s, 0, sizeof(*s));
}

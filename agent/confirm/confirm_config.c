/* Reading confirm.ini. */
#include "confirm_config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "glob.h"
#include "inifile.h"
#include "mail.h"
#include "scan.h"

static const char *const default_folders[] = { "Downloads", "Desktop", "Documents" };

struct loader {
  struct confirm_config *c;
  struct diag *d;
  const char *path;
  enum { IN_NONE, IN_CONFIRM, IN_KEEP, IN_OTHER } in;
  struct confirm_keep *keep;   /* the [keep NAME] being read */
};

static char *home_dir(void)
{
  const char *home = getenv("HOME");
  struct passwd *pw;
  if(home && home[0] == '/')
    return strdup(home);
  pw = getpwuid(getuid());
  return pw && pw->pw_dir ? strdup(pw->pw_dir) : NULL;
}

char *confirm_config_path(const char *cli_path)
{
  const char *xdg = getenv("XDG_CONFIG_HOME");
  char *home, *out = NULL;
  if(cli_path)
    return strdup(cli_path);
  if(xdg && xdg[0] == '/') {
    if(asprintf(&out, "%s/lethe/" CONFIRM_CONFIG_NAME, xdg) < 0)
      out = NULL;
    return out;
  }
  home = home_dir();
  if(home && asprintf(&out, "%s/.config/lethe/" CONFIRM_CONFIG_NAME, home) < 0)
    out = NULL;
  free(home);
  return out;
}

/* value made absolute: "~/x" from home; a relative path from home when
 * from_home, else from the configuration file's directory. */
static char *expand(const struct loader *l, const char *value, bool from_home)
{
  char *out = NULL;
  if(!strncmp(value, "~/", 2) || !strcmp(value, "~")) {
    if(asprintf(&out, "%s%s", l->c->home, value + 1) < 0)
      out = NULL;
    return out;
  }
  if(value[0] == '/' || !from_home)
    return config_resolve(l->path, value);
  if(asprintf(&out, "%s/%s", l->c->home, value) < 0)
    out = NULL;
  return out;
}

static void set_once(struct loader *l, char **slot, char *value, const char *key, int line)
{
  if(*slot) {
    diag_error(l->d, l->path, line, "'%s' given twice", key);
    free(value);
    return;
  }
  *slot = value;
}

static bool agent_key(struct loader *l, const char *key, const char *value, int line)
{
  struct config *a = &l->c->agent;
  char **slot = !strcmp(key, "key") ? &a->key_path : !strcmp(key, "state") ? &a->state_dir
                : !strcmp(key, "ledger") ? &a->ledger_dir
                : !strcmp(key, "plugins") ? &a->plugins_dir : NULL;
  if(!slot)
    return false;
  set_once(l, slot, expand(l, value, false), key, line);
  return true;
}

static void confirm_key(struct loader *l, const char *key, const char *value, int line)
{
  struct confirm_config *c = l->c;
  char err[256];
  if(agent_key(l, key, value, line))
    return;
  if(!strcmp(key, "folder") || !strcmp(key, "folders")) {
    char *dir = expand(l, value, true);
    if(!dir || strlist_add(&c->folders, dir))
      diag_error(l->d, l->path, line, "out of memory");
    free(dir);
  } else if(!strcmp(key, "name") || !strcmp(key, "email") || !strcmp(key, "branch") ||
            !strcmp(key, "policy") || !strcmp(key, "statement") || !strcmp(key, "action")) {
    char **slot = !strcmp(key, "name") ? &c->name : !strcmp(key, "email") ? &c->email
                  : !strcmp(key, "branch") ? &c->branch : !strcmp(key, "policy") ? &c->policy
                  : !strcmp(key, "statement") ? &c->statement : &c->action;
    set_once(l, slot, strdup(value), key, line);
  } else if(!strcmp(key, "remote")) {
    set_once(l, &c->agent.remote, strdup(value), key, line);
  } else if(!strcmp(key, "clients")) {
    set_once(l, &c->clients, expand(l, value, false), key, line);
  } else if(!strcmp(key, "contains")) {
    if(scan_detectors_parse(value, &c->detectors, err, sizeof(err)))
      diag_error(l->d, l->path, line, "contains: %s", err);
  } else {
    diag_error(l->d, l->path, line, "unknown key '%s' in [confirm] (known: name, email, "
               "folder, remote, branch, clients, contains, policy, statement, action, key, "
               "state, ledger, plugins)", key);
  }
}

static void keep_key(struct loader *l, const char *key, const char *value, int line)
{
  struct lethe_err err = { 0 };
  if(!strcmp(key, "path")) {
    if(glob_check(value, &err))
      diag_error(l->d, l->path, line, "path: %s", err.msg);
    set_once(l, &l->keep->pattern, strdup(value), key, line);
  } else if(!strcmp(key, "reason")) {
    set_once(l, &l->keep->reason, strdup(value), key, line);
  } else {
    diag_error(l->d, l->path, line, "unknown key '%s' in [keep %s] (known: path, reason)",
               key, l->keep->name);
  }
}

static void on_section(struct loader *l, const char *section, int line)
{
  struct confirm_keep *v;
  l->in = IN_OTHER;
  if(!strcmp(section, "confirm")) {
    l->in = IN_CONFIRM;
    return;
  }
  if(strncmp(section, "keep ", 5) || !section[5]) {
    diag_error(l->d, l->path, line, "unknown section [%s] (known: [confirm], [keep NAME])",
               section);
    return;
  }
  v = realloc(l->c->keeps, (l->c->n_keeps + 1) * sizeof(*v));
  if(!v)
    return;
  l->c->keeps = v;
  l->keep = &v[l->c->n_keeps++];
  memset(l->keep, 0, sizeof(*l->keep));
  l->keep->name = strdup(section + 5);
  l->keep->line = line;
  l->in = IN_KEEP;
}

static void on_pair(void *ctx, const char *section, const char *key, const char *value,
                    int line)
{
  struct loader *l = ctx;
  if(!key)
    on_section(l, section, line);
  else if(l->in == IN_NONE)
    diag_error(l->d, l->path, line, "'%s' outside any section", key);
  else if(!*value)
    diag_error(l->d, l->path, line, "'%s' is empty", key);
  else if(l->in == IN_CONFIRM)
    confirm_key(l, key, value, line);
  else if(l->in == IN_KEEP)
    keep_key(l, key, value, line);
}

/* "confirm/EMAIL/HOST": one branch per person and machine on the central
 * ledger, so that no two writers ever push to the same branch. */
static char *default_branch(const char *email)
{
  char host[256] = "", *out = NULL;
  gethostname(host, sizeof(host) - 1);
  for(char *p = host; *p; p++)
    if(!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", *p))
      *p = '_';
  if(asprintf(&out, "confirm/%s/%s", email, *host ? host : "localhost") < 0)
    out = NULL;
  return out;
}

static char *path_in(const char *dir, const char *name)
{
  char *out = NULL;
  if(asprintf(&out, "%s/%s", dir, name) < 0)
    out = NULL;
  return out;
}

/* The state directory: $XDG_STATE_HOME/lethe or ~/.local/state/lethe. */
static char *default_state(const struct confirm_config *c)
{
  const char *xdg = getenv("XDG_STATE_HOME");
  char *out = NULL;
  if(xdg && xdg[0] == '/')
    return path_in(xdg, "lethe");
  if(asprintf(&out, "%s/.local/state/lethe", c->home) < 0)
    out = NULL;
  return out;
}

static lethe_rc apply_defaults(struct loader *l)
{
  struct confirm_config *c = l->c;
  struct config *a = &c->agent;
  bool defaults = !c->folders.n;
  for(size_t i = 0; defaults && i < 3; i++) {
    char *dir = path_in(c->home, default_folders[i]);
    lethe_rc rc = dir ? strlist_add(&c->folders, dir) : LETHE_E_NOMEM;
    free(dir);
    if(rc)
      return rc;
  }
  if(!a->key_path)
    a->key_path = config_resolve(l->path, "signing.key");
  if(!a->state_dir)
    a->state_dir = default_state(c);
  if(!a->ledger_dir && a->state_dir)
    a->ledger_dir = path_in(a->state_dir, "ledger");
  if(!a->plugins_dir)
    a->plugins_dir = strdup(config_default_plugins_dir());
  if(!a->rules_dir && a->state_dir)
    a->rules_dir = path_in(a->state_dir, "no-rules");
  if(!c->action)
    c->action = strdup("shred");
  if(!c->branch && c->email)
    c->branch = default_branch(c->email);
  return a->key_path && a->state_dir && a->ledger_dir && a->plugins_dir && a->rules_dir &&
         c->action ? LETHE_OK : LETHE_E_NOMEM;
}

static void check(struct loader *l)
{
  struct confirm_config *c = l->c;
  if(!c->name)
    diag_error(l->d, l->path, 0, "[confirm] has no 'name' (yours, as the roster has it)");
  if(!c->email || !mail_address_ok(c->email))
    diag_error(l->d, l->path, 0, "[confirm] needs 'email', a plain e-mail address (yours, "
               "as the roster has it)");
  if(strcmp(c->action, "shred") && strcmp(c->action, "unlink"))
    diag_error(l->d, l->path, 0, "action '%s': expected shred or unlink", c->action);
  if(c->branch && (strstr(c->branch, "..") || strpbrk(c->branch, " ~^:?*[\\") ||
                   c->branch[0] == '/' || strstr(c->branch, "@{")))
    diag_error(l->d, l->path, 0, "branch '%s' is not a valid git branch name", c->branch);
  for(size_t i = 0; i < c->n_keeps; i++)
    if(!c->keeps[i].pattern || !c->keeps[i].reason)
      diag_error(l->d, l->path, c->keeps[i].line, "[keep %s] needs both 'path' and 'reason'",
                 c->keeps[i].name);
}

lethe_rc confirm_config_load(const char *path, struct confirm_config *c, struct diag *d)
{
  struct loader l = { .c = c, .d = d, .path = path };
  unsigned before = d->errors;
  lethe_rc rc;
  memset(c, 0, sizeof(*c));
  c->path = strdup(path);
  c->home = home_dir();
  if(!c->path || !c->home) {
    diag_error(d, path, 0, "cannot tell the home directory");
    return LETHE_E_CONFIG;
  }
  rc = inifile_parse(path, on_pair, &l, d);
  if(rc)
    return rc;
  rc = apply_defaults(&l);
  if(rc)
    return rc;
  check(&l);
  return d->errors > before ? LETHE_E_CONFIG : LETHE_OK;
}

void confirm_config_release(struct confirm_config *c)
{
  free(c->path);
  free(c->home);
  free(c->name);
  free(c->email);
  strlist_release(&c->folders);
  free(c->branch);
  free(c->clients);
  free(c->policy);
  free(c->statement);
  free(c->action);
  for(size_t i = 0; i < c->n_keeps; i++) {
    free(c->keeps[i].name);
    free(c->keeps[i].pattern);
    free(c->keeps[i].reason);
  }
  free(c->keeps);
  config_release(&c->agent);
  memset(c, 0, sizeof(*c));
}

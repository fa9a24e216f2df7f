#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "inifile.h"

#ifndef LETHE_PLUGINDIR
#define LETHE_PLUGINDIR "/usr/lib/lethe/plugins"
#endif

struct loader {
  struct config *cfg;
  struct diag *d;
  const char *path;
  int in_agent;   /* 1 inside [agent], 2 inside [smtp], 0 before any section,
                     -1 elsewhere */
  int certificates_line; /* where 'certificates' was given, or 0 */
};

const char *config_choose_path(const char *cli_path)
{
  const char *env = getenv("LETHE_CONFIG");
  if(cli_path)
    return cli_path;
  if(env && *env)
    return env;
  return CONFIG_DEFAULT_PATH;
}

char *config_resolve(const char *base_file, const char *path)
{
  const char *slash;
  char *out;
  size_t dirlen;
  if(path[0] == '/')
    return strdup(path);
  slash = strrchr(base_file, '/');
  if(!slash)
    return strdup(path);
  dirlen = (size_t)(slash - base_file);
  out = malloc(dirlen + 1 + strlen(path) + 1);
  if(!out)
    return NULL;
  memcpy(out, base_file, dirlen);
  out[dirlen] = '/';
  strcpy(out + dirlen + 1, path);
  return out;
}

static char **slot_for(struct config *cfg, const char *key)
{
  if(!strcmp(key, "rules"))
    return &cfg->rules_dir;
  if(!strcmp(key, "state"))
    return &cfg->state_dir;
  if(!strcmp(key, "ledger"))
    return &cfg->ledger_dir;
  if(!strcmp(key, "key"))
    return &cfg->key_path;
  if(!strcmp(key, "plugins"))
    return &cfg->plugins_dir;
  if(!strcmp(key, "remote"))
    return &cfg->remote;
  return NULL;
}

/* certificates = required (the default: no deletion without a usable
 * signing key) or may-wait (delete, and certify once there is a key). */
static void certificates(struct loader *l, const char *value, int line)
{
  if(l->certificates_line)
    diag_error(l->d, l->path, line, "'certificates' given twice");
  else if(!strcmp(value, "may-wait"))
    l->cfg->certificates_may_wait = true;
  else if(strcmp(value, "required"))
    diag_error(l->d, l->path, line, "certificates '%s': expected 'required' or 'may-wait'",
               value);
  l->certificates_line = line;
}

/* keep-journals = DURATION: how long a certified run's journal stays. */
static void keep_journals(struct loader *l, const char *value, int line)
{
  struct lethe_err err = { 0 };
  if(l->cfg->keep_journals_given) {
    diag_error(l->d, l->path, line, "'keep-journals' given twice");
    return;
  }
  l->cfg->keep_journals_given = true;
  if(duration_parse(value, &l->cfg->keep_journals, &err))
    diag_error(l->d, l->path, line, "keep-journals: %s", err.msg);
}

static void on_pair(void *ctx, const char *section, const char *key, const char *value,
                    int line)
{
  struct loader *l = ctx;
  char **slot;
  if(!key) {
    l->in_agent = !strcmp(section, "agent") ? 1 : !strcmp(section, "smtp") ? 2 : -1;
    if(l->in_agent == 2)
      smtp_settings_begin(&l->cfg->smtp, line);
    if(l->in_agent < 0)
      diag_error(l->d, l->path, line, "unknown section [%s] (only [agent] and [smtp] "
                 "belong here; rules go in the rules directory)", section);
    return;
  }
  if(l->in_agent < 0)
    return; /* already reported at the section header */
  if(l->in_agent == 2) {
    smtp_settings_key(&l->cfg->smtp, l->path, key, value, line, l->d);
    return;
  }
  if(l->in_agent == 0) {
    diag_error(l->d, l->path, line, "'%s' outside any section", key);
    return;
  }
  if(!strcmp(key, "certificates")) {
    certificates(l, value, line);
    return;
  }
  if(!strcmp(key, "keep-journals")) {
    keep_journals(l, value, line);
    return;
  }
  slot = slot_for(l->cfg, key);
  if(!slot) {
    diag_error(l->d, l->path, line, "unknown key '%s' in [agent] (known: rules, state, "
               "ledger, key, plugins, remote, certificates, keep-journals)", key);
    return;
  }
  if(*slot) {
    diag_error(l->d, l->path, line, "'%s' given twice", key);
    return;
  }
  if(!*value) {
    diag_error(l->d, l->path, line, "'%s' is empty", key);
    return;
  }
  *slot = slot == &l->cfg->remote ? strdup(value) : config_resolve(l->path, value);
}

static lethe_rc set_default(char **slot, const char *value)
{
  if(*slot)
    return LETHE_OK;
  *slot = strdup(value);
  return *slot ? LETHE_OK : LETHE_E_NOMEM;
}

/* Run from its build tree (BUILD/agent/lethe), lethe loads the plugins
 * built beside it (BUILD/plugins/all holds a link to each), so the demo and
 * the tests need no install. An installed lethe is never that file. */
const char *config_default_plugins_dir(void)
{
#ifdef LETHE_BUILD_ROOT
  static const char self_in_tree[] = LETHE_BUILD_ROOT "/agent/lethe";
  char self[sizeof(self_in_tree) + 1];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self));
  if(n == (ssize_t)sizeof(self_in_tree) - 1 && !memcmp(self, self_in_tree, (size_t)n))
    return LETHE_BUILD_ROOT "/plugins/all";
#endif
  return LETHE_PLUGINDIR;
}

static lethe_rc apply_defaults(struct config *cfg)
{
  lethe_rc rc = set_default(&cfg->rules_dir, "/etc/lethe/rules.d");
  if(!rc)
    rc = set_default(&cfg->state_dir, "/var/lib/lethe");
  if(!rc && !cfg->ledger_dir) {
    cfg->ledger_dir = malloc(strlen(cfg->state_dir) + sizeof("/ledger"));
    if(!cfg->ledger_dir)
      return LETHE_E_NOMEM;
    strcpy(cfg->ledger_dir, cfg->state_dir);
    strcat(cfg->ledger_dir, "/ledger");
  }
  if(!rc)
    rc = set_default(&cfg->key_path, "/etc/lethe/signing.key");
  if(!rc)
    rc = set_default(&cfg->plugins_dir, config_default_plugins_dir());
  if(!cfg->keep_journals_given)
    cfg->keep_journals = (struct duration){ CONFIG_KEEP_JOURNALS_DAYS, DURATION_DAYS };
  return rc;
}

lethe_rc config_load(const char *path, struct config *cfg, struct diag *d)
{
  struct loader l = { .cfg = cfg, .d = d, .path = path };
  unsigned before = d->errors;
  lethe_rc rc;
  memset(cfg, 0, sizeof(*cfg));
  cfg->path = strdup(path);
  if(!cfg->path)
    return LETHE_E_NOMEM;
  rc = inifile_parse(path, on_pair, &l, d);
  if(rc)
    return rc;
  rc = apply_defaults(cfg);
  if(rc)
    return rc;
  smtp_settings_finish(&cfg->smtp, path, d);
  return d->errors > before ? LETHE_E_CONFIG : LETHE_OK;
}

void config_release(struct config *cfg)
{
  free(cfg->path);
  free(cfg->rules_dir);
  free(cfg->state_dir);
  free(cfg->ledger_dir);
  free(cfg->key_path);
  free(cfg->plugins_dir);
  free(cfg->remote);
  smtp_settings_release(&cfg->smtp);
  memset(cfg, 0, sizeof(*cfg));
}

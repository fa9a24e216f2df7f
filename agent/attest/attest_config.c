/* Reading attestations.ini. */
#include "attest_config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "inifile.h"
#include "mail.h"

enum section { SEC_NONE, SEC_ATTESTATIONS, SEC_SMTP, SEC_OTHER };

struct loader {
  struct attest_config *c;
  struct diag *d;
  const char *path;
  enum section in;
  bool has_within;
};

struct key {
  enum section sec;
  const char *name;
  size_t off;                  /* of the char * in struct attest_config */
  bool path;                   /* relative to the file's directory */
};

#define SLOT(f) offsetof(struct attest_config, f)

static const struct key keys[] = {
  { SEC_ATTESTATIONS, "ledger", SLOT(ledger), true },
  { SEC_ATTESTATIONS, "roster", SLOT(roster), true },
  { SEC_ATTESTATIONS, "state", SLOT(state), true },
  { SEC_ATTESTATIONS, "dpo", SLOT(dpo), false },
};

static void on_section(struct loader *l, const char *section, int line)
{
  l->in = !strcmp(section, "attestations") ? SEC_ATTESTATIONS
          : !strcmp(section, "smtp") ? SEC_SMTP : SEC_OTHER;
  if(l->in == SEC_SMTP)
    smtp_settings_begin(&l->c->smtp, line);
  if(l->in == SEC_OTHER)
    diag_error(l->d, l->path, line, "unknown section [%s] (known: [attestations], [smtp])",
               section);
}

/* The keys that are not plain strings. */
static bool special(struct loader *l, const char *key, const char *value, int line)
{
  struct lethe_err err = { 0 };
  if(l->in == SEC_ATTESTATIONS && !strcmp(key, "remind-within")) {
    if(duration_parse(value, &l->c->within, &err))
      diag_error(l->d, l->path, line, "remind-within: %s", err.msg);
    l->has_within = true;
    return true;
  }
  if(l->in == SEC_SMTP) {
    smtp_settings_key(&l->c->smtp, l->path, key, value, line, l->d);
    return true;
  }
  return false;
}

static void on_pair(void *ctx, const char *section, const char *key, const char *value,
                    int line)
{
  struct loader *l = ctx;
  if(!key) {
    on_section(l, section, line);
    return;
  }
  if(l->in == SEC_OTHER)
    return; /* reported at its header */
  if(l->in == SEC_NONE) {
    diag_error(l->d, l->path, line, "'%s' outside any section", key);
    return;
  }
  if(special(l, key, value, line))
    return;
  for(size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    char **slot = (char **)((char *)l->c + keys[i].off);
    if(keys[i].sec != l->in || strcmp(keys[i].name, key))
      continue;
    if(*slot)
      diag_error(l->d, l->path, line, "'%s' given twice", key);
    else if(!*value)
      diag_error(l->d, l->path, line, "'%s' is empty", key);
    else
      *slot = keys[i].path ? config_resolve(l->path, value) : strdup(value);
    return;
  }
  diag_error(l->d, l->path, line, "unknown key '%s' in [attestations]", key);
}

static void check(struct loader *l)
{
  struct attest_config *c = l->c;
  if(!c->ledger)
    diag_error(l->d, l->path, 0, "[attestations] has no 'ledger' (the central ledger)");
  if(!c->roster)
    diag_error(l->d, l->path, 0, "[attestations] has no 'roster'");
  if(c->dpo && !mail_address_ok(c->dpo))
    diag_error(l->d, l->path, 0, "dpo: '%s' is not a plain e-mail address", c->dpo);
  smtp_settings_finish(&c->smtp, l->path, l->d);
}

lethe_rc attest_config_load(const char *path, struct attest_config *c, struct diag *d)
{
  struct loader l = { .c = c, .d = d, .path = path };
  unsigned before = d->errors;
  lethe_rc rc;
  memset(c, 0, sizeof(*c));
  c->within = (struct duration){ 14, DURATION_DAYS };
  c->path = strdup(path);
  if(!c->path)
    return LETHE_E_NOMEM;
  rc = inifile_parse(path, on_pair, &l, d);
  if(rc)
    return rc;
  if(!c->state)
    c->state = strdup(ATTEST_STATE_DEFAULT);
  check(&l);
  return d->errors > before ? LETHE_E_CONFIG : c->state ? LETHE_OK : LETHE_E_NOMEM;
}

void attest_config_smtp(const struct attest_config *c, struct smtp_server *s)
{
  smtp_settings_server(&c->smtp, s);
}

void attest_config_release(struct attest_config *c)
{
  char **strings[] = { &c->path, &c->ledger, &c->roster, &c->state, &c->dpo };
  for(size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
    free(*strings[i]);
  smtp_settings_release(&c->smtp);
  memset(c, 0, sizeof(*c));
}

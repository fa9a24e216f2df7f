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
  { SEC_SMTP, "url", SLOT(smtp_url), false },
  { SEC_SMTP, "from", SLOT(smtp_from), false },
  { SEC_SMTP, "user", SLOT(smtp_user), false },
  { SEC_SMTP, "credentials", SLOT(smtp_credentials), true },
  { SEC_SMTP, "ca", SLOT(smtp_ca), true },
};

static void on_section(struct loader *l, const char *section, int line)
{
  l->in = !strcmp(section, "attestations") ? SEC_ATTESTATIONS
          : !strcmp(section, "smtp") ? SEC_SMTP : SEC_OTHER;
  if(l->in == SEC_SMTP)
    l->c->has_smtp = true;
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
  if(l->in == SEC_SMTP && !strcmp(key, "tls")) {
    if(strcmp(value, "none") && strcmp(value, "required"))
      diag_error(l->d, l->path, line, "tls '%s': expected required (the default) or none",
                 value);
    l->c->smtp_tls_none = !strcmp(value, "none");
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
  diag_error(l->d, l->path, line, "unknown key '%s' in [%s]", key,
             l->in == SEC_SMTP ? "smtp" : "attestations");
}

static void check(struct loader *l)
{
  struct attest_config *c = l->c;
  struct smtp_server s;
  struct lethe_err err = { 0 };
  if(!c->ledger)
    diag_error(l->d, l->path, 0, "[attestations] has no 'ledger' (the central ledger)");
  if(!c->roster)
    diag_error(l->d, l->path, 0, "[attestations] has no 'roster'");
  if(c->dpo && !mail_address_ok(c->dpo))
    diag_error(l->d, l->path, 0, "dpo: '%s' is not a plain e-mail address", c->dpo);
  if(!c->has_smtp)
    return;
  if(!c->smtp_from || !mail_address_ok(c->smtp_from))
    diag_error(l->d, l->path, 0, "[smtp] needs 'from', a plain e-mail address");
  attest_config_smtp(c, &s);
  if(smtp_check(&s, &err))
    diag_error(l->d, l->path, 0, "[smtp]: %s", err.msg);
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
  memset(s, 0, sizeof(*s));
  s->url = c->smtp_url;
  s->user = c->smtp_user;
  s->credentials = c->smtp_credentials;
  s->ca_file = c->smtp_ca;
  s->tls_none = c->smtp_tls_none;
}

void attest_config_release(struct attest_config *c)
{
  char **strings[] = { &c->path, &c->ledger, &c->roster, &c->state, &c->dpo, &c->smtp_url,
                       &c->smtp_from, &c->smtp_user, &c->smtp_credentials, &c->smtp_ca };
  for(size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
    free(*strings[i]);
  memset(c, 0, sizeof(*c));
}

/* Reading an [smtp] section. */
#include "smtp_settings.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "credentials.h"
#include "mail.h"

struct key {
  const char *name;
  size_t off;                  /* of the char * in struct smtp_settings */
  bool path;                   /* relative to the file's directory */
};

#define SLOT(f) offsetof(struct smtp_settings, f)

static const struct key keys[] = {
  { "url", SLOT(url), false },
  { "from", SLOT(from), false },
  { "user", SLOT(user), false },
  { "credentials", SLOT(credentials), true },
  { "ca", SLOT(ca), true },
};

void smtp_settings_begin(struct smtp_settings *s, int line)
{
  if(!s->present)
    s->line = line;
  s->present = true;
}

static void set_tls(struct smtp_settings *s, const char *path, const char *value, int line,
                    struct diag *d)
{
  if(s->tls_seen)
    diag_error(d, path, line, "'tls' given twice");
  else if(strcmp(value, "none") && strcmp(value, "required"))
    diag_error(d, path, line, "tls '%s': expected required (the default) or none", value);
  s->tls_seen = true;
  s->tls_none = !strcmp(value, "none");
}

void smtp_settings_key(struct smtp_settings *s, const char *path, const char *key,
                       const char *value, int line, struct diag *d)
{
  if(!strcmp(key, "tls")) {
    set_tls(s, path, value, line, d);
    return;
  }
  for(size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    char **slot = (char **)((char *)s + keys[i].off);
    if(strcmp(keys[i].name, key))
      continue;
    if(*slot)
      diag_error(d, path, line, "'%s' given twice", key);
    else if(!*value)
      diag_error(d, path, line, "'%s' is empty", key);
    else if(!(*slot = keys[i].path ? config_resolve(path, value) : strdup(value)))
      diag_error(d, path, line, "out of memory");
    if(slot == &s->credentials)
      s->credentials_line = line;
    return;
  }
  diag_error(d, path, line, "unknown key '%s' in [smtp] (known: url, from, user, "
             "credentials, ca, tls)", key);
}

void smtp_settings_finish(const struct smtp_settings *s, const char *path, struct diag *d)
{
  struct smtp_server server;
  struct lethe_err err = { 0 };
  if(!s->present)
    return;
  if(!s->from || !mail_address_ok(s->from))
    diag_error(d, path, s->line, "[smtp] needs 'from', a plain e-mail address");
  smtp_settings_server(s, &server);
  if(smtp_check(&server, &err))
    diag_error(d, path, s->line, "[smtp]: %s", err.msg);
}

void smtp_settings_check_credentials(const struct smtp_settings *s, const char *path,
                                     struct diag *d)
{
  struct credentials *c;
  struct lethe_err err = { 0 };
  if(!s->present || !s->credentials)
    return;
  c = malloc(sizeof(*c));
  if(!c) {
    diag_error(d, path, s->credentials_line, "out of memory");
    return;
  }
  if(credentials_read(s->credentials, c, &err))
    diag_error(d, path, s->credentials_line, "credentials: %s", err.msg);
  credentials_wipe(c);
  free(c);
}

void smtp_settings_server(const struct smtp_settings *s, struct smtp_server *out)
{
  memset(out, 0, sizeof(*out));
  out->url = s->url;
  out->user = s->user;
  out->credentials = s->credentials;
  out->ca_file = s->ca;
  out->tls_none = s->tls_none;
}

void smtp_settings_release(struct smtp_settings *s)
{
  free(s->url);
  free(s->from);
  free(s->user);
  free(s->credentials);
  free(s->ca);
  memset(s, 0, sizeof(*s));
}

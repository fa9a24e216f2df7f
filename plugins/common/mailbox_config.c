/* Settings of the mailbox plugins, and the outcome helper. */
#include "mailbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mbx_outcome(struct lethe_outcome *o, enum lethe_result result, const char *fmt, ...)
{
  va_list ap;
  o->result = result;
  snprintf(o->level, sizeof(o->level), "%s", LETHE_LEVEL_NONE);
  va_start(ap, fmt);
  vsnprintf(o->error, sizeof(o->error), fmt, ap);
  va_end(ap);
}

void mbx_config_release(struct mbx_config *cfg)
{
  imap_url_release(&cfg->url);
  free(cfg->credentials);
  free(cfg->keyword);
  free(cfg->move_to);
  memset(cfg, 0, sizeof(*cfg));
}

static lethe_rc set_string(char **slot, const char *key, const char *value,
                           struct lethe_err *err)
{
  if(*slot)
    return err_set(err, LETHE_E_CONFIG, "setting '%s' given twice", key);
  *slot = strdup(value);
  return *slot ? LETHE_OK : err_set(err, LETHE_E_NOMEM, "out of memory");
}

static lethe_rc yes_no(const char *key, const char *value, bool *out, struct lethe_err *err)
{
  if(!strcmp(value, "yes") || !strcmp(value, "no")) {
    *out = !strcmp(value, "yes");
    return LETHE_OK;
  }
  return err_set(err, LETHE_E_CONFIG, "setting '%s': expected yes or no, got '%s'", key, value);
}

static bool in_list(const char *const *list, const char *key)
{
  for(; list && *list; list++)
    if(!strcmp(*list, key))
      return true;
  return false;
}

static lethe_rc one_setting(struct mbx_config *cfg, const struct lethe_setting *s,
                            bool move_ok, const char *const *extra, struct lethe_err *err)
{
  if(!strcmp(s->key, "credentials")) {
    if(s->value[0] != '/')
      return err_set(err, LETHE_E_CONFIG, "setting 'credentials': the host must pass an "
                     "absolute path, got '%s'", s->value);
    return set_string(&cfg->credentials, s->key, s->value, err);
  }
  if(!strcmp(s->key, "tls")) {
    if(strcmp(s->value, "required") && strcmp(s->value, "none"))
      return err_set(err, LETHE_E_CONFIG, "setting 'tls': expected required or none, got "
                     "'%s'", s->value);
    cfg->tls_none = !strcmp(s->value, "none");
    return LETHE_OK;
  }
  if(!strcmp(s->key, "hold-keyword")) {
    if(!imap_keyword_valid(s->value))
      return err_set(err, LETHE_E_CONFIG, "setting 'hold-keyword': '%s' is not an IMAP "
                     "keyword", s->value);
    return set_string(&cfg->keyword, s->key, s->value, err);
  }
  if(!strcmp(s->key, "allow-no-uidplus"))
    return yes_no(s->key, s->value, &cfg->allow_no_uidplus, err);
  if(move_ok && !strcmp(s->key, "move-to")) {
    lethe_rc rc = set_string(&cfg->move_to, s->key, s->value, err);
    struct dynbuf probe;
    if(rc)
      return rc;
    db_init(&probe, 16384);
    rc = imap_utf7_encode(s->value, strlen(s->value), &probe);
    db_release(&probe);
    return rc ? err_set(err, LETHE_E_CONFIG, "setting 'move-to': '%s' is not a folder name "
                        "(UTF-8, no NUL)", s->value) : LETHE_OK;
  }
  if(in_list(extra, s->key))
    return LETHE_OK;
  return err_set(err, LETHE_E_CONFIG, "setting '%s' is not one this plugin takes", s->key);
}

lethe_rc mbx_config_read(struct mbx_config *cfg, const struct lethe_rule_info *rule,
                         bool move_ok, const char *const *extra, struct lethe_err *err)
{
  lethe_rc rc;
  memset(cfg, 0, sizeof(*cfg));
  if(!rule->source)
    return err_set(err, LETHE_E_CONFIG, "the rule has no source");
  rc = imap_url_parse(rule->source, &cfg->url, err);
  for(size_t i = 0; !rc && i < rule->n_settings; i++)
    rc = one_setting(cfg, &rule->settings[i], move_ok, extra, err);
  if(!rc && !cfg->credentials)
    rc = err_set(err, LETHE_E_CONFIG, "setting 'credentials' is required");
  if(!rc && !cfg->keyword)
    rc = set_string(&cfg->keyword, "hold-keyword", "$LetheHold", err);
  if(!rc && cfg->tls_none && !cfg->url.imaps && !imap_host_is_loopback(cfg->url.host))
    rc = err_set(err, LETHE_E_CONFIG, "tls = none is only for a loopback test server, not "
                 "%s", cfg->url.host);
  if(rc)
    mbx_config_release(cfg);
  return rc;
}

/* The stores, and binding each rule to the store its source names. */
#include "sources.h"

#include <string.h>

#include "source_archive.h"
#include "source_file.h"
#include "source_graph.h"
#include "source_imap.h"

/* Every store this lethe knows, in the order unknown-scheme messages list
 * them. A new store adds its table here. */
static const struct source_ops *const stores[] = {
  &source_file_ops,
  &source_archive_ops,
  &source_imap_ops,
  &source_graph_ops,
};

#define N_STORES (sizeof(stores) / sizeof(stores[0]))

static bool owns(const struct source_ops *ops, const struct rule *r)
{
  for(const char *const *s = ops->schemes; *s; s++)
    if(!strncmp(r->source, *s, strlen(*s)))
      return !ops->claim_key || rule_setting(r, ops->claim_key);
  return false;
}

/* A store that claims the rule by one of its settings goes first. */
static const struct source_ops *find_store(const struct rule *r)
{
  for(int pass = 0; pass < 2; pass++)
    for(size_t i = 0; i < N_STORES; i++)
      if(!stores[i]->claim_key == (pass == 1) && owns(stores[i], r))
        return stores[i];
  return NULL;
}

static void unknown_scheme(const struct rule *r, struct diag *d)
{
  char list[256] = "";
  size_t used = 0, n = 0, total = 0;
  for(size_t i = 0; i < N_STORES; i++)
    for(const char *const *s = stores[i]->schemes; *s; s++)
      total++;
  for(size_t i = 0; i < N_STORES; i++) {
    for(const char *const *s = stores[i]->schemes; *s && used < sizeof(list); s++) {
      n++;
      used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
                               n == 1 ? "" : n == total ? " or " : ", ", *s);
    }
  }
  diag_error(d, r->file, r->source_line, "source '%s': unknown scheme (expected %s)",
             r->source, list);
}

lethe_rc source_identity(uint32_t store, const char *text, struct lethe_identity *out)
{
  memset(out, 0, sizeof(*out));
  out->struct_size = sizeof(*out);
  out->store = store;
  out->text = text;
  if(!text)
    return LETHE_E_PARSE;
  for(size_t i = 0; i < N_STORES; i++)
    if(stores[i]->store == store)
      return stores[i]->identity(text, out);
  return LETHE_E_PARSE;
}

const struct source_ops *source_of(const struct rule *r)
{
  return r->ops;
}

bool source_takes(const struct rule *r, const char *key, size_t n)
{
  if(!r->ops)
    return false;
  for(const char *const *k = r->ops->keys; k && *k; k++)
    if(strlen(*k) == n && !strncmp(*k, key, n))
      return true;
  return false;
}

/* The agent's own settings are judged here; the others are the source's
 * (which finish_rule judges) or the plugin's (plugins_check_rules). */
static void check_settings(const struct rule *r, struct diag *d)
{
  for(size_t i = 0; i < r->n_settings; i++)
    (void)rules_host_key(r, &r->settings[i], r->setting_lines[i], d);
}

static void check_clock(struct rule *r, struct diag *d)
{
  if(!r->has_clock)
    r->clock = r->ops->default_clock;
  else if(r->clock != CLOCK_EVENTS && !(r->ops->clocks & SOURCE_CLOCK(r->clock)))
    diag_error(d, r->file, r->line, "[rule %s]: clock '%s' does not apply to source '%s'",
               r->name, clock_name(r->clock), r->source);
}

lethe_rc sources_bind(struct ruleset *rs, struct diag *d)
{
  unsigned before = d->errors;
  for(size_t i = 0; i < rs->n_rules; i++) {
    struct rule *r = rs->rules[i];
    if(r->source) {
      r->ops = find_store(r);
      if(!r->ops)
        unknown_scheme(r, d);
    }
    check_settings(r, d);
    if(!r->ops)
      continue;
    r->ops->finish_rule(r, d);
    check_clock(r, d);
  }
  return d->errors > before ? LETHE_E_CONFIG : LETHE_OK;
}

/* The second half of loading rules: once every file is read, each rule is
 * checked as a whole (required keys, a clock that suits the source, settings
 * that belong to its action, events files) and each hold too. */
#include "rules.h"

#include <stdbool.h>
#include <string.h>

#include "events.h"
#include "source_imap.h"

/* Settings each built-in action's plugin takes (documented in lethe.ini(5)).
 * A third-party action's settings are checked by its plugin when it loads. */
struct action_keys {
  const char *action;
  const char *const keys[8];
};

static const struct action_keys action_settings[] = {
  { "shred", { "passes", "zero-pass", "verify" } },
  { "unlink", { NULL } },
  { "archive-then-shred", { "archive-dir", "archive-format", "passes", "zero-pass", "verify" } },
  { "exec", { "command", "timeout", "level" } },
  { "expunge", { "move-to", "allow-no-uidplus" } },
  { "archive-then-expunge", { "archive-path", "archive-format", "allow-no-uidplus" } },
  { "graph-delete", { NULL } },
  { "archive-purge", { NULL } },
};

/* Settings the agent itself reads, whatever the action. */
static const char *const host_keys[] = { "remove-empty-dirs", NULL };
/* Settings of mailbox sources. */
static const char *const mailbox_keys[] = { "credentials", "tls", "hold-keyword", NULL };

static bool clock_suits(enum source_kind kind, enum clock_kind clock)
{
  switch(clock) {
  case CLOCK_EVENTS:
    return true;
  case CLOCK_INTERNALDATE:
  case CLOCK_SENTDATE:
    return kind == SOURCE_IMAP;
  case CLOCK_RECEIVED:
    return kind == SOURCE_GRAPH;
  default:
    return kind == SOURCE_FILE;
  }
}

static enum clock_kind default_clock(enum source_kind kind)
{
  if(kind == SOURCE_IMAP)
    return CLOCK_INTERNALDATE;
  if(kind == SOURCE_GRAPH)
    return CLOCK_RECEIVED;
  return CLOCK_MTIME;
}

static const struct action_keys *builtin_keys(const char *action)
{
  for(size_t i = 0; i < sizeof(action_settings) / sizeof(action_settings[0]); i++)
    if(!strcmp(action_settings[i].action, action))
      return &action_settings[i];
  return NULL;
}

static bool key_in(const char *const *keys, const char *setting, size_t n)
{
  for(; *keys; keys++)
    if(strlen(*keys) == n && !strncmp(*keys, setting, n))
      return true;
  return false;
}

static void check_remove_empty_dirs(const struct rule *r, const char *value, int line,
                                    struct diag *d)
{
  if(strcmp(value, "yes") && strcmp(value, "no") && strcmp(value, "subject"))
    diag_error(d, r->file, line, "remove-empty-dirs '%s': expected yes, no or subject",
               value);
}

/* Every setting must belong to the host, the source or the built-in action;
 * a third-party action's plugin judges its own when it loads. */
static void check_settings(const struct rule *r, struct diag *d)
{
  const struct action_keys *ak = r->action ? builtin_keys(r->action) : NULL;
  for(size_t i = 0; i < r->settings.n; i++) {
    const char *s = r->settings.v[i];
    size_t n = strcspn(s, "=");
    int line = r->setting_lines[i];
    if(key_in(host_keys, s, n)) {
      check_remove_empty_dirs(r, s + n + 1, line, d);
      continue;
    }
    if(r->kind != SOURCE_FILE && key_in(mailbox_keys, s, n))
      continue;
    if(!ak || key_in(ak->keys, s, n))
      continue; /* no action (reported), a third-party one, or a known key */
    diag_error(d, r->file, line, "unknown key '%.*s' in [rule %s] for action %s", (int)n, s,
               r->name, ak->action);
  }
}

static lethe_rc finish_rule(struct rule *r, struct diag *d)
{
  check_settings(r, d);
  if(r->kind == SOURCE_IMAP && r->source)
    source_imap_finish_rule(r, d);
  if(!r->source)
    diag_error(d, r->file, r->line, "[rule %s] has no 'source'", r->name);
  if(!r->has_retain)
    diag_error(d, r->file, r->line, "[rule %s] has no 'retain'", r->name);
  if(!r->action)
    diag_error(d, r->file, r->line, "[rule %s] has no 'action'", r->name);
  if(!r->source)
    return LETHE_OK;
  if(!r->has_clock)
    r->clock = default_clock(r->kind);
  else if(!clock_suits(r->kind, r->clock))
    diag_error(d, r->file, r->line, "[rule %s]: clock '%s' does not apply to source '%s'",
               r->name, clock_name(r->clock), r->source);
  if(r->clock == CLOCK_NEWEST && !r->subject)
    diag_error(d, r->file, r->line, "[rule %s]: clock 'newest' needs a 'subject' (such as "
               "'*/') to look inside", r->name);
  if(r->clock == CLOCK_EVENTS && r->events_path)
    return events_load(r->events_path, &r->events, d);
  return LETHE_OK;
}

static void finish_hold(struct hold *h, struct diag *d)
{
  if(!h->match.n)
    diag_error(d, h->file, h->line, "[hold %s] has no 'match'", h->name);
  if(!h->reason)
    diag_error(d, h->file, h->line, "[hold %s] has no 'reason'", h->name);
}

lethe_rc rules_finish(struct ruleset *rs, struct diag *d)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < rs->n_rules && (!rc || rc == LETHE_E_CONFIG); i++)
    rc = finish_rule(rs->rules[i], d);
  for(size_t i = 0; i < rs->n_holds; i++)
    finish_hold(rs->holds[i], d);
  return rc == LETHE_E_CONFIG ? LETHE_OK : rc;
}

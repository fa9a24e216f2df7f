/* The second half of loading rules: once every file is read, each rule is
 * checked as a whole (required keys, the clocks that need a subject, events
 * files) and each hold too. What depends on the rule's store (its URI, its
 * clocks, its source's settings) is checked by the store (sources_bind),
 * what depends on its action by the plugin (plugins_check_rules). */
#include "rules.h"

#include <stdbool.h>
#include <string.h>

#include "events.h"
#include "rules_notify.h"
#include "rules_review.h"

/* Settings the agent itself reads, whatever the action. */
static const char *const host_keys[] = { "remove-empty-dirs", NULL };

static bool key_in(const char *const *keys, const char *setting, size_t n)
{
  for(; *keys; keys++)
    if(strlen(*keys) == n && !strncmp(*keys, setting, n))
      return true;
  return false;
}

bool rules_is_host_key(const char *key)
{
  return key_in(host_keys, key, strlen(key));
}

bool rules_host_key(const struct rule *r, const struct lethe_setting *s, int line,
                    struct diag *d)
{
  const char *value = s->value;
  if(!key_in(host_keys, s->key, strlen(s->key)))
    return false;
  if(strcmp(value, "yes") && strcmp(value, "no") && strcmp(value, "subject"))
    diag_error(d, r->file, line, "remove-empty-dirs '%s': expected yes, no or subject",
               value);
  return true;
}

static lethe_rc finish_rule(struct rule *r, struct diag *d)
{
  rules_review_finish(r, d);
  if(!r->source)
    diag_error(d, r->file, r->line, "[rule %s] has no 'source'", r->name);
  if(!r->has_retain && r->report)
    r->has_retain = r->retain_implied = true; /* it lists what it finds now: retain 0 */
  else if(!r->has_retain)
    diag_error(d, r->file, r->line, "[rule %s] has no 'retain'", r->name);
  if(!r->action && !r->action_line)
    diag_error(d, r->file, r->line, "[rule %s] has no 'action'", r->name);
  if(!r->source)
    return LETHE_OK;
  if(r->clock == CLOCK_NEWEST && !r->subject)
    diag_error(d, r->file, r->line, "[rule %s]: clock 'newest' needs a 'subject' (such as "
               "'*/') to look inside", r->name);
  if(r->clock == CLOCK_DELETED && !r->subject)
    diag_error(d, r->file, r->line, "[rule %s]: clock 'deleted:%s' needs a 'subject' (such as "
               "'Clients/*/'): subjects are what the ledger says were deleted", r->name,
               r->deleted_by);
  if(r->clock == CLOCK_EVENTS && r->events_path) {
    /* a notify-column's file has more columns than key and date */
    lethe_rc rc = r->notify_column ? events_load_wide(r->events_path, &r->events, d)
                                   : events_load(r->events_path, &r->events, d);
    if(rc)
      return rc;
  }
  return rules_notify_finish(r, d);
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

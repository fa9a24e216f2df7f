/* The rule keys of notices before deletion: notify = ADDRESS (repeatable,
 * or a comma list) and notify-column = NAME (each subject's owner, from
 * the rule's events CSV), and what they need: a grace period to give
 * notice in, and lethe.ini's [smtp] section to send it with. */
#include "rules_notify.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events_column.h"
#include "mail.h"

static bool listed(const struct strlist *l, const char *s)
{
  for(size_t i = 0; i < l->n; i++)
    if(!strcasecmp(l->v[i], s))
      return true;
  return false;
}

/* Each address of a comma list; the same address twice is kept once. */
static void add_addresses(struct rule *r, const char *path, const char *value, int line,
                          struct diag *d)
{
  char *copy = strdup(value), *save = NULL;
  if(!copy) {
    diag_error(d, path, line, "out of memory");
    return;
  }
  for(char *a = strtok_r(copy, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
    char *end = a + strlen(a);
    while(*a == ' ' || *a == '\t')
      a++;
    while(end > a && (end[-1] == ' ' || end[-1] == '\t'))
      *--end = '\0';
    if(!mail_address_ok(a))
      diag_error(d, path, line, "notify '%s': not a plain e-mail address (local@domain)", a);
    else if(!listed(&r->notify, a) && strlist_add(&r->notify, a))
      diag_error(d, path, line, "out of memory");
  }
  free(copy);
}

bool rules_notify_key(struct rule *r, const char *path, const char *key, const char *value,
                      int line, struct diag *d)
{
  bool column = !strcmp(key, "notify-column");
  if(!column && strcmp(key, "notify"))
    return false;
  if(!r->notify_line)
    r->notify_line = line;
  if(!column) {
    add_addresses(r, path, value, line, d);
    return true;
  }
  if(r->notify_column)
    diag_error(d, path, line, "'notify-column' given twice");
  else if(!(r->notify_column = strdup(value)))
    diag_error(d, path, line, "out of memory");
  return true;
}

static bool notifies(const struct rule *r)
{
  return r->notify.n || r->notify_column;
}

lethe_rc rules_notify_finish(struct rule *r, struct diag *d)
{
  if(!notifies(r))
    return LETHE_OK;
  if(r->report)
    diag_error(d, r->file, r->notify_line, "[rule %s]: notify with action = report: such a "
               "rule deletes nothing, so there is nothing to give notice of", r->name);
  else if(!r->has_grace)
    diag_error(d, r->file, r->notify_line, "[rule %s]: notify needs a 'grace' (the notice "
               "period): without one no item ever enters its grace period, and no notice "
               "would go before a deletion", r->name);
  if(!r->notify_column)
    return LETHE_OK;
  if(r->clock != CLOCK_EVENTS || !r->events_path) {
    diag_error(d, r->file, r->notify_line, "[rule %s]: notify-column names a column of the "
               "events CSV: it needs clock = events:FILE", r->name);
    return LETHE_OK;
  }
  return events_column_load(r->events_path, r->notify_column, &r->owners, d);
}

void rules_notify_need_smtp(const struct config *cfg, const struct ruleset *rs,
                            struct diag *d)
{
  if(cfg->smtp.present)
    return;
  for(size_t i = 0; i < rs->n_rules; i++)
    if(notifies(rs->rules[i]))
      diag_error(d, rs->rules[i]->file, rs->rules[i]->notify_line, "[rule %s]: notify needs "
                 "an [smtp] section in %s to send its notices with", rs->rules[i]->name,
                 cfg->path);
}

void rules_notify_release(struct rule *r)
{
  strlist_release(&r->notify);
  free(r->notify_column);
  events_column_free(r->owners);
}

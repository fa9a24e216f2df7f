/* A rule in one line of text for people: lethe check and the reports. */
#include "rules.h"

#include <stdio.h>

#include "rules_review.h"

/* ", approvals 2 from FILE, valid 14 days" when approvers are named. */
static void describe_approvals(const struct rule *r, char *buf, size_t n)
{
  char valid[DURATION_TEXT_LEN];
  buf[0] = '\0';
  if(!r->approvers)
    return;
  duration_format(&r->approval_valid, valid);
  snprintf(buf, n, ", approvals %u from %s, valid %s", rules_approvals_needed(r),
           r->approvers, valid);
}

/* ", notify a@example.org, b@example.org, owners from column owner": who
 * is told before items of the rule are deleted. */
static void describe_notify(const struct rule *r, char *buf, size_t n)
{
  size_t used = 0;
  buf[0] = '\0';
  for(size_t i = 0; i < r->notify.n && used < n; i++)
    used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : ", notify ",
                             r->notify.v[i]);
  if(r->notify_column && used < n)
    snprintf(buf + used, n - used, ", owners from column %s", r->notify_column);
}

void rule_describe(const struct rule *r, char *buf, size_t n)
{
  char retain[DURATION_TEXT_LEN], every[DURATION_TEXT_LEN], grace[DURATION_TEXT_LEN];
  char approvals[512], notify[512];
  duration_format(&r->retain, retain);
  duration_format(&r->every, every);
  duration_format(&r->grace, grace);
  describe_approvals(r, approvals, sizeof(approvals));
  describe_notify(r, notify, sizeof(notify));
  snprintf(buf, n, "%s%s%sclock %s%s%s, action %s%s%s%s%s%s%s%s",
           r->retain_implied ? "" : "retain ", r->retain_implied ? "" : retain,
           r->retain_implied ? "" : ", ", clock_name(r->clock), r->clock == CLOCK_EVENTS ? ":" : "",
           r->clock == CLOCK_EVENTS ? r->events_path : "", r->action ? r->action : "?",
           r->has_every ? ", every " : "", r->has_every ? every : "",
           r->has_grace ? ", grace " : "", r->has_grace ? grace : "",
           r->review_required ? ", review required" : "", approvals, notify);
}

/* A rule in one line of text for people: lethe check and the reports. */
#include "rules.h"

#include <stdio.h>

void rule_describe(const struct rule *r, char *buf, size_t n)
{
  char retain[DURATION_TEXT_LEN], every[DURATION_TEXT_LEN], grace[DURATION_TEXT_LEN];
  duration_format(&r->retain, retain);
  duration_format(&r->every, every);
  duration_format(&r->grace, grace);
  snprintf(buf, n, "%s%s%sclock %s%s%s, action %s%s%s%s%s%s",
           r->retain_implied ? "" : "retain ", r->retain_implied ? "" : retain,
           r->retain_implied ? "" : ", ", clock_name(r->clock), r->clock == CLOCK_EVENTS ? ":" : "",
           r->clock == CLOCK_EVENTS ? r->events_path : "", r->action ? r->action : "?",
           r->has_every ? ", every " : "", r->has_every ? every : "",
           r->has_grace ? ", grace " : "", r->has_grace ? grace : "",
           r->review_required ? ", review required" : "");
}

/* notify = and notify-column = in [rule NAME] sections (lethe.ini(5)):
 * who is told of the items entering their grace period. Sending is
 * agent/notify/'s; here the keys are read and checked. */
#ifndef LETHE_RULES_NOTIFY_H
#define LETHE_RULES_NOTIFY_H

#include <stdbool.h>

#include "rules.h"

/* Whether key is one of these; if so it is taken into r, every problem
 * going to d at path:line. */
bool rules_notify_key(struct rule *r, const char *path, const char *key, const char *value,
                      int line, struct diag *d);

/* Once the rule is read whole (rules_finish): notify needs a grace and a
 * deleting action; notify-column needs clock = events:FILE, whose column is
 * then read into r->owners. LETHE_E_CONFIG when that file is unusable. */
lethe_rc rules_notify_finish(struct rule *r, struct diag *d) WUR;

/* Every rule that notifies needs cfg's [smtp] section. */
void rules_notify_need_smtp(const struct config *cfg, const struct ruleset *rs,
                            struct diag *d);

/* Free what rules_notify_key and rules_notify_finish made. */
void rules_notify_release(struct rule *r);

#endif

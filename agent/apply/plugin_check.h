/* Judging each rule's action the way a run would use it: its plugin is
 * loaded from the plugin directory, must handle the rule's store, must take
 * each of the rule's settings (other than the agent's own), and judges
 * their values with its check method. Nothing is opened or touched. lethe
 * check, plan, apply and run all do this, so a configuration check passes
 * is one a run can use. */
#ifndef LETHE_PLUGIN_CHECK_H
#define LETHE_PLUGIN_CHECK_H

#include "config.h"
#include "diag.h"
#include "lethe/plugin.h"
#include "rules.h"

/* Check every rule of rs that has an action (its settings' values and its
 * store only when its source is bound); every problem goes to d as
 * FILE:LINE. LETHE_E_CONFIG when any was found. */
lethe_rc plugins_check_rules(const struct config *cfg, const struct ruleset *rs,
                             struct diag *d) WUR;

/* The settings a rule's plugin sees: the rule's, less those the agent
 * itself reads. *out is allocated (the strings are the rule's). */
lethe_rc plugin_settings_of(const struct rule *r, struct lethe_setting **out,
                            size_t *n) WUR;

#endif

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
#include "plugin_host.h"
#include "rules.h"

/* Check every rule of rs that has an action (its settings' values and its
 * store only when its source is bound); every problem goes to d as
 * FILE:LINE. LETHE_E_CONFIG when any was found. */
lethe_rc plugins_check_rules(const struct config *cfg, const struct ruleset *rs,
                             struct diag *d) WUR;

/* Whether rule r may give its plugin p the setting key: the plugin lists
 * it, or the rule's source reads it (credentials, tls ...: handed to every
 * plugin, for those that reach the same store, and left alone by others). */
bool plugin_takes(const struct loaded_plugin *p, const struct rule *r, const char *key);

/* The settings plugin p sees for rule r: the rule's, less those the agent
 * itself reads and those of the source the plugin does not list. *out is
 * allocated (the strings are the rule's). */
lethe_rc plugin_settings_of(const struct loaded_plugin *p, const struct rule *r,
                            struct lethe_setting **out, size_t *n) WUR;

#endif

/* The commands, one per cmd_NAME.c, and what each needs set up before it
 * runs, as git's builtins declare RUN_SETUP: main.c keeps the table. A
 * command parses its own options, then calls cli_prepare(), which sets up
 * what its entry says; main releases it all after. */
#ifndef LETHE_COMMANDS_H
#define LETHE_COMMANDS_H

#include <stdbool.h>

#include "config.h"
#include "rules.h"

enum cmd_needs {
  NEEDS_NOTHING = 0,
  NEEDS_CONFIG = 1,             /* the [agent] section */
  NEEDS_RULES = 2 | 1,          /* and every rule, bound to its store and plugin */
  NEEDS_LOCK = 4 | 2 | 1,       /* and the state lock, with interrupted runs
                                   recovered and finished runs certified */
};

/* What cli_prepare set up for a command. */
struct cmd_env {
  const char *name;             /* the command's name */
  unsigned needs;               /* enum cmd_needs, from the table */
  bool config_optional;         /* NEEDS_CONFIG: a missing default file is no error */
  bool has_config;              /* cfg was read */
  struct config cfg;
  struct ruleset rs;
  int lockfd;                   /* NEEDS_LOCK: held; else -1 */
};

int cmd_check(int argc, char **argv, struct cmd_env *env);
int cmd_plan(int argc, char **argv, struct cmd_env *env);
int cmd_apply(int argc, char **argv, struct cmd_env *env);
int cmd_run(int argc, char **argv, struct cmd_env *env);
int cmd_keygen(int argc, char **argv, struct cmd_env *env);
int cmd_verify(int argc, char **argv, struct cmd_env *env);
int cmd_show(int argc, char **argv, struct cmd_env *env);
int cmd_restore_check(int argc, char **argv, struct cmd_env *env);
int cmd_confirm(int argc, char **argv, struct cmd_env *env);
int cmd_attestations(int argc, char **argv, struct cmd_env *env);
int cmd_approve(int argc, char **argv, struct cmd_env *env);

#endif

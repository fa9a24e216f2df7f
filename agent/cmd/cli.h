/* What the command front ends share: exit codes, loading the configuration
 * and rules with every diagnostic printed, and common option values. */
#ifndef LETHE_CLI_H
#define LETHE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include "config.h"
#include "rules.h"

/* Exit status, as lethe(1) documents. */
enum {
  EXIT_DONE = 0,
  EXIT_SOME_FAILED = 1,
  EXIT_USAGE = 2,
  EXIT_REFUSED = 3,
};

/* Read the configuration (path from -c, $LETHE_CONFIG or the default) and
 * every rule file, printing each diagnostic. Returns EXIT_DONE or EXIT_USAGE;
 * cfg and rs are safe to release either way. */
int cli_load(const char *config_path, struct config *cfg, struct ruleset *rs);

/* Parse --now; prints the error. Returns EXIT_DONE or EXIT_USAGE. */
int cli_parse_now(const char *text, int64_t *now);

/* The current time. */
int64_t cli_now(void);

/* Parse the options of a command that takes only -c CONFIG and -h: sets
 * *config, or prints usage and sets *help. Returns EXIT_DONE or EXIT_USAGE
 * (after printing why). */
int cli_parse_config_only(int argc, char **argv, const char *cmd, const char *usage,
                          const char **config, bool *help);

/* Print "lethe CMD: unknown option; see 'lethe CMD --help'" style usage
 * errors and return EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) PRINTF(2, 3);

#endif

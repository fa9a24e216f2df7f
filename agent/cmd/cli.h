/* What the command front ends share: exit codes, loading the configuration
 * and rules with every diagnostic printed, and common option values. */
#ifndef LETHE_CLI_H
#define LETHE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include "commands.h"
#include "config.h"
#include "rules.h"

/* Exit status, as lethe(1) documents. */
enum {
  EXIT_DONE = 0,
  EXIT_SOME_FAILED = 1,
  EXIT_USAGE = 2,
  EXIT_REFUSED = 3,
};

/* The one mapping from lethe_rc to exit status: 0 for LETHE_OK; 2 for bad
 * input the caller named (usage, configuration, a malformed file); 3 for a
 * refusal by a safety check (unsafe, locked, changed since planned, held);
 * 1 for anything else (a failure while working). */
int cli_status(lethe_rc rc);

/* Set up what env->needs says, after a command parsed its options:
 * config_path (from -c; NULL for $LETHE_CONFIG or the default), then the
 * rules, then the lock (waiting for it when wait). Every diagnostic is
 * printed. Returns EXIT_DONE, or the status to exit with. */
int cli_prepare(struct cmd_env *env, const char *config_path, bool wait);

/* Release what cli_prepare set up (main does, after the command). */
void cli_release(struct cmd_env *env);

/* Parse --now; prints the error. Returns EXIT_DONE or EXIT_USAGE. */
int cli_parse_now(const char *text, int64_t *now);

/* The current time. */
int64_t cli_now(void);

/* Parse the options of a command that takes only -c CONFIG and -h: sets
 * *config, or prints usage and sets *help. Returns EXIT_DONE or EXIT_USAGE
 * (after printing why). */
int cli_parse_config_only(int argc, char **argv, const char *cmd, const char *usage,
                          const char **config, bool *help);

/* getopt_long (with an option string starting with ':', so that it prints
 * nothing itself) returned c, ':' or '?': say which option and why, once.
 * Returns EXIT_USAGE. */
int cli_option_error(const char *cmd, int c, char **argv);

/* --progress and --no-progress, for the commands that make long passes:
 * put CLI_PROGRESS_OPTIONS in the getopt table and CLI_PROGRESS_HELP in
 * the usage, and hand either option to cli_progress_option. Without them,
 * progress shows when stderr is a terminal (progress.h). */
enum { CLI_OPT_PROGRESS = 400, CLI_OPT_NO_PROGRESS };
#define CLI_PROGRESS_OPTIONS \
  { "progress", no_argument, NULL, CLI_OPT_PROGRESS }, \
  { "no-progress", no_argument, NULL, CLI_OPT_NO_PROGRESS }
#define CLI_PROGRESS_HELP \
  "      --progress      show the progress line even when stderr is no terminal\n" \
  "      --no-progress   never show it (default: shown on a terminal)\n"
void cli_progress_option(int c);

/* Print "lethe CMD: unknown option; see 'lethe CMD --help'" style usage
 * errors and return EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) PRINTF(2, 3);

#endif

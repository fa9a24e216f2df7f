/* lethe: the command front end. Each command lives in cmd_NAME.c. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "commands.h"
#include "progress.h"
#include "version.h"

struct command {
  const char *name;
  int (*fn)(int argc, char **argv, struct cmd_env *env);
  unsigned needs;             /* enum cmd_needs: what cli_prepare sets up */
  const char *summary;
};

static const struct command commands[] = {
  { "check", cmd_check, NEEDS_RULES, "validate configuration and rules" },
  { "plan", cmd_plan, NEEDS_RULES, "report what would be deleted now (dry run)" },
  { "apply", cmd_apply, NEEDS_LOCK, "delete what a plan says, journalling every deletion" },
  { "run", cmd_run, NEEDS_LOCK,
    "recover, then plan and apply the rules that are due (the timer)" },
  { "approve", cmd_approve, NEEDS_RULES,
    "sign your approval of a saved plan of rules that need review" },
  { "keygen", cmd_keygen, NEEDS_CONFIG, "create the signing key and allowed_signers" },
  { "verify", cmd_verify, NEEDS_CONFIG,
    "check the ledger: signatures, chain, append-only history" },
  { "show", cmd_show, NEEDS_NOTHING, "render a certificate for people (text or HTML)" },
  { "restore-check", cmd_restore_check, NEEDS_RULES,
    "before restoring a backup: list (--purge: purge) what deleted subjects left in it" },
  { "confirm", cmd_confirm, NEEDS_NOTHING,
    "as a trainer: scan for personal data, delete it, sign an attestation" },
  { "attestations", cmd_attestations, NEEDS_NOTHING,
    "who has confirmed, who is due or overdue (--remind: e-mail them)" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int dispatch(const struct command *c, int argc, char **argv)
{
  struct cmd_env env = { .name = c->name, .needs = c->needs, .lockfd = -1 };
  int status;
  progress_setup(PROGRESS_AUTO);
  status = c->fn(argc, argv, &env);
  cli_release(&env);
  return status;
}

/* Edits (insert, delete, replace, swap two neighbours) from a to b, up to
 * 3; more counts as 3. */
static unsigned distance(const char *a, const char *b)
{
  size_t n = strlen(a), m = strlen(b);
  unsigned d[16][16];
  if(n > 15 || m > 15)
    return 3;
  for(size_t i = 0; i <= n; i++)
    for(size_t j = 0; j <= m; j++) {
      unsigned best = i == 0 ? (unsigned)j : j == 0 ? (unsigned)i
                      : d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if(i && j) {
        best = d[i - 1][j] + 1 < best ? d[i - 1][j] + 1 : best;
        best = d[i][j - 1] + 1 < best ? d[i][j - 1] + 1 : best;
      }
      if(i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
         d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  return d[n][m] < 3 ? d[n][m] : 3;
}

static void unknown_command(const char *name)
{
  const char *best = NULL;
  unsigned best_d = 3;
  for(size_t i = 0; i < N_COMMANDS; i++) {
    unsigned dist = distance(name, commands[i].name);
    if(dist < best_d) {
      best_d = dist;
      best = commands[i].name;
    }
  }
  if(best)
    fprintf(stderr, "lethe: unknown command '%s'; did you mean '%s'?\n", name, best);
  else
    fprintf(stderr, "lethe: unknown command '%s'\n", name);
}

static void usage(FILE *f)
{
  fputs("Usage: lethe COMMAND [OPTIONS]\n\nCommands:\n", f);
  for(size_t i = 0; i < N_COMMANDS; i++)
    fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
  fputs("\n'lethe COMMAND --help' describes a command; lethe(1) describes them all.\n", f);
}

/* Deep trees keep a directory fd per level open, and a batch of deletions
 * one per directory it touches: allow as many as the system lets us. */
static void raise_fd_limit(void)
{
  struct rlimit rl;
  if(!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
  }
}

int main(int argc, char **argv)
{
  raise_fd_limit();
  if(argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  if(!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return EXIT_DONE;
  }
  if(!strcmp(argv[1], "--version"))
    return print_version();
  for(size_t i = 0; i < N_COMMANDS; i++)
    if(!strcmp(argv[1], commands[i].name))
      return dispatch(&commands[i], argc - 1, argv + 1);
  unknown_command(argv[1]);
  usage(stderr);
  return EXIT_USAGE;
}

/* lethe: the command front end. Each command lives in cmd_NAME.c. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "commands.h"

struct command {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *summary;
};

static const struct command commands[] = {
  { "check", cmd_check, "validate configuration and rules" },
  { "plan", cmd_plan, "report what would be deleted now (dry run)" },
  { "apply", cmd_apply, "delete what a plan says, journalling every deletion" },
  { "run", cmd_run, "recover, then plan and apply the rules that are due (the timer)" },
  { "keygen", cmd_keygen, "create the signing key and allowed_signers" },
  { "verify", cmd_verify, "check the ledger: signatures, chain, append-only history" },
  { "show", cmd_show, "render a certificate for people (text or HTML)" },
};

static void usage(FILE *f)
{
  fputs("Usage: lethe COMMAND [OPTIONS]\n\nCommands:\n", f);
  for(size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
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
  if(!strcmp(argv[1], "--version")) {
    printf("lethe %s\n", LETHE_VERSION);
    return EXIT_DONE;
  }
  for(size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    if(!strcmp(argv[1], commands[i].name))
      return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "lethe: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return EXIT_USAGE;
}

/* lethe verify: check the ledger's signatures, chain and history. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "log.h"
#include "verify.h"

static const char usage[] =
  "Usage: lethe verify [-c CONFIG] [--ledger DIR] [CERT...]\n"
  "\n"
  "Check the ledger: every certificate's signature against its\n"
  "allowed_signers, the chain of previous-certificate hashes in commit order,\n"
  "every commit's signature and that it only adds a certificate (or an\n"
  "attestation of lethe confirm, its own signature checked too), and that\n"
  "history only grew since the head verified last (recorded in the state\n"
  "directory). Each CERT file named is checked as well: its signature\n"
  "(CERT.sig beside it) and that the ledger holds the very same bytes.\n"
  "The first failure is named.\n"
  "\n"
  "  -c, --config FILE   configuration (default $LETHE_CONFIG or " CONFIG_DEFAULT_PATH ")\n"
  "  -l, --ledger DIR    verify this ledger instead of the configured one\n"
  "  -h, --help          show this help\n"
  "\n"
  "Exit status: 0 verified, 1 a check failed or the ledger cannot be read,\n"
  "2 usage or configuration error.\n";

struct verify_args {
  const char *config;
  const char *ledger;
};

static int parse_args(int argc, char **argv, struct verify_args *a, bool *help)
{
  static const struct option opts[] = {
    { "config", required_argument, NULL, 'c' },
    { "ledger", required_argument, NULL, 'l' },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  for(;;) {
    int c = getopt_long(argc, argv, ":c:l:h", opts, NULL);
    if(c == -1)
      break;
    switch(c) {
    case 'c':
      a->config = optarg;
      break;
    case 'l':
      a->ledger = optarg;
      break;
    case 'h':
      *help = true;
      return EXIT_DONE;
    default:
      return cli_option_error("verify", c, argv);
    }
  }
  return EXIT_DONE;
}

/* The verified head is recorded for the configured ledger only. */
static bool same_dir(const char *a, const char *b)
{
  char ra[PATH_MAX], rb[PATH_MAX];
  return realpath(a, ra) && realpath(b, rb) && !strcmp(ra, rb);
}

static void print_note(void *ctx, const char *line)
{
  (void)ctx;
  puts(line);
}

static int verify_with(const struct verify_args *a, const struct config *cfg, bool loaded,
                       char **certs, size_t n_certs)
{
  struct verify_opts o = { .certs = certs, .n_certs = n_certs };
  struct lethe_err err = { 0 };
  lethe_rc rc;
  o.ledger_dir = a->ledger ? a->ledger : cfg->ledger_dir;
  if(loaded && (!a->ledger || same_dir(a->ledger, cfg->ledger_dir)))
    o.state_dir = cfg->state_dir;
  printf("ledger %s\n", o.ledger_dir);
  rc = verify_ledger(&o, print_note, NULL, &err);
  fflush(stdout);
  if(rc == LETHE_E_UNSAFE) {
    log_msg(LOG_ERR, "verification FAILED: %s", err.msg);
    return EXIT_SOME_FAILED;
  }
  if(rc) {
    log_msg(LOG_ERR, "%s", err.msg[0] ? err.msg : lethe_strerror(rc));
    return EXIT_SOME_FAILED;
  }
  return EXIT_DONE;
}

/* Only [agent] matters; with --ledger and no configuration file at all
 * (an auditor's machine), verify goes on without one. */
int cmd_verify(int argc, char **argv, struct cmd_env *env)
{
  struct verify_args a = { 0 };
  bool help = false;
  int status = parse_args(argc, argv, &a, &help);

  if(status == EXIT_DONE && help) {
    fputs(usage, stdout);
    return EXIT_DONE;
  }
  env->config_optional = a.ledger != NULL;
  if(status == EXIT_DONE)
    status = cli_prepare(env, a.config, false);
  if(status == EXIT_DONE)
    status = verify_with(&a, &env->cfg, env->has_config, argv + optind,
                         (size_t)(argc - optind));
  return status;
}

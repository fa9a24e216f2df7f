/* lethe check: validate the configuration and rules, one line per rule. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "isotime.h"
#include "log.h"
#include "source.h"

static const char usage[] =
  "Usage: lethe check [-c CONFIG]\n"
  "\n"
  "Validate the configuration and every rule file, report every error as\n"
  "FILE:LINE: message, and print one line per rule and hold.\n"
  "\n"
  "  -c, --config FILE   configuration (default $LETHE_CONFIG or " CONFIG_DEFAULT_PATH ")\n"
  "  -h, --help          show this help\n"
  "\n"
  "Exit status: 0 valid, 2 invalid.\n";

static void print_rule(const struct rule *r)
{
  char settings[1024];
  rule_describe(r, settings, sizeof(settings));
  printf("rule %s  %s  %s\n", r->name, r->source, settings);
}

static void print_hold(const struct hold *h)
{
  char until[ISOTIME_LEN] = "";
  if(h->has_until)
    isotime_format(h->until, until);
  printf("hold %s  %zu pattern%s%s%s  %s\n", h->name, h->match.n, h->match.n == 1 ? "" : "s",
         h->has_until ? ", until " : "", until, h->reason);
}

/* What would stop a run though the rules are valid (a share not mounted
 * now) is worth a warning, not a refusal. */
static void check_sources(const struct ruleset *rs)
{
  for(size_t i = 0; i < rs->n_rules; i++)
    if(source_of(rs->rules[i])->check)
      source_of(rs->rules[i])->check(rs->rules[i]);
}

/* Without a signing key, runs delete but their certificates wait. */
static void check_key(const struct config *cfg)
{
  struct stat st;
  if(fstatat(AT_FDCWD, cfg->key_path, &st, AT_SYMLINK_NOFOLLOW))
    log_msg(LOG_WARNING, "%s: warning: no signing key at %s: deletions will not be certified "
            "until 'lethe keygen' makes one", cfg->path, cfg->key_path);
}

int cmd_check(int argc, char **argv, struct cmd_env *env)
{
  const char *config = NULL;
  bool help = false;
  int status = cli_parse_config_only(argc, argv, "check", usage, &config, &help);

  if(status != EXIT_DONE || help)
    return status;
  status = cli_prepare(env, config, false);
  if(status == EXIT_DONE) {
    for(size_t i = 0; i < env->rs.n_rules; i++)
      print_rule(env->rs.rules[i]);
    for(size_t i = 0; i < env->rs.n_holds; i++)
      print_hold(env->rs.holds[i]);
    check_sources(&env->rs);
    check_key(&env->cfg);
  }
  return status;
}

/* lethe approve: a reviewer signs a saved plan's hash with their own SSH
 * key, and the plan and the approval are kept in the state directory for
 * the next lethe run (lethe-approve(1)). */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "approval.h"
#include "approve_sign.h"
#include "approve_store.h"
#include "approved.h"
#include "approvers.h"
#include "cli.h"
#include "commands.h"
#include "isotime.h"
#include "lock.h"
#include "log.h"
#include "plan_load.h"

static const char usage[] =
  "Usage: lethe approve PLAN --key FILE [-c CONFIG] [--now TIME] [--wait]\n"
  "\n"
  "Approve a saved plan (lethe plan --rule NAME --format json -o PLAN) of\n"
  "rules with review = required: sign its hash with your own SSH key\n"
  "(namespace approval@lethe) and keep the plan and the approval in the\n"
  "state directory. Once each of its rules has the approvals it needs, the\n"
  "next 'lethe run' applies the plan, deleting only items still as planned.\n"
  "\n"
  "  -k, --key FILE      your Ed25519 SSH key: an OpenSSH private key (signed\n"
  "                      with ssh-keygen, which asks for its passphrase), FILE.pub\n"
  "                      of a key in ssh-agent, or a key of 'lethe keygen --user'\n"
  "  -c, --config FILE   configuration (default $LETHE_CONFIG or " CONFIG_DEFAULT_PATH ")\n"
  "      --now TIME      date the approval at this ISO 8601 instant, not later\n"
  "                      than now (default: now)\n"
  "      --wait          wait for a running lethe to release the state directory\n"
  "  -h, --help          show this help\n"
  "\n"
  "Exit status: 0 approved, 2 usage or configuration error, 3 refused (the plan\n"
  "was changed or its rules were, the key is not among the rules' approvers, or\n"
  "the state directory is locked).\n";

struct approve_args {
  const char *config, *plan, *key;
  int64_t now;
  bool has_now;
  bool wait;
};

enum { OPT_NOW = 256, OPT_WAIT };

static int parse_args(int argc, char **argv, struct approve_args *a, bool *help)
{
  static const struct option opts[] = {
    { "config", required_argument, NULL, 'c' }, { "key", required_argument, NULL, 'k' },
    { "now", required_argument, NULL, OPT_NOW }, { "wait", no_argument, NULL, OPT_WAIT },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  for(;;) {
    int c = getopt_long(argc, argv, ":c:k:h", opts, NULL);
    if(c == -1)
      break;
    if(c == 'c')
      a->config = optarg;
    else if(c == 'k')
      a->key = optarg;
    else if(c == OPT_NOW && cli_parse_now(optarg, &a->now))
      return EXIT_USAGE;
    else if(c == OPT_NOW)
      a->has_now = true;
    else if(c == OPT_WAIT)
      a->wait = true;
    else if(c == 'h')
      *help = true;
    else
      return cli_option_error("approve", c, argv);
  }
  if(*help)
    return EXIT_DONE;
  if(optind != argc - 1)
    return cli_usage_error("approve", optind < argc ? "one plan at a time" : "which plan? "
                           "lethe approve PLAN --key FILE");
  a->plan = argv[optind];
  if(!a->key)
    return cli_usage_error("approve", "--key FILE is needed: the SSH key you approve with");
  if(a->has_now && a->now > cli_now() + APPROVAL_CLOCK_SKEW)
    return cli_usage_error("approve", "--now: an approval cannot be dated in the future");
  return EXIT_DONE;
}

/* The rules the plan deletes from, into ap->rules: each must need review
 * and name its approvers, or nothing is approved. */
static int rules_to_approve(const char *path, const struct plan *p, struct approval *ap)
{
  for(size_t i = 0; i < p->n_rules; i++) {
    const struct rule *r = p->rules[i].rule;
    if(!p->rules[i].count[DECISION_DELETE])
      continue;
    if(!r->review_required || !r->approvers) {
      log_msg(LOG_ERR, "refused: %s: rule %s (%s:%d) %s; approve plans made with 'lethe plan "
              "--rule NAME' for rules with review = required and approvers", path, r->name,
              r->file, r->line, !r->review_required ? "does not need review" :
              "names no approvers");
      return EXIT_REFUSED;
    }
    if(strlist_add(&ap->rules, r->name))
      return EXIT_SOME_FAILED;
  }
  if(!ap->rules.n) {
    log_msg(LOG_ERR, "%s deletes nothing: there is nothing to approve", path);
    return EXIT_USAGE;
  }
  return EXIT_DONE;
}

/* The signer must be among the approvers of every rule approved. */
static int signer_allowed(const struct plan *p, const struct sshsig_key *signer,
                          const char *key_path, char **principal)
{
  for(size_t i = 0; i < p->n_rules; i++) {
    const struct rule *r = p->rules[i].rule;
    struct signers s = { 0 };
    struct lethe_err err = { 0 };
    const struct signer *found;
    if(!p->rules[i].count[DECISION_DELETE])
      continue;
    if(approvers_load(r, &s, &err)) {
      log_msg(LOG_ERR, "rule %s: approvers: %s", r->name, err.msg);
      return EXIT_USAGE;
    }
    found = signers_find(&s, signer, SSHSIG_NS_APPROVAL);
    if(found && !*principal)
      *principal = strdup(found->principals);
    signers_release(&s);
    if(!found) {
      log_msg(LOG_ERR, "refused: %s is not in approvers %s of rule %s (or not for namespace "
              "%s); nothing was approved", key_path, r->approvers, r->name,
              SSHSIG_NS_APPROVAL);
      return EXIT_REFUSED;
    }
  }
  return EXIT_DONE;
}

/* What approving one plan holds on the way. */
struct approving {
  const struct approve_args *args;
  const struct config *cfg;
  const struct ruleset *rs;
  struct plan plan;
  struct approval ap;
  struct dynbuf msg, sig;
  struct sshsig_key *signer;
  char *principal;
  int dirfd;
  char tmp[32];               /* the plan's copy in STATE/approvals, until kept */
};

static bool already_applied(int dirfd, const char *hash)
{
  char path[128];
  snprintf(path, sizeof(path), "%s/%.64s", APPROVALS_APPLIED, hash + 7);
  return !faccessat(dirfd, path, F_OK, AT_SYMLINK_NOFOLLOW);
}

/* The plan as given, then its copy in the state directory, which must be
 * the same plan: the copy is what the run applies. */
static int load_plan(struct approving *w)
{
  struct lethe_err err = { 0 };
  struct plan copy = { 0 };
  lethe_rc rc = plan_load(w->args->plan, w->rs, &w->plan, &err);
  if(!rc && w->plan.now > cli_now() + APPROVAL_CLOCK_SKEW)
    rc = err_set(&err, LETHE_E_UNSAFE, "%s was made for a future instant", w->args->plan);
  if(!rc)
    w->dirfd = approve_store_open(w->cfg->state_dir, true, &err);
  if(!rc && w->dirfd < 0)
    rc = err.rc;
  if(!rc && already_applied(w->dirfd, w->plan.hash))
    rc = err_set(&err, LETHE_E_UNSAFE, "%s was applied by a run already (%s/%s/%s/%s); make "
                 "a new plan", w->args->plan, w->cfg->state_dir, APPROVALS_DIR,
                 APPROVALS_APPLIED, w->plan.hash + 7);
  if(!rc)
    rc = approve_store_copy(w->dirfd, w->args->plan, w->tmp, &err);
  if(!rc) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s/%s", w->cfg->state_dir, APPROVALS_DIR, w->tmp);
    rc = plan_load(path, w->rs, &copy, &err);
    if(!rc && strcmp(copy.hash, w->plan.hash))
      rc = err_set(&err, LETHE_E_CHANGED, "%s changed while it was read", w->args->plan);
    plan_release(&copy);
  }
  if(rc)
    log_msg(LOG_ERR, "refused: %s", err.msg);
  return cli_status(rc);
}

/* An approval dated (--now) so early that it has already expired for a
 * rule it approves could never count: refused, not kept to be ignored. */
static int expired_when_given(const struct approving *w)
{
  char given[ISOTIME_LEN], ended[ISOTIME_LEN], valid[DURATION_TEXT_LEN];
  int64_t until, now = cli_now();
  for(size_t i = 0; i < w->plan.n_rules; i++) {
    const struct rule *r = w->plan.rules[i].rule;
    if(!approval_covers(&w->ap, r->name) ||
       duration_add(w->ap.approved_at, &r->approval_valid, &until) || now < until)
      continue; /* a sum past the end of time never expires */
    isotime_format(w->ap.approved_at, given);
    isotime_format(until, ended);
    duration_format(&r->approval_valid, valid);
    log_msg(LOG_ERR, "--now %s: an approval given then expired %s (approval-valid = %s of "
            "rule %s); nothing was approved", given, ended, valid, r->name);
    return EXIT_USAGE;
  }
  return EXIT_DONE;
}

static int sign(struct approving *w)
{
  struct lethe_err err = { 0 };
  lethe_rc rc;
  snprintf(w->ap.plan, sizeof(w->ap.plan), "%s", w->plan.hash);
  w->ap.approved_at = w->args->has_now ? w->args->now : cli_now();
  if(w->ap.approved_at + APPROVAL_CLOCK_SKEW < w->plan.now) {
    log_msg(LOG_ERR, "--now: %s was made after that instant; nobody approved it then",
            w->args->plan);
    return EXIT_USAGE;
  }
  if(expired_when_given(w))
    return EXIT_USAGE;
  db_init(&w->msg, 64 * 1024);
  rc = approval_write(&w->ap, &w->msg);
  if(!rc)
    rc = approve_sign(w->args->key, w->msg.mem, w->msg.len, &w->sig, &w->signer, &err);
  if(rc)
    log_msg(LOG_ERR, "%s", err.msg[0] ? err.msg : lethe_strerror(rc));
  return rc ? cli_status(rc) : EXIT_DONE;
}

static int keep(struct approving *w)
{
  struct lethe_err err = { 0 };
  char keyid[APPROVAL_KEYID_LEN];
  lethe_rc rc = approval_keyid(w->signer, keyid);
  if(!rc)
    rc = approve_store_keep(w->dirfd, w->plan.hash + 7, w->tmp, keyid, &w->msg, &w->sig, &err);
  if(rc) {
    log_msg(LOG_ERR, "%s", err.msg[0] ? err.msg : lethe_strerror(rc));
    return EXIT_SOME_FAILED;
  }
  w->tmp[0] = '\0';
  printf("approval  %s/%s/%s/%s%s\n", w->cfg->state_dir, APPROVALS_DIR, w->plan.hash + 7,
         keyid, APPROVAL_EXT);
  return EXIT_DONE;
}

/* What the plan now has, rule by rule, and whether a run will apply it. */
static int standing(struct approving *w)
{
  struct approved_plan a;
  char dir[4096], when[ISOTIME_LEN];
  lethe_rc rc;
  snprintf(dir, sizeof(dir), "%s/%s/%s", w->cfg->state_dir, APPROVALS_DIR, w->plan.hash + 7);
  rc = approved_judge(dir, w->rs, cli_now(), &a);
  isotime_format(w->ap.approved_at, when);
  printf("approved  plan %s as %s at %s\n", w->plan.hash, w->principal, when);
  for(size_t c = 0; !rc && c < a.n_counts; c++)
    printf("rule      %s: %u of %u approval%s\n", a.counts[c].rule->name, a.counts[c].have,
           a.counts[c].need, a.counts[c].need == 1 ? "" : "s");
  for(size_t i = 0; !rc && !a.ready && i < a.why.n; i++)
    log_msg(LOG_WARNING, "%s", a.why.v[i]);
  if(!rc)
    printf("%s\n", a.ready ? "The next 'lethe run' applies this plan." :
           "The plan waits for what is missing above.");
  approved_release(&a);
  return rc ? EXIT_SOME_FAILED : EXIT_DONE;
}

/* The state lock, as a run takes it: a plan is never kept while a run
 * judges or takes up the plans kept. */
static int lock(const struct approve_args *args, const struct config *cfg, int *fd)
{
  struct lethe_err err = { 0 };
  *fd = lock_state(cfg->state_dir, args->wait, &err);
  if(*fd >= 0)
    return EXIT_DONE;
  log_msg(LOG_ERR, "%s%s", err.msg, err.rc == LETHE_E_LOCKED ? " (--wait waits for it)" : "");
  return err.rc == LETHE_E_LOCKED ? EXIT_REFUSED : EXIT_SOME_FAILED;
}

static int approve(const struct approve_args *args, const struct config *cfg,
                   const struct ruleset *rs)
{
  struct approving w = { .args = args, .cfg = cfg, .rs = rs, .dirfd = -1 };
  int lockfd, status = lock(args, cfg, &lockfd);
  if(status)
    return status;
  status = load_plan(&w);
  if(!status)
    status = rules_to_approve(args->plan, &w.plan, &w.ap);
  if(!status)
    status = sign(&w);
  if(!status)
    status = signer_allowed(&w.plan, w.signer, args->key, &w.principal);
  if(!status)
    status = keep(&w);
  if(!status)
    status = standing(&w);
  if(w.tmp[0])
    unlinkat(w.dirfd, w.tmp, 0);
  if(w.dirfd >= 0)
    close(w.dirfd);
  free(w.principal);
  sshsig_free(w.signer);
  db_release(&w.msg);
  db_release(&w.sig);
  approval_release(&w.ap);
  plan_release(&w.plan);
  lock_release(lockfd);
  return status;
}

int cmd_approve(int argc, char **argv, struct cmd_env *env)
{
  struct approve_args a = { 0 };
  bool help = false;
  int status = parse_args(argc, argv, &a, &help);
  if(status == EXIT_DONE && help)
    fputs(usage, stdout);
  else if(status == EXIT_DONE)
    status = cli_prepare(env, a.config, false);
  if(status == EXIT_DONE && !help)
    status = approve(&a, &env->cfg, &env->rs);
  return status;
}

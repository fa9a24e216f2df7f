/* lethe confirm: a trainer confirms that they hold no personal data. Their
 * folders are scanned, what is found is shown file by file, the files they
 * choose are deleted (journalled and certified as on a server), the others
 * kept as exceptions with a reason; then an attestation is signed with
 * their own key, committed to their ledger and pushed to the central one.
 * Runs as an ordinary user, with confirm.ini (lethe-confirm(1)). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "confirm_attest.h"
#include "confirm_config.h"
#include "confirm_ledger.h"
#include "confirm_rules.h"
#include "confirm_ui.h"
#include "ledger.h"
#include "lock.h"
#include "log.h"
#include "planner.h"
#include "runner.h"
#include "sweep.h"

static const char usage[] =
  "Usage: lethe confirm [-c CONFIG] [--yes | --report-only | --push] [--project NAME]\n"
  "                     [--wait]\n"
  "\n"
  "Scan your folders for personal data, delete what you choose (certified),\n"
  "keep the rest as exceptions with a reason, then sign an attestation with\n"
  "your key and push it to the central ledger.\n"
  "\n"
  "  -c, --config FILE    configuration (default ~/.config/lethe/confirm.ini)\n"
  "  -y, --yes            delete every file found, without asking ([keep]\n"
  "                       sections of the configuration still keep theirs)\n"
  "  -r, --report-only    only show what the scan finds: delete, sign, push nothing\n"
  "      --push           only push attestations that wait (made offline)\n"
  "  -p, --project NAME   the workshop or project the attestation covers\n"
  "      --wait           wait for another lethe to release the state directory\n"
  "  -h, --help           show this help\n"
  "\n"
  "Without --yes or --report-only, confirm asks on the terminal.\n"
  "\n"
  "Exit status: 0 attested (or, with --report-only, nothing found); 1 some\n"
  "files could not be deleted and nothing was attested, a push failed with\n"
  "--push, or --report-only found personal data; 2 usage or configuration\n"
  "error; 3 refused (you quit, or the state directory is locked).\n";

enum mode { MODE_ASK, MODE_YES, MODE_REPORT, MODE_PUSH };

struct confirm_args {
  const char *config;
  const char *project;
  enum mode mode;
  bool wait;
};

enum { OPT_WAIT = 256, OPT_PUSH };

static int set_mode(struct confirm_args *a, enum mode m)
{
  if(a->mode != MODE_ASK && a->mode != m)
    return cli_usage_error("confirm", "--yes, --report-only and --push exclude each other");
  a->mode = m;
  return EXIT_DONE;
}

static int parse_args(int argc, char **argv, struct confirm_args *a, bool *help)
{
  static const struct option opts[] = {
    { "config", required_argument, NULL, 'c' }, { "yes", no_argument, NULL, 'y' },
    { "report-only", no_argument, NULL, 'r' },  { "push", no_argument, NULL, OPT_PUSH },
    { "project", required_argument, NULL, 'p' }, { "wait", no_argument, NULL, OPT_WAIT },
    { "help", no_argument, NULL, 'h' },          { 0 },
  };
  int status = EXIT_DONE;
  for(int c; status == EXIT_DONE && (c = getopt_long(argc, argv, ":c:yrp:h", opts, NULL)) != -1;) {
    if(c == 'c')
      a->config = optarg;
    else if(c == 'p')
      a->project = optarg;
    else if(c == 'y' || c == 'r' || c == OPT_PUSH)
      status = set_mode(a, c == 'y' ? MODE_YES : c == 'r' ? MODE_REPORT : MODE_PUSH);
    else if(c == OPT_WAIT)
      a->wait = true;
    else if(c == 'h')
      *help = true;
    else
      status = cli_option_error("confirm", c, argv);
  }
  if(status == EXIT_DONE && optind < argc)
    status = cli_usage_error("confirm", "unexpected argument '%s'", argv[optind]);
  if(status == EXIT_DONE && a->project && !*a->project)
    status = cli_usage_error("confirm", "--project needs a name");
  return status;
}

/* Everything one run of confirm holds. */
struct run {
  struct confirm_args *a;
  struct confirm_config c;
  struct config agent;          /* c.agent without its remote: the runner must not
                                   push to main; confirm pushes to its own branch */
  struct scan_rules *rules;
  struct sshsig_key *key;
  struct sweep s;
  int lockfd;
};

static int load_config(struct run *r)
{
  struct diag d;
  char *path = confirm_config_path(r->a->config);
  lethe_rc rc;
  if(!path) {
    log_msg(LOG_ERR, "cannot tell where confirm.ini is (no home directory)");
    return EXIT_USAGE;
  }
  diag_init(&d);
  rc = confirm_config_load(path, &r->c, &d);
  log_lines(rc ? LOG_ERR : LOG_WARNING, db_str(&d.text));
  if(rc && !d.errors)
    log_msg(LOG_ERR, "cannot read %s: %s", path, lethe_strerror(rc));
  diag_release(&d);
  free(path);
  r->agent = r->c.agent;
  r->agent.remote = NULL;
  return rc ? EXIT_USAGE : EXIT_DONE;
}

static int load_key(struct run *r)
{
  struct lethe_err err = { 0 };
  lethe_rc rc = sshsig_load(r->c.agent.key_path, &r->key, &err);
  if(rc == LETHE_E_NOTFOUND) {
    log_msg(LOG_ERR, "no signing key at %s: make it with 'lethe keygen --user', and send its "
            "public key (%s.pub) to your data protection officer", r->c.agent.key_path,
            r->c.agent.key_path);
    return EXIT_USAGE;
  }
  if(rc)
    log_msg(LOG_ERR, "%s", err.msg);
  return rc ? cli_status(rc) : EXIT_DONE;
}

static int load_scanner(struct run *r)
{
  struct scan_options opt = SCAN_OPTIONS_INIT;
  char err[512];
  opt.detectors = r->c.detectors;
  opt.client_list = r->c.clients;
  if(scan_rules_new(&opt, &r->rules, err, sizeof(err))) {
    log_msg(LOG_ERR, "%s", err);
    return EXIT_USAGE;
  }
  return EXIT_DONE;
}

/* The state directory's parents (~/.local/state) may not exist yet. */
static void make_parents(const char *dir)
{
  char *copy = strdup(dir);
  for(char *p = copy ? copy + 1 : NULL; p && *p; p++) {
    if(*p != '/')
      continue;
    *p = '\0';
    if(mkdir(copy, 0700) && errno != EEXIST)
      break;
    *p = '/';
  }
  free(copy);
}

static int sweep(struct run *r)
{
  struct lethe_err err = { 0 };
  if(sweep_run(&r->s, r->rules, (const char *const *)r->c.folders.v, r->c.folders.n,
               r->c.home, &err)) {
    log_msg(LOG_ERR, "%s", err.msg);
    return EXIT_SOME_FAILED;
  }
  confirm_apply_keeps(&r->c, &r->s);
  confirm_show(stdout, &r->s);
  return EXIT_DONE;
}

static int decide(struct run *r)
{
  if(r->a->mode == MODE_YES) {
    confirm_delete_all(&r->s);
    return EXIT_DONE;
  }
  if(!r->s.n)
    return EXIT_DONE;
  if(!isatty(STDIN_FILENO)) {
    log_msg(LOG_ERR, "cannot ask what to do with %zu file%s: not on a terminal; pass --yes "
            "(and [keep] sections for exceptions) or --report-only", r->s.n,
            r->s.n == 1 ? "" : "s");
    return EXIT_USAGE;
  }
  if(!confirm_ask(stdin, stdout, &r->s)) {
    fputs("Nothing deleted, nothing attested.\n", stdout);
    return EXIT_REFUSED;
  }
  return EXIT_DONE;
}

static size_t count_fate(const struct sweep *s, enum sweep_fate fate)
{
  size_t n = 0;
  for(size_t i = 0; i < s->n; i++)
    n += s->files[i].fate == fate;
  return n;
}

/* Plan and apply the rules made of the files to delete, as apply would. */
static int delete_chosen(struct run *r)
{
  struct apply_opts opts = { .reviewed = false, .now = cli_now() };
  struct ruleset rs;
  struct strlist all = { 0 };
  struct plan p = { 0 };
  struct lethe_err err = { 0 };
  struct diag d;
  int status = EXIT_DONE;
  lethe_rc rc;
  diag_init(&d);
  rc = confirm_rules_make(&r->c, &r->s, &rs, &d);
  log_lines(rc ? LOG_ERR : LOG_WARNING, db_str(&d.text));
  diag_release(&d);
  if(!rc)
    rc = plan_init(&p, opts.now, &err);
  if(!rc)
    rc = planner_run(&rs, &all, &p, &err);
  if(rc) {
    if(err.msg[0])
      log_msg(LOG_ERR, "%s", err.msg);
    status = rc == LETHE_E_CONFIG ? EXIT_USAGE : EXIT_SOME_FAILED;
  }
  if(!rc)
    status = runner_apply(&r->agent, &rs, &p, &opts);
  plan_release(&p);
  ruleset_release(&rs);
  return status;
}

/* Every file chosen for deletion must be gone before anything is signed. */
static int check_gone(struct run *r)
{
  size_t left = 0;
  for(size_t i = 0; i < r->s.n; i++) {
    struct stat st;
    if(r->s.files[i].fate != SWEEP_DELETE || (lstat(r->s.files[i].path, &st) && errno == ENOENT))
      continue;
    log_msg(LOG_ERR, "not deleted: %s", r->s.files[i].shown);
    left++;
  }
  if(!left)
    return EXIT_DONE;
  log_msg(LOG_ERR, "%zu file%s could not be deleted: nothing attested; see why above, then "
          "run lethe confirm again", left, left == 1 ? "" : "s");
  return EXIT_SOME_FAILED;
}

/* Push the ledger to the central one; false when that failed (the
 * attestation then waits for the next run). */
static bool push(struct run *r, bool asked)
{
  struct lethe_err err = { 0 };
  char shown[512];
  bool pushed = false;
  if(!r->c.agent.remote) {
    if(asked)
      log_msg(LOG_WARNING, "no remote in %s: nothing to push to", r->c.path);
    return true;
  }
  ledger_redact_url(r->c.agent.remote, shown, sizeof(shown));
  if(confirm_ledger_push(&r->c, &pushed, &err)) {
    log_msg(asked ? LOG_ERR : LOG_WARNING, "%s; the attestation waits in %s and goes with "
            "the next lethe confirm (or lethe confirm --push)", err.msg, r->c.agent.ledger_dir);
    return false;
  }
  if(pushed)
    log_msg(LOG_NOTICE, "pushed to %s, branch %s", shown, r->c.branch);
  return true;
}

static int attest(struct run *r)
{
  struct confirm_history h;
  struct confirm_attest_out out;
  struct lethe_err err = { 0 };
  char commit[GIT_OID_HEXSZ + 1];
  lethe_rc rc;
  memset(&out, 0, sizeof(out));
  rc = confirm_history_read(r->c.agent.ledger_dir, &h, &err);
  if(!rc) {
    struct confirm_attest_in in = { .c = &r->c, .s = &r->s, .rules = r->rules, .h = &h,
                                    .key = r->key, .project = r->a->project, .now = cli_now() };
    rc = confirm_attest_make(&in, &out, &err);
  }
  if(!rc) {
    struct confirm_record rec = { .path = out.path, .json = &out.json, .sig = &out.sig,
                                  .id = out.id };
    rc = confirm_ledger_commit(&r->c, r->key, &rec, commit, &err);
  }
  if(rc)
    log_msg(LOG_ERR, "%s", err.msg);
  else
    printf("\nAttested: %s (%zu deleted with %zu certificate%s, %zu kept as exceptions); "
           "%s, commit %.12s\n", out.path, count_fate(&r->s, SWEEP_DELETE), h.n,
           h.n == 1 ? "" : "s", count_fate(&r->s, SWEEP_KEEP), r->c.agent.ledger_dir, commit);
  confirm_attest_release(&out);
  confirm_history_release(&h);
  return rc ? cli_status(rc) : EXIT_DONE;
}

static int report_only(struct run *r)
{
  int status = load_scanner(r);
  if(!status)
    status = sweep(r);
  if(!status && r->s.n)
    status = EXIT_SOME_FAILED;
  return status;
}

static int confirm(struct run *r)
{
  int status = load_key(r);
  if(!status)
    status = load_scanner(r);
  if(!status) {
    make_parents(r->agent.state_dir);
    status = runner_prepare(&r->agent, NULL, r->a->wait, &r->lockfd);
  }
  if(!status)
    status = sweep(r);
  if(!status)
    status = decide(r);
  if(!status && count_fate(&r->s, SWEEP_DELETE))
    status = delete_chosen(r);
  if(status == EXIT_SOME_FAILED || !status)
    status = check_gone(r);
  if(!status)
    status = attest(r);
  if(!status)
    push(r, false);
  return status;
}

static int push_only(struct run *r)
{
  struct lethe_err err = { 0 };
  int lockfd = lock_state(r->agent.state_dir, r->a->wait, &err);
  bool ok;
  if(lockfd < 0) {
    log_msg(LOG_ERR, "%s", err.msg);
    return err.rc == LETHE_E_LOCKED ? EXIT_REFUSED : EXIT_SOME_FAILED;
  }
  ok = push(r, true);
  lock_release(lockfd);
  return ok ? EXIT_DONE : EXIT_SOME_FAILED;
}

int cmd_confirm(int argc, char **argv, struct cmd_env *env)
{
  struct confirm_args a = { 0 };
  struct run r = { .a = &a, .lockfd = -1 };
  bool help = false;
  int status = parse_args(argc, argv, &a, &help);
  (void)env; /* confirm reads its own configuration, never lethe.ini */
  if(status || help) {
    if(help)
      fputs(usage, stdout);
    return status;
  }
  status = load_config(&r);
  if(!status && a.mode == MODE_PUSH)
    status = push_only(&r);
  else if(!status && a.mode == MODE_REPORT)
    status = report_only(&r);
  else if(!status)
    status = confirm(&r);
  lock_release(r.lockfd);
  sweep_release(&r.s);
  scan_rules_free(r.rules);
  sshsig_free(r.key);
  confirm_config_release(&r.c);
  return status;
}

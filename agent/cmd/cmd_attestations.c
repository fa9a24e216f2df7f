/* lethe attestations: on the machine holding the central ledger, who on
 * the roster has confirmed, when the next confirmation is due, who is
 * overdue, and which attestations were rejected; with --remind, e-mail
 * those due soon or overdue, and the data protection officer. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest_config.h"
#include "cli.h"
#include "collect.h"
#include "commands.h"
#include "log.h"
#include "remind.h"
#include "roster.h"
#include "standing.h"
#include "text.h"

static const char usage[] =
  "Usage: lethe attestations [-c CONFIG] [--ledger DIR] [--roster FILE] [--now TIME]\n"
  "                          [--within DURATION] [--remind]\n"
  "\n"
  "Check every attestation in the central ledger against the roster's keys,\n"
  "and list each person's last confirmation, next due date and standing,\n"
  "then the attestations rejected.\n"
  "\n"
  "  -c, --config FILE      configuration (default " ATTEST_CONFIG_DEFAULT_PATH ")\n"
  "  -l, --ledger DIR       the central ledger (instead of the configuration's)\n"
  "  -R, --roster FILE      the roster CSV (instead of the configuration's)\n"
  "      --now TIME         judge as at TIME (ISO 8601) instead of now\n"
  "  -w, --within DURATION  \"due soon\" means due within this (default\n"
  "                         remind-within, or 14 days)\n"
  "      --remind           e-mail each person due soon or overdue, and the data\n"
  "                         protection officer those overdue, once per period\n"
  "  -h, --help             show this help\n"
  "\n"
  "Exit status: 0 nobody overdue and nothing rejected; 1 someone is overdue,\n"
  "an attestation was rejected, or a reminder could not be sent; 2 usage or\n"
  "configuration error.\n";

struct att_args {
  const char *config;
  const char *ledger;
  const char *roster;
  bool has_now, has_within, remind;
  int64_t now;
  struct duration within;
};

enum { OPT_NOW = 256, OPT_REMIND };

static int parse_one(struct att_args *a, int c, char **argv, bool *help)
{
  struct lethe_err err = { 0 };
  switch(c) {
  case 'c':
    a->config = optarg;
    return EXIT_DONE;
  case 'l':
    a->ledger = optarg;
    return EXIT_DONE;
  case 'R':
    a->roster = optarg;
    return EXIT_DONE;
  case OPT_NOW:
    a->has_now = true;
    return cli_parse_now(optarg, &a->now);
  case 'w':
    a->has_within = true;
    if(duration_parse(optarg, &a->within, &err))
      return cli_usage_error("attestations", "--within: %s", err.msg);
    return EXIT_DONE;
  case OPT_REMIND:
    a->remind = true;
    return EXIT_DONE;
  case 'h':
    *help = true;
    return EXIT_DONE;
  default:
    return cli_option_error("attestations", c, argv);
  }
}

static int parse_args(int argc, char **argv, struct att_args *a, bool *help)
{
  static const struct option opts[] = {
    { "config", required_argument, NULL, 'c' }, { "ledger", required_argument, NULL, 'l' },
    { "roster", required_argument, NULL, 'R' }, { "now", required_argument, NULL, OPT_NOW },
    { "within", required_argument, NULL, 'w' }, { "remind", no_argument, NULL, OPT_REMIND },
    { "help", no_argument, NULL, 'h' },         { 0 },
  };
  int status = EXIT_DONE;
  for(int c; !status && !*help && (c = getopt_long(argc, argv, ":c:l:R:w:h", opts, NULL)) != -1;)
    status = parse_one(a, c, argv, help);
  if(!status && !*help && optind < argc)
    status = cli_usage_error("attestations", "unexpected argument '%s'", argv[optind]);
  return status;
}

struct view {
  struct att_args *a;
  struct attest_config cfg;
  bool has_cfg;
  struct roster roster;
  struct attest_set set;
  struct standing *st;
  size_t n_st;
};

/* The configuration: the one given, else the default file when it exists;
 * without one, --ledger and --roster must say everything. */
static int load_config(struct view *v)
{
  const char *path = v->a->config ? v->a->config : ATTEST_CONFIG_DEFAULT_PATH;
  struct diag d;
  lethe_rc rc;
  if(!v->a->config && access(path, F_OK) && errno == ENOENT) {
    if(v->a->ledger && v->a->roster && !v->a->remind)
      return EXIT_DONE;
    log_msg(LOG_ERR, "no %s: give --config, or --ledger and --roster (and a configuration "
            "with [smtp] for --remind)", path);
    return EXIT_USAGE;
  }
  diag_init(&d);
  rc = attest_config_load(path, &v->cfg, &d);
  v->has_cfg = true;
  log_lines(rc ? LOG_ERR : LOG_WARNING, db_str(&d.text));
  diag_release(&d);
  if(!rc && v->a->remind && !v->cfg.smtp.present) {
    log_msg(LOG_ERR, "%s: --remind needs an [smtp] section", path);
    return EXIT_USAGE;
  }
  return rc ? EXIT_USAGE : EXIT_DONE;
}

static int load(struct view *v)
{
  const char *roster = v->a->roster ? v->a->roster : v->cfg.roster;
  const char *ledger = v->a->ledger ? v->a->ledger : v->cfg.ledger;
  struct lethe_err err = { 0 };
  struct diag d;
  lethe_rc rc;
  diag_init(&d);
  rc = roster_load(roster, &v->roster, &d);
  log_lines(rc ? LOG_ERR : LOG_WARNING, db_str(&d.text));
  diag_release(&d);
  if(rc)
    return EXIT_USAGE;
  rc = attest_collect(ledger, &v->roster, &v->set, &err);
  if(rc) {
    log_msg(LOG_ERR, "%s", err.msg);
    return rc == LETHE_E_NOTFOUND ? EXIT_USAGE : EXIT_SOME_FAILED;
  }
  if(!v->a->has_within)
    v->a->within = v->has_cfg ? v->cfg.within : (struct duration){ 14, DURATION_DAYS };
  rc = standing_compute(&v->roster, &v->set, v->a->now, &v->a->within, &v->st, &v->n_st);
  return rc ? EXIT_SOME_FAILED : EXIT_DONE;
}

/* Text from a roster or a ledger, safe to print on a terminal. */
static void put_text(const char *s, int width)
{
  struct dynbuf b;
  db_init(&b, 4096);
  if(text_add_printable(&b, s, strlen(s)))
    db_reset(&b);
  printf("%-*s", width, db_str(&b));
  db_release(&b);
}

static void print_standing(const struct standing *s)
{
  char last[ISODATE_LEN] = "never", due[ISODATE_LEN] = "now";
  if(s->last)
    isotime_format_date(s->last->s.attested_at, last);
  if(s->has_due)
    isotime_format_date(s->due, due);
  put_text(s->row->name, 22);
  putchar(' ');
  put_text(s->row->email, 28);
  putchar(' ');
  put_text(s->row->scope, 10);
  printf(" %-10s  %-10s  %s", last, due, standing_state_name(s->state));
  if(s->last && s->last->s.exceptions)
    printf(" (%llu exception%s)", (unsigned long long)s->last->s.exceptions,
           s->last->s.exceptions == 1 ? "" : "s");
  putchar('\n');
}

static size_t print_view(const struct view *v)
{
  char now[ISOTIME_LEN];
  size_t overdue = 0;
  isotime_format(v->a->now, now);
  printf("%zu attestation%s accepted on %zu branch%s; at %s:\n\n", v->set.n_ok,
         v->set.n_ok == 1 ? "" : "s", v->set.branches, v->set.branches == 1 ? "" : "es", now);
  printf("%-22s %-28s %-10s %-10s  %-10s  %s\n", "NAME", "E-MAIL", "SCOPE", "CONFIRMED",
         "NEXT DUE", "STANDING");
  for(size_t i = 0; i < v->n_st; i++) {
    print_standing(&v->st[i]);
    overdue += v->st[i].state == STANDING_OVERDUE;
  }
  if(v->set.n_bad)
    printf("\nRejected (%zu):\n", v->set.n_bad);
  for(size_t i = 0; i < v->set.n_bad; i++) {
    printf("  %s ", v->set.bad[i].ref);
    put_text(v->set.bad[i].path, 0);
    printf(": %s\n", v->set.bad[i].why);
  }
  printf("\n%zu of %zu overdue, %zu rejected.\n", overdue, v->n_st, v->set.n_bad);
  return overdue;
}

static void note_sent(void *ctx, const char *to, const struct standing *about,
                      const char *error)
{
  (void)ctx;
  if(error)
    log_msg(LOG_ERR, "reminder to %s not sent: %s", to, error);
  else if(about)
    log_msg(LOG_NOTICE, "reminded %s (%s)", to, standing_state_name(about->state));
  else
    log_msg(LOG_NOTICE, "told %s who is overdue", to);
}

static int remind(struct view *v)
{
  struct smtp_server s;
  struct remind_opts o = { .smtp = &s, .from = v->cfg.smtp.from, .dpo = v->cfg.dpo,
                           .state_dir = v->cfg.state, .now = v->a->now };
  struct remind_counts counts;
  struct lethe_err err = { 0 };
  attest_config_smtp(&v->cfg, &s);
  if(!v->cfg.dpo)
    log_msg(LOG_WARNING, "no dpo in %s: nobody is told who is overdue", v->cfg.path);
  if(remind_send(&o, v->st, v->n_st, note_sent, NULL, &counts, &err)) {
    log_msg(LOG_ERR, "%s", err.msg);
    return EXIT_SOME_FAILED;
  }
  log_msg(LOG_NOTICE, "reminders: %u sent, %u failed, %u already sent this period",
          counts.sent, counts.failed, counts.already);
  return counts.failed ? EXIT_SOME_FAILED : EXIT_DONE;
}

int cmd_attestations(int argc, char **argv, struct cmd_env *env)
{
  struct att_args a = { 0 };
  struct view v = { .a = &a };
  bool help = false;
  int status = parse_args(argc, argv, &a, &help);
  (void)env; /* its own configuration, never lethe.ini */
  if(status || help) {
    if(help)
      fputs(usage, stdout);
    return status;
  }
  if(!a.has_now)
    a.now = cli_now();
  status = load_config(&v);
  if(!status)
    status = load(&v);
  if(!status && print_view(&v) + v.set.n_bad)
    status = EXIT_SOME_FAILED;
  if((!status || status == EXIT_SOME_FAILED) && a.remind && v.st) {
    int sent = remind(&v);
    status = status ? status : sent;
  }
  free(v.st);
  attest_set_release(&v.set);
  roster_release(&v.roster);
  if(v.has_cfg)
    attest_config_release(&v.cfg);
  return status;
}

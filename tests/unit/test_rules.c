/* Tests for rules.c (with inifile.c and config.c): loading rule files from a
 * rules directory, every validation message with its "FILE:LINE: " prefix,
 * the parsed fields of a valid rule, and lethe.ini itself. Each test works in
 * its own temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources.h"
#include "config.h"
#include "diag.h"
#include "events.h"
#include "rules.h"
#include "source_file.h"
#include "source_graph.h"
#include "source_imap.h"

/* A valid rule on lines 1-4: an extra line appended is line 5. */
#define BASE "[rule r]\nsource = file:///srv/x\nretain = 180 days\naction = unlink\n"

struct fx {
  char dir[512];      /* the test's temporary directory */
  char rules[600];    /* dir/rules.d */
  char path[700];     /* scratch: the last file written */
  struct config cfg;
  struct ruleset rs;
  struct diag d;
};

static int setup(void **state)
{
  const char *tmp = getenv("TMPDIR");
  struct fx *f = calloc(1, sizeof(*f));
  if(!f)
    return -1;
  snprintf(f->dir, sizeof(f->dir), "%s/lethe-rules-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if(!mkdtemp(f->dir)) {
    free(f);
    return -1;
  }
  snprintf(f->rules, sizeof(f->rules), "%s/rules.d", f->dir);
  if(mkdir(f->rules, 0700))
    return -1;
  f->cfg.rules_dir = strdup(f->rules);
  f->cfg.plugins_dir = strdup(f->dir);
  diag_init(&f->d);
  *state = f;
  return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static int teardown(void **state)
{
  struct fx *f = *state;
  ruleset_release(&f->rs);
  diag_release(&f->d);
  config_release(&f->cfg);
  nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  free(f);
  return 0;
}

/* Write text to dir/name (name may be "rules.d/x.ini"); f->path names it. */
static const char *write_at(struct fx *f, const char *name, const char *text)
{
  FILE *fp;
  snprintf(f->path, sizeof(f->path), "%s/%s", f->dir, name);
  fp = fopen(f->path, "w");
  assert_non_null(fp);
  assert_int_equal(fputs(text, fp) >= 0, 1);
  assert_int_equal(fclose(fp), 0);
  return f->path;
}

/* Write a rule file into the rules directory. */
static void write_rule(struct fx *f, const char *name, const char *text)
{
  char rel[256];
  snprintf(rel, sizeof(rel), "rules.d/%s", name);
  write_at(f, rel, text);
}

/* Forget what an earlier load left behind. */
static void reset(struct fx *f)
{
  ruleset_release(&f->rs);
  diag_release(&f->d);
  diag_init(&f->d);
}

/* As the front end loads: the rule files, then each rule's store. */
static lethe_rc load(struct fx *f)
{
  lethe_rc rc = rules_load(&f->cfg, &f->rs, &f->d);
  lethe_rc bound = rc && rc != LETHE_E_CONFIG ? rc : sources_bind(&f->rs, &f->d);
  return rc ? rc : bound;
}

/* Does some diagnostic line start with prefix and contain phrase? */
static bool diag_has(const struct diag *d, const char *prefix, const char *phrase)
{
  const char *p = db_str(&d->text);
  size_t plen = strlen(prefix);
  while(*p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    if(len >= plen && !memcmp(p, prefix, plen) &&
       memmem(p + plen, len - plen, phrase, strlen(phrase)))
      return true;
    p += len + (nl != NULL);
  }
  return false;
}

/* Assert a diagnostic "file:line: ...phrase..." ("file: ..." for line 0). */
static void expect_at(const struct diag *d, const char *file, int line, const char *phrase)
{
  char prefix[1024];
  if(line > 0)
    snprintf(prefix, sizeof(prefix), "%s:%d: ", file, line);
  else
    snprintf(prefix, sizeof(prefix), "%s: ", file);
  if(!diag_has(d, prefix, phrase)) {
    print_error("no diagnostic \"%s...%s\" in:\n%s", prefix, phrase, db_str(&d->text));
    fail();
  }
}

/* Assert a diagnostic at rules.d/name:line. */
static void expect(struct fx *f, const char *name, int line, const char *phrase)
{
  char file[1024];
  snprintf(file, sizeof(file), "%s/%s", f->rules, name);
  expect_at(&f->d, file, line, phrase);
}

/* Load text as the only rule file r.ini: exactly one error, at line. */
static void only_error(struct fx *f, const char *text, int line, const char *phrase)
{
  reset(f);
  write_rule(f, "r.ini", text);
  assert_int_equal(load(f), LETHE_E_CONFIG);
  expect(f, "r.ini", line, phrase);
  if(f->d.errors != 1) {
    print_error("want one error, got %u:\n%s", f->d.errors, db_str(&f->d.text));
    fail();
  }
}

/* Load text as the only rule file r.ini: no error, no warning. */
static void load_ok(struct fx *f, const char *text)
{
  reset(f);
  write_rule(f, "r.ini", text);
  if(load(f) != LETHE_OK || f->d.errors || f->d.warnings) {
    print_error("unexpected diagnostics:\n%s", db_str(&f->d.text));
    fail();
  }
}

/* --- structure of the file ------------------------------------------------ */

static void test_unknown_section(void **state)
{
  struct fx *f = *state;
  /* The section's own keys are not reported again. */
  only_error(f, "[rules x]\nsource = nowhere\n", 1, "unknown section [rules x]");
  only_error(f, BASE "[ruleset]\n", 5, "unknown section [ruleset]");
}

static void test_section_name(void **state)
{
  struct fx *f = *state;
  only_error(f, "[rule]\nsource = x\n", 1, "[rule] needs a name");
  only_error(f, BASE "[hold two words]\nreason = x\n", 5, "[hold] needs a name");
}

/* Which keys a rule's action takes is its plugin's to say (checked when
 * the plugin loads: tests/integration/check_plugin_settings.sh); a key
 * that cannot be one is refused here. */
static void test_unknown_key(void **state)
{
  struct fx *f = *state;
  only_error(f, BASE "colour! = red\n", 5, "unknown key 'colour!' in [rule r]");
  only_error(f, "[hold h]\nmatch = *\nreason = x\nselect = *\n", 4,
             "unknown key 'select' in [hold h]");
}

static void test_key_outside_section(void **state)
{
  struct fx *f = *state;
  only_error(f, "; leading comment\nretain = 5d\n" BASE, 2, "'retain' outside any section");
}

static void test_syntax_error(void **state)
{
  struct fx *f = *state;
  only_error(f, BASE "just some words\n", 5, "expected '[section]' or 'key = value'");
  only_error(f, BASE "[rule s\n", 5, "section header has no closing ']'");
}

static void test_indented_line_refused(void **state)
{
  struct fx *f = *state;
  /* An indented except would otherwise continue the pattern above it and
   * match nothing, so more would be deleted: it must be an error. */
  only_error(f, BASE "except = a/**\n  except = b/**\n", 6, "indented line");
  only_error(f, BASE "\tselect = c/**\n", 5, "indented line");
  /* Blank and comment lines may be indented. */
  load_ok(f, BASE "  ; a comment\n\t\n");
}

static void test_overlong_line(void **state)
{
  struct fx *f = *state;
  char text[1024];
  char pad[301];
  memset(pad, 'x', 300);
  pad[300] = '\0';
  snprintf(text, sizeof(text), BASE "description = %s\n", pad);
  only_error(f, text, 5, "line longer than 199 bytes");
  /* A long line that fits is accepted whole. */
  memset(pad, 'y', 180);
  pad[180] = '\0';
  snprintf(text, sizeof(text), BASE "description = %s\n", pad);
  load_ok(f, text);
  assert_string_equal(f->rs.rules[0]->description, pad);
}

static void test_empty_value(void **state)
{
  struct fx *f = *state;
  only_error(f, BASE "description =\n", 5, "'description' has no value");
  only_error(f, "[hold h]\nmatch = *\nreason = x\nuntil =\n", 4, "'until' has no value");
}

static void test_key_twice(void **state)
{
  struct fx *f = *state;
  only_error(f, BASE "source = file:///srv/y\n", 5, "'source' given twice");
  only_error(f, BASE "retain = 1 year\n", 5, "'retain' given twice");
  only_error(f, BASE "action = shred\n", 5, "'action' given twice");
  only_error(f, BASE "basis = a\nbasis = b\n", 6, "'basis' given twice");
  only_error(f, BASE "clock = mtime\nclock = ctime\n", 6, "'clock' given twice");
  only_error(f, BASE "subject = */\nsubject = */\n", 6, "'subject' given twice");
  only_error(f, BASE "grace = 1d\ngrace = 2d\n", 6, "'grace' given twice");
  only_error(f, BASE "max-delete = 1\nmax-delete = 2\n", 6, "'max-delete' given twice");
  only_error(f, BASE "review = required\nreview = none\n", 6, "'review' given twice");
  only_error(f, BASE "every = 1y\nevery = 2y\n", 6, "'every' given twice");
  only_error(f, BASE "description = a\ndescription = b\n", 6, "'description' given twice");
  only_error(f, "[hold h]\nmatch = *\nreason = a\nreason = b\n", 4, "'reason' given twice");
  only_error(f, "[hold h]\nmatch = *\nreason = a\nuntil = 2030-01-01\nuntil = 2031-01-01\n",
             5, "'until' given twice");
}

/* --- rules ---------------------------------------------------------------- */

static void test_missing_required(void **state)
{
  struct fx *f = *state;
  reset(f);
  /* Reported at the section's line, not at the end of the file. */
  write_rule(f, "r.ini", "; a comment\n\n[rule bare]\ndescription = nothing else\n");
  assert_int_equal(load(f), LETHE_E_CONFIG);
  assert_int_equal(f->d.errors, 3);
  expect(f, "r.ini", 3, "[rule bare] has no 'source'");
  expect(f, "r.ini", 3, "[rule bare] has no 'retain'");
  expect(f, "r.ini", 3, "[rule bare] has no 'action'");
}

static void test_bad_duration(void **state)
{
  struct fx *f = *state;
  only_error(f, "[rule r]\nsource = file:///x\nretain = 12m\naction = unlink\n", 3,
             "retain: invalid duration \"12m\": \"m\" is ambiguous");
  only_error(f, "[rule r]\nsource = file:///x\nretain = 180 parsecs\naction = unlink\n", 3,
             "retain: invalid duration \"180 parsecs\"");
  only_error(f, BASE "every = often\n", 5, "every: invalid duration");
  only_error(f, BASE "grace = -1d\n", 5, "grace: invalid duration");
}

static void test_bad_glob(void **state)
{
  struct fx *f = *state;
  only_error(f, BASE "select = a[b\n", 5, "select: invalid glob \"a[b\"");
  only_error(f, BASE "except = a**\n", 5, "except: invalid glob \"a**\"");
  only_error(f, "[hold h]\nreason = x\nmatch = *\nmatch = file:///[z-a]\n", 4,
             "match: invalid glob \"file:///[z-a]\"");
}

static void test_duplicate_rule_name(void **state)
{
  struct fx *f = *state;
  char first[1024];
  reset(f);
  write_rule(f, "a.ini", "\n" BASE);
  write_rule(f, "b.ini", "[hold h]\nmatch = *\nreason = x\n" BASE);
  assert_int_equal(load(f), LETHE_E_CONFIG);
  assert_int_equal(f->d.errors, 1);
  snprintf(first, sizeof(first), "duplicate rule name 'r' (first defined at %s/a.ini:2)",
           f->rules);
  expect(f, "b.ini", 4, first);
  /* The second definition is dropped, keys and all. */
  assert_int_equal(f->rs.n_rules, 1);
  assert_string_equal(f->rs.rules[0]->source, "file:///srv/x");
}

static void test_duplicate_hold_name(void **state)
{
  struct fx *f = *state;
  char first[1024];
  snprintf(first, sizeof(first), "duplicate hold name 'h' (first defined at %s/r.ini:1)",
           f->rules);
  only_error(f, "[hold h]\nmatch = *\nreason = x\n[hold h]\nmatch = *\nreason = y\n", 4,
             first);
  assert_int_equal(f->rs.n_holds, 1);
  assert_string_equal(f->rs.holds[0]->reason, "x");
  /* A rule and a hold may share a name. */
  load_ok(f, BASE "[hold r]\nmatch = *\nreason = x\n");
}

static void test_bad_subject(void **state)
{
  struct fx *f = *state;
  only_error(f, BASE "subject = *\n", 5, "subject '*': expected directory levels ending in '/'");
  only_error(f, BASE "subject = **/\n", 5, "subject '**/': expected directory levels");
  only_error(f, BASE "subject = /\n", 5, "subject '/': expected directory levels");
  only_error(f, BASE "subject = [a/\n", 5, "subject: invalid glob");
}

static void test_unknown_clock(void **state)
{
  struct fx *f = *state;
  only_error(f, BASE "clock = sundial\n", 5, "unknown clock 'sundial'");
  only_error(f, BASE "clock = events:\n", 5, "clock 'events:' needs a CSV file");
}

static void test_clock_source_mismatch(void **state)
{
  struct fx *f = *state;
  /* Reported at the rule's section line, after the whole file is read. */
  only_error(f, "\n" BASE "clock = internaldate\n", 2,
             "[rule r]: clock 'internaldate' does not apply to source 'file:///srv/x'");
  only_error(f, "[rule m]\nsource = imaps://u@h/INBOX\nretain = 1y\naction = expunge\n"
             "clock = mtime\n", 1, "clock 'mtime' does not apply to source 'imaps://u@h/INBOX'");
  only_error(f, "[rule g]\nsource = graph://u@t/mail/Inbox\nretain = 1y\naction = graph-delete\n"
             "clock = sentdate\n", 1, "clock 'sentdate' does not apply");
  only_error(f, BASE "clock = received\n", 1, "clock 'received' does not apply");
}

static void test_newest_needs_subject(void **state)
{
  struct fx *f = *state;
  only_error(f, BASE "clock = newest\n", 1, "[rule r]: clock 'newest' needs a 'subject'");
  load_ok(f, BASE "clock = newest\nsubject = */\n");
}

static void test_events_file_missing(void **state)
{
  struct fx *f = *state;
  char csv[1024];
  reset(f);
  write_rule(f, "r.ini", BASE "clock = events:missing.csv\n");
  assert_int_equal(load(f), LETHE_E_CONFIG);
  assert_int_equal(f->d.errors, 1);
  snprintf(csv, sizeof(csv), "%s/missing.csv", f->rules);
  expect_at(&f->d, csv, 0, "cannot read events file: No such file or directory");
}

static void test_events_file_malformed(void **state)
{
  struct fx *f = *state;
  char csv[1024];
  reset(f);
  write_at(f, "ev.csv", "client,date\nAcme,2025-01-01\nBeta\n");
  snprintf(csv, sizeof(csv), "%s/../ev.csv", f->rules);
  write_rule(f, "r.ini", "[rule r]\nsource = file:///x\nretain = 1y\naction = unlink\n"
             "clock = events:../ev.csv\n");
  assert_int_equal(load(f), LETHE_E_CONFIG);
  assert_int_equal(f->d.errors, 1);
  expect_at(&f->d, csv, 3, "expected two fields");
}

static void test_bad_max_delete(void **state)
{
  struct fx *f = *state;
  only_error(f, BASE "max-delete = lots\n", 5, "max-delete 'lots': expected a count (500)");
  only_error(f, BASE "max-delete = -5\n", 5, "max-delete '-5': expected a count");
  only_error(f, BASE "max-delete = 5x\n", 5, "max-delete '5x': expected a count");
  only_error(f, BASE "max-delete = 101%\n", 5, "percentage from 0% to 100%");
  only_error(f, BASE "max-delete = 99999999999999999999999\n", 5, "expected a count");
}

static void test_bad_review(void **state)
{
  struct fx *f = *state;
  only_error(f, BASE "review = maybe\n", 5, "review 'maybe': expected 'required' or 'none'");
  load_ok(f, BASE "review = none\n[rule s]\nsource = file:///y\nretain = 1d\n"
          "action = unlink\nreview = required\n");
  assert_false(f->rs.rules[0]->review_required);
  assert_true(f->rs.rules[1]->review_required);
}

/* Whether an action has a plugin is found when it loads (see
 * test_unknown_key); names that could escape the plugin directory are never
 * looked up. */
static void test_unknown_action(void **state)
{
  struct fx *f = *state;
  write_at(f, "rules.d/evil.so", "");
  only_error(f, "[rule r]\nsource = file:///x\nretain = 1d\naction = rules.d/evil\n", 4,
             "unknown action 'rules.d/evil'");
}

static void test_bad_source(void **state)
{
  struct fx *f = *state;
  only_error(f, "[rule r]\nsource = ftp://h/x\nretain = 1d\naction = unlink\n", 2,
             "source 'ftp://h/x': unknown scheme");
  only_error(f, "[rule r]\nsource = file://srv/x\nretain = 1d\naction = unlink\n", 2,
             "source 'file://srv/x': a file source is file:///absolute/path");
  only_error(f, "[rule r]\nsource = file://\nretain = 1d\naction = unlink\n", 2,
             "a file source is file:///absolute/path");
  only_error(f, "[rule r]\nsource = file:///srv/%zz\nretain = 1d\naction = unlink\n", 2,
             "a file source is file:///absolute/path");
  only_error(f, "[rule r]\nsource = file:///srv/%00x\nretain = 1d\naction = unlink\n", 2,
             "a file source is file:///absolute/path");
}

static void test_full_rule(void **state)
{
  struct fx *f = *state;
  struct rule *r;
  char want[1024];
  snprintf(want, sizeof(want), "%s/ev", f->rules);
  assert_int_equal(mkdir(want, 0700), 0);
  write_rule(f, "ev/last.csv", "client,date\nAcme,2025-01-01\nBeta,2025-02-01\n");
  load_ok(f, "; clients\n[rule clients]\ndescription = Client folders\nbasis = Policy 4.2\n"
          "source = file:///srv/Client%20Work/\nsubject = */*/\n"
          "select = */0 Confidential/**\nselect = **/*.mp4\nexcept = */keep/**\n"
          "clock = events:ev/last.csv\nretain = 12 months\nevery = 6 months\n"
          "grace = 1 month\naction = shred\npasses = 3\nmax-delete = 10%\n"
          "review = required\n");
  assert_int_equal(f->rs.n_rules, 1);
  r = rules_find(&f->rs, "clients");
  assert_ptr_equal(r, f->rs.rules[0]);
  assert_null(rules_find(&f->rs, "client"));
  snprintf(want, sizeof(want), "%s/r.ini", f->rules);
  assert_string_equal(r->file, want);
  assert_int_equal(r->line, 2);
  assert_string_equal(r->description, "Client folders");
  assert_string_equal(r->basis, "Policy 4.2");
  assert_string_equal(r->source, "file:///srv/Client%20Work/");
  assert_ptr_equal(source_of(r), &source_file_ops);
  assert_string_equal(r->root, "/srv/Client Work");
  assert_int_equal(r->select.n, 2);
  assert_string_equal(r->select.v[0], "*/0 Confidential/**");
  assert_string_equal(r->select.v[1], "**/*.mp4");
  assert_int_equal(r->except.n, 1);
  assert_string_equal(r->except.v[0], "*/keep/**");
  assert_string_equal(r->subject, "*/*");
  assert_int_equal(r->subject_depth, 2);
  snprintf(want, sizeof(want), "%s/ev/last.csv", f->rules);
  assert_string_equal(r->events_path, want);
  assert_int_equal(events_count(r->events), 2);
}

static void test_full_rule_clock_and_periods(void **state)
{
  struct fx *f = *state;
  struct rule *r;
  char want[1024];
  int64_t when;
  snprintf(want, sizeof(want), "%s/last.csv", f->rules);
  write_rule(f, "last.csv", "Acme,2025-01-01\n");
  load_ok(f, "[rule c]\nsource = file:///srv\nsubject = */\nclock = events:last.csv\n"
          "retain = 12 months\nevery = 6 months\ngrace = 1 month\naction = shred\n"
          "passes = 3\nmax-delete = 10%\nreview = required\n");
  r = f->rs.rules[0];
  assert_string_equal(r->subject, "*");
  assert_int_equal(r->subject_depth, 1);
  assert_true(r->has_clock);
  assert_int_equal(r->clock, CLOCK_EVENTS);
  assert_string_equal(r->events_path, want);
  assert_non_null(r->events);
  assert_true(events_lookup(r->events, "Acme", 4, &when));
  assert_true(r->has_retain);
  assert_int_equal(r->retain.count, 12);
  assert_int_equal(r->retain.unit, DURATION_MONTHS);
  assert_true(r->has_every);
  assert_int_equal(r->every.count, 6);
  assert_true(r->has_grace);
  assert_int_equal(r->grace.count, 1);
  assert_int_equal(r->grace.unit, DURATION_MONTHS);
  assert_string_equal(r->action, "shred");
  assert_true(r->review_required);
  assert_true(r->max_delete.set);
  assert_true(r->max_delete.percent);
  assert_int_equal(r->max_delete.value, 10);
  assert_int_equal(r->n_settings, 1);
  assert_string_equal(r->settings[0].key, "passes");
  assert_string_equal(r->settings[0].value, "3");
}

static void test_minimal_rule_defaults(void **state)
{
  struct fx *f = *state;
  struct rule *r;
  load_ok(f, BASE "max-delete = 500\nremove-empty-dirs = subject\n");
  r = f->rs.rules[0];
  assert_string_equal(r->name, "r");
  assert_string_equal(r->root, "/srv/x");
  assert_int_equal(r->select.n, 0);
  assert_int_equal(r->except.n, 0);
  assert_null(r->subject);
  assert_null(r->description);
  assert_false(r->has_every);
  assert_false(r->has_grace);
  assert_false(r->review_required);
  assert_true(r->max_delete.set);
  assert_false(r->max_delete.percent);
  assert_int_equal(r->max_delete.value, 500);
  assert_int_equal(r->n_settings, 1);
  assert_string_equal(r->settings[0].key, "remove-empty-dirs");
  assert_string_equal(r->settings[0].value, "subject");
  assert_int_equal(r->retain.count, 180);
  assert_int_equal(r->retain.unit, DURATION_DAYS);
}

static void test_settings_checked_per_action(void **state)
{
  struct fx *f = *state;
  /* The agent's own settings are judged with the rules; the plugin's when
   * it loads (tests/integration/check_plugin_settings.sh). */
  only_error(f, BASE "remove-empty-dirs = maybe\n", 5, "expected yes, no or subject");
}

static void test_default_clocks(void **state)
{
  struct fx *f = *state;
  load_ok(f, BASE "[rule m]\nsource = imaps://u@h/INBOX\nretain = 1y\naction = expunge\n"
          "[rule g]\nsource = graph://u@t/mail/Inbox\nretain = 1y\naction = graph-delete\n");
  assert_int_equal(f->rs.n_rules, 3);
  assert_false(f->rs.rules[0]->has_clock);
  assert_ptr_equal(source_of(f->rs.rules[0]), &source_file_ops);
  assert_int_equal(f->rs.rules[0]->clock, CLOCK_MTIME);
  assert_ptr_equal(source_of(f->rs.rules[1]), &source_imap_ops);
  assert_int_equal(f->rs.rules[1]->clock, CLOCK_INTERNALDATE);
  assert_null(f->rs.rules[1]->root);
  assert_ptr_equal(source_of(f->rs.rules[2]), &source_graph_ops);
  assert_int_equal(f->rs.rules[2]->clock, CLOCK_RECEIVED);
}

static void test_explicit_clocks(void **state)
{
  struct fx *f = *state;
  static const char *const names[] = { "mtime", "btime", "ctime", "atime", "name" };
  char text[512];
  for(size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    snprintf(text, sizeof(text), BASE "clock = %s\n", names[i]);
    load_ok(f, text);
    assert_true(f->rs.rules[0]->has_clock);
    assert_string_equal(clock_name(f->rs.rules[0]->clock), names[i]);
  }
  load_ok(f, "[rule m]\nsource = imap://u@h/INBOX\nretain = 1y\naction = expunge\n"
          "clock = sentdate\n");
  assert_int_equal(f->rs.rules[0]->clock, CLOCK_SENTDATE);
}

static void test_source_decoding(void **state)
{
  struct fx *f = *state;
  load_ok(f, "[rule a]\nsource = file:///srv/Client%20Work\nretain = 1d\naction = unlink\n"
          "[rule b]\nsource = file:///srv/trail///\nretain = 1d\naction = unlink\n"
          "[rule c]\nsource = file:///\nretain = 1d\naction = unlink\n"
          "[rule d]\nsource = file:///srv/%e2%82%ac\nretain = 1d\naction = unlink\n");
  assert_string_equal(f->rs.rules[0]->root, "/srv/Client Work");
  assert_string_equal(f->rs.rules[0]->source, "file:///srv/Client%20Work");
  assert_string_equal(f->rs.rules[1]->root, "/srv/trail");
  assert_string_equal(f->rs.rules[2]->root, "/");
  assert_string_equal(f->rs.rules[3]->root, "/srv/\xe2\x82\xac");
}

/* --- holds ---------------------------------------------------------------- */

static void test_hold_parsed(void **state)
{
  struct fx *f = *state;
  struct hold *h;
  load_ok(f, "[hold legal]\nmatch = file:///srv/x/Acme/**\nmatch = imaps://*/**\n"
          "reason = Litigation 2026-17\nuntil = 2027-01-01T12:00:00Z\n"
          "[hold forever]\nmatch = *\nreason = audit\n");
  assert_int_equal(f->rs.n_holds, 2);
  h = f->rs.holds[0];
  assert_string_equal(h->name, "legal");
  assert_int_equal(h->line, 1);
  assert_int_equal(h->match.n, 2);
  assert_string_equal(h->match.v[0], "file:///srv/x/Acme/**");
  assert_string_equal(h->match.v[1], "imaps://*/**");
  assert_string_equal(h->reason, "Litigation 2026-17");
  assert_true(h->has_until);
  assert_int_equal(h->until, INT64_C(1798804800));
  assert_false(f->rs.holds[1]->has_until);
}

static void test_hold_missing_keys(void **state)
{
  struct fx *f = *state;
  reset(f);
  write_rule(f, "r.ini", BASE "\n[hold empty]\n");
  assert_int_equal(load(f), LETHE_E_CONFIG);
  assert_int_equal(f->d.errors, 2);
  expect(f, "r.ini", 6, "[hold empty] has no 'match'");
  expect(f, "r.ini", 6, "[hold empty] has no 'reason'");
}

static void test_bad_until(void **state)
{
  struct fx *f = *state;
  only_error(f, "[hold h]\nmatch = *\nreason = x\nuntil = next week\n", 4,
             "until: invalid time \"next week\"");
  only_error(f, "[hold h]\nmatch = *\nreason = x\nuntil = 2026-02-30\n", 4,
             "until: invalid time");
}

/* --- the rules directory -------------------------------------------------- */

static void test_errors_in_several_files(void **state)
{
  struct fx *f = *state;
  const char *text, *a, *b, *c;
  /* Written out of order: they are read bytewise-sorted. */
  write_rule(f, "b.ini", "[rule b]\nsource = ftp://x\nretain = 1d\naction = unlink\n");
  write_rule(f, "9-x.ini", "[rule x]\nsource = file:///x\nretain = 12m\naction = unlink\n"
             "colour! = red\n");
  write_rule(f, "10-y.ini", "[oops]\n" BASE "[rule y]\nsource = file:///y\n");
  assert_int_equal(load(f), LETHE_E_CONFIG);
  assert_int_equal(f->d.errors, 6);
  expect(f, "10-y.ini", 1, "unknown section [oops]");
  expect(f, "10-y.ini", 6, "[rule y] has no 'retain'");
  expect(f, "10-y.ini", 6, "[rule y] has no 'action'");
  expect(f, "9-x.ini", 3, "retain: invalid duration");
  expect(f, "9-x.ini", 5, "unknown key 'colour!'");
  expect(f, "b.ini", 2, "unknown scheme");
  /* Every file was read, in order; rules come in the same order. */
  assert_int_equal(f->rs.n_rules, 4);
  assert_string_equal(f->rs.rules[0]->name, "r");
  assert_string_equal(f->rs.rules[1]->name, "y");
  assert_string_equal(f->rs.rules[2]->name, "x");
  assert_string_equal(f->rs.rules[3]->name, "b");
  text = db_str(&f->d.text);
  a = strstr(text, "10-y.ini:1:");
  b = strstr(text, "9-x.ini:3:");
  c = strstr(text, "b.ini:2:");
  assert_true(a && b && c && a < b && b < c);
}

static void test_files_read_sorted(void **state)
{
  struct fx *f = *state;
  /* Created scrambled, so no directory order can pass by luck. */
  static const char *const names[] = { "m", "02", "z", "10", "a", "1", "B", "y", "05",
                                       "b", "_", "20" };
  static const char *const sorted[] = { "02", "05", "1", "10", "20", "B", "_", "a", "b",
                                        "m", "y", "z" };
  char file[64], text[256];
  for(size_t i = 0; i < 12; i++) {
    snprintf(file, sizeof(file), "%s.ini", names[i]);
    snprintf(text, sizeof(text), "[rule %s]\nsource = file:///x\nretain = 1d\n"
             "action = unlink\n", names[i]);
    write_rule(f, file, text);
  }
  assert_int_equal(load(f), LETHE_OK);
  assert_int_equal(f->rs.n_rules, 12);
  for(size_t i = 0; i < 12; i++)
    assert_string_equal(f->rs.rules[i]->name, sorted[i]);
}

static void test_ignored_files(void **state)
{
  struct fx *f = *state;
  write_rule(f, ".hidden.ini", "garbage\n");
  write_rule(f, "notes.txt", "garbage\n");
  write_rule(f, "r.ini~", "garbage\n");
  write_rule(f, "r.ini.bak", "garbage\n");
  write_rule(f, ".ini", "garbage\n");
  load_ok(f, BASE);
  assert_int_equal(f->rs.n_rules, 1);
}

static void test_comments_and_spacing(void **state)
{
  struct fx *f = *state;
  load_ok(f, "# hash comment\n; semicolon comment\n\n[ rule  spaced ]\n"
          "source=file:///srv/a b\n  \nretain :  7y  \naction = unlink ; inline\n");
  assert_string_equal(f->rs.rules[0]->name, "spaced");
  assert_string_equal(f->rs.rules[0]->root, "/srv/a b");
  assert_int_equal(f->rs.rules[0]->retain.count, 7);
  assert_string_equal(f->rs.rules[0]->action, "unlink");
}

static void test_bom_and_crlf(void **state)
{
  struct fx *f = *state;
  /* Windows editors write a byte-order mark and CRLF line ends. */
  load_ok(f, "\xEF\xBB\xBF[rule r]\r\nsource = file:///srv/x\r\nretain = 1y\r\n"
          "action = unlink\r\n");
  assert_int_equal(f->rs.n_rules, 1);
  assert_string_equal(f->rs.rules[0]->root, "/srv/x");
  only_error(f, "\xEF\xBB\xBF" "retain = 1y\r\n" BASE, 1, "'retain' outside any section");
}

static void test_unreadable_rules_dir(void **state)
{
  struct fx *f = *state;
  char missing[1024];
  snprintf(missing, sizeof(missing), "%s/nope", f->dir);
  free(f->cfg.rules_dir);
  f->cfg.rules_dir = strdup(missing);
  assert_int_equal(load(f), LETHE_E_CONFIG);
  assert_int_equal(f->d.errors, 1);
  expect_at(&f->d, missing, 0, "cannot read rules directory: No such file or directory");
  /* A file where the directory should be. */
  reset(f);
  free(f->cfg.rules_dir);
  f->cfg.rules_dir = strdup(write_at(f, "plain", "x"));
  assert_int_equal(load(f), LETHE_E_CONFIG);
  expect_at(&f->d, f->cfg.rules_dir, 0, "cannot read rules directory: Not a directory");
}

static void test_empty_rules_dir(void **state)
{
  struct fx *f = *state;
  assert_int_equal(load(f), LETHE_OK);
  assert_int_equal(f->d.errors, 0);
  assert_int_equal(f->d.warnings, 1);
  expect_at(&f->d, f->rules, 0, "warning: no *.ini rule files");
}

static void test_unreadable_rule_file(void **state)
{
  struct fx *f = *state;
  char sub[1024];
  snprintf(sub, sizeof(sub), "%s/dir.ini", f->rules);
  assert_int_equal(mkdir(sub, 0700), 0);
  write_rule(f, "r.ini", BASE);
  assert_int_equal(load(f), LETHE_E_CONFIG);
  assert_int_equal(f->d.errors, 1);
  expect_at(&f->d, sub, 0, "not a regular file");
  assert_int_equal(f->rs.n_rules, 1);
}

/* --- lethe.ini ------------------------------------------------------------ */

static void test_config_defaults(void **state)
{
  struct fx *f = *state;
  struct config c;
  const char *path = write_at(f, "lethe.ini", "; nothing set\n[agent]\n");
  assert_int_equal(config_load(path, &c, &f->d), LETHE_OK);
  assert_int_equal(f->d.errors, 0);
  assert_string_equal(c.path, path);
  assert_string_equal(c.rules_dir, "/etc/lethe/rules.d");
  assert_string_equal(c.state_dir, "/var/lib/lethe");
  assert_string_equal(c.ledger_dir, "/var/lib/lethe/ledger");
  assert_string_equal(c.key_path, "/etc/lethe/signing.key");
  assert_non_null(c.plugins_dir);
  assert_int_equal(c.plugins_dir[0], '/');
  assert_null(c.remote);
  config_release(&c);
}

static void test_config_relative_paths(void **state)
{
  struct fx *f = *state;
  struct config c;
  char want[1024];
  const char *path = write_at(f, "lethe.ini", "[agent]\nrules = rules.d\nstate = /var/x\n"
                              "key = keys/sign.key\nplugins = ./plugins\n"
                              "remote = ssh://git@host/ledger.git\n");
  assert_int_equal(config_load(path, &c, &f->d), LETHE_OK);
  snprintf(want, sizeof(want), "%s/rules.d", f->dir);
  assert_string_equal(c.rules_dir, want);
  assert_string_equal(c.state_dir, "/var/x");
  assert_string_equal(c.ledger_dir, "/var/x/ledger");
  snprintf(want, sizeof(want), "%s/keys/sign.key", f->dir);
  assert_string_equal(c.key_path, want);
  snprintf(want, sizeof(want), "%s/./plugins", f->dir);
  assert_string_equal(c.plugins_dir, want);
  assert_string_equal(c.remote, "ssh://git@host/ledger.git");
  config_release(&c);
}

static void test_config_errors(void **state)
{
  struct fx *f = *state;
  struct config c;
  const char *path = write_at(f, "lethe.ini", "rules = x\n[agent]\ncolour = red\nstate = /a\n"
                              "state = /b\nkey =\n[rules]\nfoo = bar\n[agent]\nledger = /l\n");
  assert_int_equal(config_load(path, &c, &f->d), LETHE_E_CONFIG);
  assert_int_equal(f->d.errors, 5);
  expect_at(&f->d, path, 1, "'rules' outside any section");
  expect_at(&f->d, path, 3, "unknown key 'colour' in [agent]");
  expect_at(&f->d, path, 5, "'state' given twice");
  expect_at(&f->d, path, 6, "'key' is empty");
  expect_at(&f->d, path, 7, "unknown section [rules]");
  /* Keys after the errors are still read; the first of a repeat wins. */
  assert_string_equal(c.state_dir, "/a");
  assert_string_equal(c.ledger_dir, "/l");
  config_release(&c);
}

static void test_config_missing(void **state)
{
  struct fx *f = *state;
  struct config c;
  char path[1024];
  snprintf(path, sizeof(path), "%s/absent.ini", f->dir);
  assert_int_equal(config_load(path, &c, &f->d), LETHE_E_CONFIG);
  expect_at(&f->d, path, 0, "cannot read: No such file or directory");
  config_release(&c);
}

static void test_config_then_rules(void **state)
{
  struct fx *f = *state;
  struct config c;
  const char *path;
  write_at(f, "custom.so", "");
  write_rule(f, "r.ini", "[rule r]\nsource = file:///x\nretain = 1d\naction = custom\n");
  path = write_at(f, "lethe.ini", "[agent]\nrules = rules.d\nplugins = .\n");
  assert_int_equal(config_load(path, &c, &f->d), LETHE_OK);
  assert_int_equal(rules_load(&c, &f->rs, &f->d), LETHE_OK);
  assert_int_equal(sources_bind(&f->rs, &f->d), LETHE_OK);
  assert_int_equal(f->d.errors, 0);
  assert_string_equal(f->rs.rules[0]->action, "custom");
  config_release(&c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    T(test_unknown_section),
    T(test_section_name),
    T(test_unknown_key),
    T(test_key_outside_section),
    T(test_syntax_error),
    T(test_indented_line_refused),
    T(test_settings_checked_per_action),
    T(test_overlong_line),
    T(test_empty_value),
    T(test_key_twice),
    T(test_missing_required),
    T(test_bad_duration),
    T(test_bad_glob),
    T(test_duplicate_rule_name),
    T(test_duplicate_hold_name),
    T(test_bad_subject),
    T(test_unknown_clock),
    T(test_clock_source_mismatch),
    T(test_newest_needs_subject),
    T(test_events_file_missing),
    T(test_events_file_malformed),
    T(test_bad_max_delete),
    T(test_bad_review),
    T(test_unknown_action),
    T(test_bad_source),
    T(test_full_rule),
    T(test_full_rule_clock_and_periods),
    T(test_minimal_rule_defaults),
    T(test_default_clocks),
    T(test_explicit_clocks),
    T(test_source_decoding),
    T(test_hold_parsed),
    T(test_hold_missing_keys),
    T(test_bad_until),
    T(test_errors_in_several_files),
    T(test_files_read_sorted),
    T(test_ignored_files),
    T(test_comments_and_spacing),
    T(test_bom_and_crlf),
    T(test_unreadable_rules_dir),
    T(test_empty_rules_dir),
    T(test_unreadable_rule_file),
    T(test_config_defaults),
    T(test_config_relative_paths),
    T(test_config_errors),
    T(test_config_missing),
    T(test_config_then_rules),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests for approval.c and rules_review.c: the approval message written and
 * read back, hostile messages refused with a reason, the names kept plans
 * and approvals take, and the review keys of a rule (approvers, approvals,
 * approval-valid) with their FILE:LINE errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "approval.h"
#include "rules.h"
#include "rules_review.h"

#define HASH_HEX "5f0e0000000000000000000000000000000000000000000000000000000000aa"
#define HASH "sha256:" HASH_HEX

static void test_roundtrip(void **state)
{
  struct approval a = { .plan = HASH, .approved_at = 1796374800 }, b;
  struct dynbuf out;
  char why[128];
  (void)state;
  db_init(&out, 4096);
  assert_int_equal(strlist_add(&a.rules, "clients"), LETHE_OK);
  assert_int_equal(strlist_add(&a.rules, "recordings"), LETHE_OK);
  assert_int_equal(approval_write(&a, &out), LETHE_OK);
  assert_string_equal(db_str(&out), "{\"approved_at\":\"2026-12-04T09:00:00Z\",\"plan\":\"" HASH
                      "\",\"rules\":[\"clients\",\"recordings\"],\"schema\":\"lethe-approval/1\"}\n");
  assert_int_equal(approval_parse(out.mem, out.len, &b, why, sizeof(why)), LETHE_OK);
  assert_string_equal(b.plan, HASH);
  assert_int_equal(b.approved_at, 1796374800);
  assert_true(approval_covers(&b, "recordings"));
  assert_false(approval_covers(&b, "recording"));
  approval_release(&a);
  approval_release(&b);
  db_release(&out);
}

static void refused(const char *text, const char *reason)
{
  struct approval a;
  char why[128] = "";
  assert_int_equal(approval_parse(text, strlen(text), &a, why, sizeof(why)), LETHE_E_PARSE);
  if(!strstr(why, reason)) {
    print_error("\"%s\": reason \"%s\", expected \"%s\"\n", text, why, reason);
    fail();
  }
  assert_int_equal(a.rules.n, 0);
}

static void test_hostile(void **state)
{
  (void)state;
  refused("", "not JSON");
  refused("{\"plan\":", "not JSON");
  refused("[1,2]", "not JSON");
  refused("{\"approved_at\":\"2026-12-04T09:00:00Z\",\"plan\":\"" HASH "\",\"rules\":[\"r\"],"
          "\"schema\":\"lethe-approval/1\"}", "canonical");  /* no newline */
  refused("{\"approved_at\":\"2026-12-04T09:00:00Z\",\"plan\":\"" HASH "\",\"rules\":[\"r\"],"
          "\"schema\":\"lethe-approval/1\",\"x\":1}\n", "canonical");
  refused("{\"schema\":\"lethe-approval/1\",\"plan\":\"" HASH "\",\"approved_at\":"
          "\"2026-12-04T09:00:00Z\",\"rules\":[\"r\"]}\n", "canonical");
  refused("{\"schema\":\"lethe-approval/2\"}", "not a lethe-approval/1");
  refused("{\"schema\":\"lethe-approval/1\",\"plan\":\"" HASH "\"}", "no plan or approved_at");
  refused("{\"schema\":\"lethe-approval/1\",\"plan\":\"" HASH "\",\"approved_at\":\"yesterday\","
          "\"rules\":[\"r\"]}", "approved_at");
  refused("{\"schema\":\"lethe-approval/1\",\"plan\":\"" HASH "\",\"approved_at\":"
          "\"2026-12-04T09:00:00Z\",\"rules\":[]}", "no list of rules");
  refused("{\"schema\":\"lethe-approval/1\",\"plan\":\"" HASH "\",\"approved_at\":"
          "\"2026-12-04T09:00:00Z\",\"rules\":[\"r\",7]}", "not a name");
  refused("{\"schema\":\"lethe-approval/1\",\"plan\":7,\"approved_at\":"
          "\"2026-12-04T09:00:00Z\",\"rules\":[\"r\"]}", "no plan");
}

static void test_names(void **state)
{
  char *dir;
  (void)state;
  dir = approval_plan_dir("/var/lib/lethe", HASH);
  assert_non_null(dir);
  assert_string_equal(dir, "/var/lib/lethe/approvals/" HASH_HEX);
  free(dir);
  assert_null(approval_plan_dir("/s", "sha256:../../etc"));
  assert_null(approval_plan_dir("/s", "sha256:5F0E"));
  assert_null(approval_plan_dir("/s", "md5:5f0e"));
}

/* Load text as rules file DIR/r.ini; the diagnostics in d. */
static lethe_rc load(const char *text, struct ruleset *rs, struct diag *d, char *path)
{
  char dir[] = "/tmp/lethe-approval-XXXXXX";
  struct config cfg = { 0 };
  FILE *fp;
  lethe_rc rc;
  assert_non_null(mkdtemp(dir));
  snprintf(path, 256, "%s/r.ini", dir);
  fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
  memset(rs, 0, sizeof(*rs));
  diag_init(d);
  rc = rules_load_file(path, &cfg, rs, d);
  if(!rc)
    rc = rules_finish(rs, d);
  unlink(path);
  rmdir(dir);
  return rc ? rc : d->errors ? LETHE_E_CONFIG : LETHE_OK;
}

#define RULE "[rule r]\nsource = file:///x\nretain = 1d\naction = unlink\n"

static void expect_error(const char *text, int line, const char *phrase)
{
  struct ruleset rs;
  struct diag d;
  char path[256], prefix[300];
  assert_int_equal(load(text, &rs, &d, path), LETHE_E_CONFIG);
  snprintf(prefix, sizeof(prefix), "%s:%d: ", path, line);
  if(!strstr(db_str(&d.text), prefix) || !strstr(db_str(&d.text), phrase)) {
    print_error("no \"%s...%s\" in:\n%s", prefix, phrase, db_str(&d.text));
    fail();
  }
  ruleset_release(&rs);
  diag_release(&d);
}

static void test_review_keys(void **state)
{
  struct ruleset rs;
  struct diag d;
  char path[256], want[300];
  (void)state;
  assert_int_equal(load(RULE "review = required\napprovers = ../signers\napprovals = 2\n"
                        "approval-valid = 1 month\n", &rs, &d, path), LETHE_OK);
  snprintf(want, sizeof(want), "%s", path);
  *strrchr(want, '/') = '\0';
  strcat(want, "/../signers");
  assert_string_equal(rs.rules[0]->approvers, want);
  assert_int_equal(rules_approvals_needed(rs.rules[0]), 2);
  assert_int_equal(rs.rules[0]->approval_valid.count, 1);
  assert_int_equal(rs.rules[0]->approval_valid.unit, DURATION_MONTHS);
  ruleset_release(&rs);
  diag_release(&d);
  assert_int_equal(load(RULE "review = required\napprovers = s\n", &rs, &d, path), LETHE_OK);
  assert_int_equal(rules_approvals_needed(rs.rules[0]), 1);
  assert_int_equal(rs.rules[0]->approval_valid.count, REVIEW_VALID_DAYS);
  ruleset_release(&rs);
  diag_release(&d);
}

static void test_review_errors(void **state)
{
  (void)state;
  expect_error(RULE "approvers = s\n", 5, "applies only to a rule with 'review = required'");
  expect_error(RULE "review = required\napprovals = 2\n", 6, "'approvals' needs 'approvers'");
  expect_error(RULE "review = required\napprovers = s\napprovals = 0\n", 7, "from 1 to 100");
  expect_error(RULE "review = required\napprovers = s\napprovals = 2x\n", 7, "from 1 to 100");
  expect_error(RULE "review = required\napprovers = s\napprovals = 101\n", 7, "from 1 to 100");
  expect_error(RULE "review = required\napprovers = s\napproval-valid = 0\n", 7,
               "must stand for some time");
  expect_error(RULE "review = required\napprovers = s\napproval-valid = 12m\n", 7,
               "approval-valid:");
  expect_error(RULE "review = required\napprovers = s\napprovers = t\n", 7,
               "'approvers' given twice");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_roundtrip),
    cmocka_unit_test(test_hostile),
    cmocka_unit_test(test_names),
    cmocka_unit_test(test_review_keys),
    cmocka_unit_test(test_review_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests for policy.c: the decision for one item (delete, held, grace, skip,
 * keep) and the reason text people read. Rules, holds and items are built by
 * hand so each test states exactly what the policy sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "events.h"
#include "isotime.h"
#include "policy.h"
#include "source_file.h"

struct fx {
  struct rule r;
  struct hold holds[2];
  struct hold *hold_ptrs[2];
  struct ruleset rs;
  struct item it;
  struct subject_info subj;
  const struct subject_info *subj_ptr;  /* NULL: the rule has no subject */
  struct verdict v;
};

static int64_t utc(const char *iso)
{
  int64_t t = 0;
  struct lethe_err err;
  if(isotime_parse(iso, &t, &err))
    fail_msg("bad test date %s: %s", iso, err.msg);
  return t;
}

/* Rule r: file:///srv/x, mtime clock, retain 180 days, no holds. Item
 * a/report.pdf with mtime 2026-03-01, so it expires 2026-08-28. */
static int setup(void **state)
{
  struct fx *f = calloc(1, sizeof(*f));
  if(!f)
    return -1;
  f->r.name = "r";
  f->r.source = "file:///srv/x";
  f->r.root = "/srv/x";
  f->r.ops = &source_file_ops;
  f->r.clock = CLOCK_MTIME;
  f->r.has_retain = true;
  f->r.retain = (struct duration){ 180, DURATION_DAYS };
  f->r.action = "unlink";
  f->rs.holds = f->hold_ptrs;
  f->it.store = LETHE_STORE_FILE;
  f->it.kind = ITEM_FILE;
  f->it.rel = "a/report.pdf";
  f->it.rel_len = strlen(f->it.rel);
  f->it.name = "report.pdf";
  f->it.times[TIME_MTIME] = utc("2026-03-01");
  f->it.has_time[TIME_MTIME] = true;
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  struct fx *f = *state;
  for(size_t i = 0; i < f->rs.n_holds; i++)
    strlist_release(&f->holds[i].match);
  events_free(f->r.events);
  free(f);
  return 0;
}

/* Add a [hold name] matching pattern; until 0 means none. */
static void add_hold(struct fx *f, const char *name, const char *pattern, int64_t until)
{
  struct hold *h = &f->holds[f->rs.n_holds];
  assert_true(f->rs.n_holds < 2);
  h->name = (char *)name;
  h->reason = "litigation 2026-17";
  assert_int_equal(strlist_add(&h->match, pattern), LETHE_OK);
  h->has_until = until != 0;
  h->until = until;
  f->hold_ptrs[f->rs.n_holds++] = h;
}

/* Decide for f->it at now; returns the decision. */
static enum decision decide(struct fx *f, int64_t now)
{
  char uri[512];
  int n = snprintf(uri, sizeof(uri), "file://%s/%.*s", f->r.root, (int)f->it.rel_len,
                   f->it.rel);
  memset(&f->v, 0x5a, sizeof(f->v)); /* every field must be written */
  policy_decide(&f->r, &f->rs, &f->it, uri, (size_t)n, f->subj_ptr, now, &f->v);
  return f->v.decision;
}

static void reason_has(const struct fx *f, const char *phrase)
{
  if(!strstr(f->v.reason, phrase))
    fail_msg("reason lacks \"%s\": %s", phrase, f->v.reason);
}

static void reason_starts(const struct fx *f, const char *prefix)
{
  if(strncmp(f->v.reason, prefix, strlen(prefix)))
    fail_msg("reason does not start with \"%s\": %s", prefix, f->v.reason);
}

/* Load events CSV text into the rule (clock events:/data/ev.csv). */
static void use_events(struct fx *f, const char *csv)
{
  struct diag d;
  diag_init(&d);
  assert_int_equal(events_parse("/data/ev.csv", csv, strlen(csv), &f->r.events, &d), LETHE_OK);
  diag_release(&d);
  f->r.clock = CLOCK_EVENTS;
  f->r.events_path = "/data/ev.csv";
}

/* --- expiry --------------------------------------------------------------- */

static void test_expired_at_boundary(void **state)
{
  struct fx *f = *state;
  assert_int_equal(decide(f, utc("2026-08-28")), DECISION_DELETE);
  assert_string_equal(f->v.reason, "expired: mtime 2026-03-01T00:00:00Z + 180 days = "
                      "2026-08-28T00:00:00Z <= now 2026-08-28T00:00:00Z");
  assert_true(f->v.has_clock);
  assert_int_equal(f->v.clock, utc("2026-03-01"));
  assert_true(f->v.has_expires);
  assert_int_equal(f->v.expires, utc("2026-08-28"));
  assert_int_equal(f->v.due, f->v.expires);
  assert_null(f->v.hold);
  assert_null(f->v.hold_reason);
}

static void test_one_second_before_keep(void **state)
{
  struct fx *f = *state;
  assert_int_equal(decide(f, utc("2026-08-28") - 1), DECISION_KEEP);
  assert_string_equal(f->v.reason, "not due: mtime 2026-03-01T00:00:00Z + 180 days = "
                      "2026-08-28T00:00:00Z > now 2026-08-27T23:59:59Z");
  assert_int_equal(f->v.expires, utc("2026-08-28"));
}

static void test_long_expired(void **state)
{
  struct fx *f = *state;
  assert_int_equal(decide(f, utc("2030-01-01")), DECISION_DELETE);
  reason_has(f, "<= now 2030-01-01T00:00:00Z");
}

static void test_calendar_months(void **state)
{
  struct fx *f = *state;
  f->r.retain = (struct duration){ 12, DURATION_MONTHS };
  f->it.times[TIME_MTIME] = utc("2025-11-22T10:00:00Z");
  assert_int_equal(decide(f, utc("2026-11-22T10:00:00Z")), DECISION_DELETE);
  assert_string_equal(f->v.reason, "expired: mtime 2025-11-22T10:00:00Z + 12 months = "
                      "2026-11-22T10:00:00Z <= now 2026-11-22T10:00:00Z");
  /* Month ends clamp: 31 Jan + 1 month is 28 Feb. */
  f->r.retain = (struct duration){ 1, DURATION_MONTHS };
  f->it.times[TIME_MTIME] = utc("2026-01-31T08:00:00Z");
  assert_int_equal(decide(f, utc("2026-02-28T07:59:59Z")), DECISION_KEEP);
  assert_int_equal(f->v.expires, utc("2026-02-28T08:00:00Z"));
}

static void test_other_file_clocks(void **state)
{
  struct fx *f = *state;
  f->r.clock = CLOCK_CTIME;
  f->it.times[TIME_CTIME] = utc("2020-01-01");
  f->it.has_time[TIME_CTIME] = true;
  assert_int_equal(decide(f, utc("2026-03-02")), DECISION_DELETE);
  assert_int_equal(f->v.clock, utc("2020-01-01"));
  reason_starts(f, "expired: ctime 2020-01-01T00:00:00Z + 180 days");
}

static void test_far_future_never_due(void **state)
{
  struct fx *f = *state;
  f->it.times[TIME_MTIME] = utc("9999-12-01");
  assert_int_equal(decide(f, utc("2026-01-01")), DECISION_KEEP);
  assert_false(f->v.has_expires);
}

/* --- holds ---------------------------------------------------------------- */

static void test_held_by_glob(void **state)
{
  struct fx *f = *state;
  add_hold(f, "legal", "file:///srv/x/a/**", 0);
  assert_int_equal(decide(f, utc("2026-09-01")), DECISION_HELD);
  assert_string_equal(f->v.hold, "legal");
  assert_string_equal(f->v.hold_reason, "litigation 2026-17");
  reason_starts(f, "held by [hold legal]: litigation 2026-17; otherwise expired: mtime "
                "2026-03-01T00:00:00Z + 180 days = 2026-08-28T00:00:00Z");
  /* The same item elsewhere is not held. */
  f->it.rel = "b/report.pdf";
  assert_int_equal(decide(f, utc("2026-09-01")), DECISION_DELETE);
  assert_null(f->v.hold);
}

static void test_hold_on_not_due_item_keeps(void **state)
{
  struct fx *f = *state;
  add_hold(f, "legal", "file:///srv/x/**", 0);
  assert_int_equal(decide(f, utc("2026-04-01")), DECISION_KEEP);
  reason_starts(f, "not due: ");
}

static void test_hold_until(void **state)
{
  struct fx *f = *state;
  int64_t now = utc("2026-09-01");
  add_hold(f, "legal", "file:///srv/x/**", now + 1);
  assert_int_equal(decide(f, now), DECISION_HELD);
  /* It ends at its 'until' instant; past it, it no longer holds. */
  f->holds[0].until = now;
  assert_int_equal(decide(f, now), DECISION_DELETE);
  f->holds[0].until = now - 86400;
  assert_int_equal(decide(f, now), DECISION_DELETE);
  assert_null(policy_find_hold(&f->rs, "file:///srv/x/a", 15, now));
  assert_ptr_equal(policy_find_hold(&f->rs, "file:///srv/x/a", 15, now - 86401),
                   &f->holds[0]);
}

static void test_find_hold_skips_expired(void **state)
{
  struct fx *f = *state;
  int64_t now = utc("2026-09-01");
  add_hold(f, "old", "file:///srv/x/**", utc("2026-01-01"));
  add_hold(f, "new", "file:///srv/x/a/*", 0);
  assert_int_equal(decide(f, now), DECISION_HELD);
  assert_string_equal(f->v.hold, "new");
  assert_null(policy_find_hold(&f->rs, "file:///srv/y/a", 15, now));
}

static void test_held_by_marker(void **state)
{
  struct fx *f = *state;
  f->it.hold_dir = "a";
  assert_int_equal(decide(f, utc("2026-09-01")), DECISION_HELD);
  assert_string_equal(f->v.hold, ".lethe-hold");
  assert_string_equal(f->v.hold_reason, "a");
  reason_starts(f, "held: marker .lethe-hold in 'a'; otherwise expired: ");
  f->it.hold_dir = "";
  assert_int_equal(decide(f, utc("2026-09-01")), DECISION_HELD);
  reason_starts(f, "held: marker .lethe-hold in 'the source root'");
}

static void test_hold_beats_grace(void **state)
{
  struct fx *f = *state;
  f->r.has_grace = true;
  f->r.grace = (struct duration){ 1, DURATION_MONTHS };
  f->it.hold_dir = "a";
  assert_int_equal(decide(f, utc("2026-08-28")), DECISION_HELD);
  assert_int_equal(decide(f, utc("2027-01-01")), DECISION_HELD);
}

static void test_hold_beats_unreadable_clock(void **state)
{
  struct fx *f = *state;
  add_hold(f, "legal", "file:///srv/x/**", 0);
  f->it.has_time[TIME_MTIME] = false;
  assert_int_equal(decide(f, utc("2026-09-01")), DECISION_HELD);
  assert_false(f->v.has_clock);
  reason_starts(f, "held by [hold legal]: litigation 2026-17; also: clock unreadable: mtime");
}

static void test_hold_beats_problem(void **state)
{
  struct fx *f = *state;
  f->it.hold_dir = "a";
  f->it.problem = "cannot stat: Permission denied";
  assert_int_equal(decide(f, utc("2026-09-01")), DECISION_HELD);
  reason_has(f, "; also: cannot stat: Permission denied");
}

/* --- grace ---------------------------------------------------------------- */

static void test_grace(void **state)
{
  struct fx *f = *state;
  f->r.has_grace = true;
  f->r.grace = (struct duration){ 1, DURATION_MONTHS };
  assert_int_equal(decide(f, utc("2026-08-28")), DECISION_GRACE);
  assert_int_equal(f->v.expires, utc("2026-08-28"));
  assert_int_equal(f->v.due, utc("2026-09-28"));
  assert_string_equal(f->v.reason, "in grace: expired: mtime 2026-03-01T00:00:00Z + 180 days "
                      "= 2026-08-28T00:00:00Z <= now 2026-08-28T00:00:00Z; may be deleted "
                      "from 2026-09-28T00:00:00Z (grace 1 month)");
  assert_int_equal(decide(f, utc("2026-09-28") - 1), DECISION_GRACE);
  assert_int_equal(decide(f, utc("2026-09-28")), DECISION_DELETE);
  reason_starts(f, "expired: mtime");
  assert_int_equal(f->v.due, utc("2026-09-28"));
}

static void test_grace_before_expiry_keeps(void **state)
{
  struct fx *f = *state;
  f->r.has_grace = true;
  f->r.grace = (struct duration){ 30, DURATION_DAYS };
  assert_int_equal(decide(f, utc("2026-08-01")), DECISION_KEEP);
}

/* --- clocks that cannot be read ------------------------------------------- */

static void test_problem_skips(void **state)
{
  struct fx *f = *state;
  f->it.problem = "not a regular file or symbolic link";
  assert_int_equal(decide(f, utc("2030-01-01")), DECISION_SKIP);
  assert_string_equal(f->v.reason, "not a regular file or symbolic link");
  assert_false(f->v.has_clock);
  assert_false(f->v.has_expires);
}

static void test_name_clock(void **state)
{
  struct fx *f = *state;
  f->r.clock = CLOCK_NAME;
  f->it.name = "backup-2019-03-01.tar.gz";
  f->it.has_time[TIME_MTIME] = false;
  assert_int_equal(decide(f, utc("2019-08-28")), DECISION_DELETE);
  reason_starts(f, "expired: name 2019-03-01T00:00:00Z + 180 days = 2019-08-28T00:00:00Z");
  f->it.name = "backup-latest.tar.gz";
  assert_int_equal(decide(f, utc("2030-01-01")), DECISION_SKIP);
  assert_string_equal(f->v.reason, "clock unreadable: no date in the name");
  assert_false(f->v.has_clock);
}

static void test_btime_missing(void **state)
{
  struct fx *f = *state;
  f->r.clock = CLOCK_BTIME;
  assert_int_equal(decide(f, utc("2030-01-01")), DECISION_SKIP);
  assert_string_equal(f->v.reason, "clock unreadable: btime not available here");
  f->it.times[TIME_BTIME] = utc("2026-01-01");
  f->it.has_time[TIME_BTIME] = true;
  assert_int_equal(decide(f, utc("2030-01-01")), DECISION_DELETE);
  assert_int_equal(f->v.clock, utc("2026-01-01"));
}

/* --- subjects: newest and events ------------------------------------------ */

static void use_subject(struct fx *f)
{
  f->r.subject = "*";
  f->r.subject_depth = 1;
  f->it.rel = "Acme Ltd/0 Confidential/a.pdf";
  f->it.rel_len = strlen(f->it.rel);
  f->it.subject = f->it.rel;
  f->it.subject_len = 8;
  f->subj_ptr = &f->subj;
}

static void test_newest_clock(void **state)
{
  struct fx *f = *state;
  use_subject(f);
  f->r.clock = CLOCK_NEWEST;
  f->r.retain = (struct duration){ 12, DURATION_MONTHS };
  f->subj.has_newest = true;
  /* Active subject: something inside changed recently, whatever this file's mtime. */
  f->subj.newest = utc("2026-02-01");
  f->it.times[TIME_MTIME] = utc("2001-01-01");
  assert_int_equal(decide(f, utc("2026-06-01")), DECISION_KEEP);
  reason_starts(f, "not due: newest 2026-02-01T00:00:00Z + 12 months");
  /* Inactive subject. */
  f->subj.newest = utc("2025-01-01");
  assert_int_equal(decide(f, utc("2026-06-01")), DECISION_DELETE);
  assert_int_equal(f->v.clock, utc("2025-01-01"));
}

static void test_newest_without_files(void **state)
{
  struct fx *f = *state;
  use_subject(f);
  f->r.clock = CLOCK_NEWEST;
  assert_int_equal(decide(f, utc("2030-01-01")), DECISION_SKIP);
  reason_starts(f, "clock unreadable: no file inside the subject");
  f->subj_ptr = NULL;
  assert_int_equal(decide(f, utc("2030-01-01")), DECISION_SKIP);
}

static void test_events_by_subject(void **state)
{
  struct fx *f = *state;
  use_subject(f);
  use_events(f, "client,last_invoice\nAcme Ltd,2025-01-15\nAcme,2010-01-01\n");
  f->r.retain = (struct duration){ 12, DURATION_MONTHS };
  assert_int_equal(decide(f, utc("2026-01-15")), DECISION_DELETE);
  assert_int_equal(f->v.clock, utc("2025-01-15"));
  reason_starts(f, "expired: events 2025-01-15T00:00:00Z + 12 months = 2026-01-15T00:00:00Z");
  assert_int_equal(decide(f, utc("2026-01-14")), DECISION_KEEP);
  /* A subject missing from the export is never taken as inactive. */
  f->it.rel = "Beta/x.pdf";
  f->it.rel_len = strlen(f->it.rel);
  f->it.subject = f->it.rel;
  f->it.subject_len = 4;
  assert_int_equal(decide(f, utc("2030-01-01")), DECISION_SKIP);
  assert_string_equal(f->v.reason, "clock unreadable: no event for 'Beta' in /data/ev.csv");
}

static void test_events_by_path(void **state)
{
  struct fx *f = *state;
  use_events(f, "a/report.pdf,2024-01-01\nreport.pdf,2026-01-01\n");
  assert_int_equal(decide(f, utc("2024-06-29")), DECISION_DELETE);
  assert_int_equal(f->v.clock, utc("2024-01-01"));
  f->it.rel = "a/other.pdf";
  f->it.rel_len = strlen(f->it.rel);
  assert_int_equal(decide(f, utc("2030-01-01")), DECISION_SKIP);
  reason_has(f, "no event for 'a/other.pdf'");
}

static void test_decision_names(void **state)
{
  (void)state;
  assert_string_equal(decision_name(DECISION_KEEP), "keep");
  assert_string_equal(decision_name(DECISION_DELETE), "delete");
  assert_string_equal(decision_name(DECISION_HELD), "held");
  assert_string_equal(decision_name(DECISION_GRACE), "grace");
  assert_string_equal(decision_name(DECISION_SKIP), "skip");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    T(test_expired_at_boundary),
    T(test_one_second_before_keep),
    T(test_long_expired),
    T(test_calendar_months),
    T(test_other_file_clocks),
    T(test_far_future_never_due),
    T(test_held_by_glob),
    T(test_hold_on_not_due_item_keeps),
    T(test_hold_until),
    T(test_find_hold_skips_expired),
    T(test_held_by_marker),
    T(test_hold_beats_grace),
    T(test_hold_beats_unreadable_clock),
    T(test_hold_beats_problem),
    T(test_grace),
    T(test_grace_before_expiry_keeps),
    T(test_problem_skips),
    T(test_name_clock),
    T(test_btime_missing),
    T(test_newest_clock),
    T(test_newest_without_files),
    T(test_events_by_subject),
    T(test_events_by_path),
    T(test_decision_names),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

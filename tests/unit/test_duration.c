#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "duration.h"
#include "isotime.h"

#define SENTINEL_T INT64_C(-777)

static struct duration parse_ok(const char *text)
{
  struct lethe_err err;
  struct duration d = { -1, DURATION_YEARS };
  lethe_rc rc;

  err_clear(&err);
  rc = duration_parse(text, &d, &err);
  if(rc)
    print_error("duration_parse(\"%s\"): %s\n", text, err.msg);
  assert_int_equal(rc, LETHE_OK);
  return d;
}

static void assert_parses(const char *text, int64_t count, enum duration_unit unit)
{
  struct duration d = parse_ok(text);

  if(d.count != count || d.unit != unit)
    print_error("\"%s\" gave %lld/%d\n", text, (long long)d.count, (int)d.unit);
  assert_int_equal(d.count, count);
  assert_int_equal(d.unit, unit);
}

/* Parse text, expecting rc; return the message, which must quote the text. */
static const char *assert_refused(const char *text, lethe_rc want)
{
  static struct lethe_err err;
  struct duration d = { 42, DURATION_WEEKS };
  lethe_rc rc;

  err_clear(&err);
  rc = duration_parse(text, &d, &err);
  if(rc != want)
    print_error("\"%s\" gave rc %d, not %d\n", text, (int)rc, (int)want);
  assert_int_equal(rc, want);
  assert_int_equal(err.rc, want);
  /* A refusal leaves the output alone. */
  assert_int_equal(d.count, 42);
  assert_int_equal(d.unit, DURATION_WEEKS);
  assert_non_null(strstr(err.msg, text));
  return err.msg;
}

static int64_t at(const char *iso)
{
  struct lethe_err err;
  int64_t t = SENTINEL_T;

  err_clear(&err);
  assert_int_equal(isotime_parse(iso, &t, &err), LETHE_OK);
  return t;
}

/* from + text, written back as ISO 8601. */
static void assert_add(const char *from, const char *text, const char *want)
{
  struct duration d = parse_ok(text);
  int64_t out = SENTINEL_T;
  char buf[ISOTIME_LEN];

  assert_int_equal(duration_add(at(from), &d, &out), LETHE_OK);
  isotime_format(out, buf);
  if(strcmp(buf, want))
    print_error("%s + %s = %s, want %s\n", from, text, buf, want);
  assert_string_equal(buf, want);
}

static void test_parse_days(void **state)
{
  (void)state;

  assert_parses("180 days", 180, DURATION_DAYS);
  assert_parses("180 day", 180, DURATION_DAYS);
  assert_parses("180d", 180, DURATION_DAYS);
  assert_parses("180days", 180, DURATION_DAYS);
  assert_parses("1 day", 1, DURATION_DAYS);
  assert_parses("180 DAYS", 180, DURATION_DAYS);
  assert_parses("180D", 180, DURATION_DAYS);
  assert_parses("180 Days", 180, DURATION_DAYS);
}

static void test_parse_weeks(void **state)
{
  (void)state;

  assert_parses("2 weeks", 2, DURATION_WEEKS);
  assert_parses("1 week", 1, DURATION_WEEKS);
  assert_parses("2w", 2, DURATION_WEEKS);
  assert_parses("2W", 2, DURATION_WEEKS);
}

static void test_parse_months(void **state)
{
  (void)state;

  assert_parses("12 months", 12, DURATION_MONTHS);
  assert_parses("1 month", 1, DURATION_MONTHS);
  assert_parses("12mo", 12, DURATION_MONTHS);
  assert_parses("12 MO", 12, DURATION_MONTHS);
  assert_parses("12 Months", 12, DURATION_MONTHS);
}

static void test_parse_years(void **state)
{
  (void)state;

  assert_parses("7 years", 7, DURATION_YEARS);
  assert_parses("1 year", 1, DURATION_YEARS);
  assert_parses("7y", 7, DURATION_YEARS);
  assert_parses("7Y", 7, DURATION_YEARS);
}

static void test_parse_zero_and_spaces(void **state)
{
  (void)state;

  assert_parses("0", 0, DURATION_DAYS);
  assert_parses("  0  ", 0, DURATION_DAYS);
  assert_parses("0 days", 0, DURATION_DAYS);
  assert_parses("0y", 0, DURATION_YEARS);
  assert_parses("  180   days  ", 180, DURATION_DAYS);
  assert_parses("\t7\ty\t", 7, DURATION_YEARS);
  assert_parses("007 days", 7, DURATION_DAYS);
  assert_parses("100000 days", 100000, DURATION_DAYS);
  assert_parses("0000000000000000000000000000012 months", 12, DURATION_MONTHS);
}

static void test_parse_ambiguous_m(void **state)
{
  const char *msg;
  (void)state;

  msg = assert_refused("12m", LETHE_E_PARSE);
  assert_non_null(strstr(msg, "ambiguous"));
  assert_non_null(strstr(msg, "\"12mo\""));
  assert_non_null(strstr(msg, "\"12 months\""));
  msg = assert_refused("12 M", LETHE_E_PARSE);
  assert_non_null(strstr(msg, "ambiguous"));
}

static void test_parse_refused(void **state)
{
  static const char *const bad[] = {
    "days", "d", "12 parsecs", "12 minutes", "12 min", "12h", "12 hours", "12s",
    "12", "180 ", "1 2 days", "12 days ago", "12 days,", "12dd", "12 mon", "12 yrs",
    "+1 day", "1e3 days", "0x10 days", "1. days", "12 day s", "twelve months",
    "12\n", "1 day\n", "12 d\xc3\xa4ys",
  };
  size_t i;
  (void)state;

  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_refused(bad[i], LETHE_E_PARSE);
}

static void test_parse_refused_messages(void **state)
{
  struct lethe_err err;
  struct duration d;
  (void)state;

  assert_non_null(strstr(assert_refused("-1 days", LETHE_E_PARSE), "negative"));
  assert_non_null(strstr(assert_refused("1.5 days", LETHE_E_PARSE), "fraction"));
  assert_non_null(strstr(assert_refused("1,5 days", LETHE_E_PARSE), "fraction"));
  assert_non_null(strstr(assert_refused("12 parsecs", LETHE_E_PARSE), "unknown unit"));
  assert_non_null(strstr(assert_refused("30", LETHE_E_PARSE), "missing unit"));
  /* Every refusal tells what would have been accepted. */
  assert_non_null(strstr(assert_refused("days", LETHE_E_PARSE), "\"180 days\""));
  err_clear(&err);
  assert_int_equal(duration_parse("", &d, &err), LETHE_E_PARSE);
  assert_non_null(strstr(err.msg, "empty"));
  assert_int_equal(duration_parse("   ", &d, &err), LETHE_E_PARSE);
  assert_non_null(strstr(err.msg, "empty"));
  assert_int_equal(duration_parse(NULL, &d, &err), LETHE_E_PARSE);
  assert_int_equal(duration_parse("12m", &d, NULL), LETHE_E_PARSE);
}

static void test_parse_huge(void **state)
{
  const char *msg;
  (void)state;

  msg = assert_refused("100001 days", LETHE_E_RANGE);
  assert_non_null(strstr(msg, "100000"));
  assert_refused("9999999999 years", LETHE_E_RANGE);
  assert_refused("99999999999999999999999999999999999999 days", LETHE_E_RANGE);
  assert_refused("18446744073709551617 days", LETHE_E_RANGE);
  assert_refused("9223372036854775808 d", LETHE_E_RANGE);
}

static void test_add_month_end(void **state)
{
  (void)state;

  assert_add("2025-01-31", "1 month", "2025-02-28T00:00:00Z");
  assert_add("2024-01-31", "1 month", "2024-02-29T00:00:00Z");
  assert_add("2025-03-31", "1 month", "2025-04-30T00:00:00Z");
  assert_add("2025-01-30", "1 month", "2025-02-28T00:00:00Z");
  assert_add("2025-01-28", "1 month", "2025-02-28T00:00:00Z");
  /* The clamp does not carry over: the day comes back where there is room. */
  assert_add("2025-01-31", "2 months", "2025-03-31T00:00:00Z");
}

static void test_add_leap_day(void **state)
{
  (void)state;

  assert_add("2024-02-29", "1 year", "2025-02-28T00:00:00Z");
  assert_add("2024-02-29", "4 years", "2028-02-29T00:00:00Z");
  assert_add("2024-02-29", "12 months", "2025-02-28T00:00:00Z");
  assert_add("2024-02-29", "48mo", "2028-02-29T00:00:00Z");
  /* 2100 is no leap year. */
  assert_add("2096-02-29", "4y", "2100-02-28T00:00:00Z");
}

static void test_add_keeps_time_of_day(void **state)
{
  (void)state;

  assert_add("2025-11-22T10:00:00Z", "12 months", "2026-11-22T10:00:00Z");
  assert_add("2025-11-22T10:00:00Z", "1 year", "2026-11-22T10:00:00Z");
  assert_add("2025-01-31T23:59:59Z", "1 month", "2025-02-28T23:59:59Z");
  assert_add("2025-11-22T10:00:00Z", "180 days", "2026-05-21T10:00:00Z");
}

static void test_add_days_weeks(void **state)
{
  struct duration d = { 180, DURATION_DAYS };
  int64_t out = SENTINEL_T;
  (void)state;

  assert_int_equal(duration_add(1763805600, &d, &out), LETHE_OK);
  assert_int_equal(out, 1763805600 + 180 * 86400);
  assert_add("2025-01-01", "180 days", "2025-06-30T00:00:00Z");
  assert_add("2024-01-01", "180 days", "2024-06-29T00:00:00Z");
  assert_add("2025-11-22T10:00:00Z", "2 weeks", "2025-12-06T10:00:00Z");
  assert_add("2025-12-25", "1w", "2026-01-01T00:00:00Z");
  assert_add("2025-11-22T10:00:00Z", "0 days", "2025-11-22T10:00:00Z");
  assert_add("2025-11-22T10:00:00Z", "0", "2025-11-22T10:00:00Z");
  assert_add("2025-11-22T10:00:00Z", "0 months", "2025-11-22T10:00:00Z");
  assert_add("1969-12-31T23:00:00Z", "1 day", "1970-01-01T23:00:00Z");
}

static void test_add_across_year_end(void **state)
{
  (void)state;

  assert_add("2025-12-31", "2 months", "2026-02-28T00:00:00Z");
  assert_add("2025-12-31", "1 month", "2026-01-31T00:00:00Z");
  assert_add("2025-11-30", "3 months", "2026-02-28T00:00:00Z");
  assert_add("2023-12-31", "2 months", "2024-02-29T00:00:00Z");
  assert_add("2025-12-15", "25 months", "2028-01-15T00:00:00Z");
}

static void test_add_years(void **state)
{
  struct duration d = { 7, DURATION_YEARS };
  int64_t out = SENTINEL_T;
  (void)state;

  assert_add("2019-03-01", "7 years", "2026-03-01T00:00:00Z");
  assert_add("2019-03-01", "7y", "2026-03-01T00:00:00Z");
  assert_add("2019-03-01", "84 months", "2026-03-01T00:00:00Z");
  assert_int_equal(duration_add(1551398400, &d, &out), LETHE_OK);
  assert_int_equal(out, 1772323200);
}

static void test_add_range(void **state)
{
  struct duration d = { 1, DURATION_DAYS };
  int64_t out = SENTINEL_T;
  (void)state;

  /* The last day of year 9999 is as far as Lethe goes. */
  assert_add("9999-12-30", "1 day", "9999-12-31T00:00:00Z");
  assert_add("9999-01-31", "11 months", "9999-12-31T00:00:00Z");
  assert_int_equal(duration_add(at("9999-12-31"), &d, &out), LETHE_E_RANGE);
  d.unit = DURATION_MONTHS;
  assert_int_equal(duration_add(at("9999-12-01"), &d, &out), LETHE_E_RANGE);
  d.unit = DURATION_YEARS;
  assert_int_equal(duration_add(at("9999-01-01"), &d, &out), LETHE_E_RANGE);
  d.count = 100000;
  assert_int_equal(duration_add(0, &d, &out), LETHE_E_RANGE);
  d.unit = DURATION_WEEKS;
  assert_int_equal(duration_add(INT64_MAX - 1000, &d, &out), LETHE_E_RANGE);
  d.unit = DURATION_DAYS;
  d.count = 0;
  assert_int_equal(duration_add(INT64_MIN, &d, &out), LETHE_E_RANGE);
  assert_int_equal(duration_add(INT64_MAX, &d, &out), LETHE_E_RANGE);
  /* The largest count still fits when it stays inside the calendar. */
  d.count = 100000;
  assert_int_equal(duration_add(0, &d, &out), LETHE_OK);
  assert_int_equal(out, INT64_C(100000) * 86400);
  out = SENTINEL_T;
  d.count = 100001;
  assert_int_equal(duration_add(0, &d, &out), LETHE_E_RANGE);
  d.count = -1;
  assert_int_equal(duration_add(0, &d, &out), LETHE_E_RANGE);
  d.count = 1;
  d.unit = (enum duration_unit)99;
  assert_int_equal(duration_add(0, &d, &out), LETHE_E_RANGE);
  assert_int_equal(out, SENTINEL_T);
}

static void assert_format(int64_t count, enum duration_unit unit, const char *want)
{
  struct duration d = { count, unit };
  char buf[DURATION_TEXT_LEN];
  struct duration back;

  duration_format(&d, buf);
  assert_string_equal(buf, want);
  back = parse_ok(buf);
  assert_int_equal(back.count, count);
  assert_int_equal(back.unit, unit);
}

static void test_format(void **state)
{
  char buf[DURATION_TEXT_LEN];
  struct duration d;
  (void)state;

  assert_format(1, DURATION_DAYS, "1 day");
  assert_format(180, DURATION_DAYS, "180 days");
  assert_format(0, DURATION_DAYS, "0 days");
  assert_format(1, DURATION_WEEKS, "1 week");
  assert_format(2, DURATION_WEEKS, "2 weeks");
  assert_format(1, DURATION_MONTHS, "1 month");
  assert_format(12, DURATION_MONTHS, "12 months");
  assert_format(1, DURATION_YEARS, "1 year");
  assert_format(7, DURATION_YEARS, "7 years");
  assert_format(100000, DURATION_YEARS, "100000 years");
  /* A bare "0" comes back in its canonical spelling. */
  d = parse_ok("0");
  duration_format(&d, buf);
  assert_string_equal(buf, "0 days");
  d.count = INT64_MIN;
  d.unit = DURATION_MONTHS;
  /* The widest possible text still fits. */
  duration_format(&d, buf);
  assert_string_equal(buf, "-9223372036854775808 months");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse_days),
    cmocka_unit_test(test_parse_weeks),
    cmocka_unit_test(test_parse_months),
    cmocka_unit_test(test_parse_years),
    cmocka_unit_test(test_parse_zero_and_spaces),
    cmocka_unit_test(test_parse_ambiguous_m),
    cmocka_unit_test(test_parse_refused),
    cmocka_unit_test(test_parse_refused_messages),
    cmocka_unit_test(test_parse_huge),
    cmocka_unit_test(test_add_month_end),
    cmocka_unit_test(test_add_leap_day),
    cmocka_unit_test(test_add_keeps_time_of_day),
    cmocka_unit_test(test_add_days_weeks),
    cmocka_unit_test(test_add_across_year_end),
    cmocka_unit_test(test_add_years),
    cmocka_unit_test(test_add_range),
    cmocka_unit_test(test_format),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}

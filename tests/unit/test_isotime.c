#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "isotime.h"

/* A value no parse can produce, to show a failed parse left *out alone. */
#define SENTINEL INT64_C(-777)

static int64_t parse_ok(const char *text)
{
  struct lethe_err err;
  int64_t t = SENTINEL;
  lethe_rc rc;

  err_clear(&err);
  rc = isotime_parse(text, &t, &err);
  if(rc)
    print_error("isotime_parse(\"%s\"): %s\n", text, err.msg);
  assert_int_equal(rc, LETHE_OK);
  return t;
}

static void assert_civil(const struct civil *c, int y, int mo, int d, int h, int mi, int s)
{
  assert_int_equal(c->year, y);
  assert_int_equal(c->month, mo);
  assert_int_equal(c->day, d);
  assert_int_equal(c->hour, h);
  assert_int_equal(c->minute, mi);
  assert_int_equal(c->second, s);
}

static void test_epoch(void **state)
{
  struct civil c = { 1970, 1, 1, 0, 0, 0 };
  char buf[ISOTIME_LEN];
  (void)state;

  assert_int_equal(isotime_from_civil(&c), 0);
  memset(&c, 0xff, sizeof(c));
  isotime_to_civil(0, &c);
  assert_civil(&c, 1970, 1, 1, 0, 0, 0);
  isotime_format(0, buf);
  assert_string_equal(buf, "1970-01-01T00:00:00Z");
}

static void test_before_epoch(void **state)
{
  struct civil c;
  struct civil back = { 1969, 12, 31, 23, 59, 59 };
  (void)state;

  isotime_to_civil(-1, &c);
  assert_civil(&c, 1969, 12, 31, 23, 59, 59);
  assert_int_equal(isotime_from_civil(&back), -1);
  isotime_to_civil(-86400, &c);
  assert_civil(&c, 1969, 12, 31, 0, 0, 0);
  isotime_to_civil(-86401, &c);
  assert_civil(&c, 1969, 12, 30, 23, 59, 59);
}

static void test_known_instants(void **state)
{
  struct civil a = { 2000, 3, 1, 0, 0, 0 };
  struct civil b = { 2024, 2, 29, 12, 34, 56 };
  struct civil first = { 1, 1, 1, 0, 0, 0 };
  struct civil last = { 9999, 12, 31, 23, 59, 59 };
  struct civil c;
  (void)state;

  assert_int_equal(isotime_from_civil(&a), 951868800);
  assert_int_equal(isotime_from_civil(&b), 1709210096);
  assert_int_equal(isotime_from_civil(&first), INT64_C(-62135596800));
  assert_int_equal(isotime_from_civil(&last), INT64_C(253402300799));
  isotime_to_civil(1709210096, &c);
  assert_civil(&c, 2024, 2, 29, 12, 34, 56);
  isotime_to_civil(INT64_C(-62135596800), &c);
  assert_civil(&c, 1, 1, 1, 0, 0, 0);
}

static void test_leap_years(void **state)
{
  (void)state;

  assert_false(isotime_is_leap(1900));
  assert_true(isotime_is_leap(2000));
  assert_true(isotime_is_leap(2024));
  assert_false(isotime_is_leap(2023));
  assert_false(isotime_is_leap(2100));
  assert_true(isotime_is_leap(2400));
  assert_int_equal(isotime_days_in_month(1900, 2), 28);
  assert_int_equal(isotime_days_in_month(2000, 2), 29);
  assert_int_equal(isotime_days_in_month(2024, 2), 29);
  assert_int_equal(isotime_days_in_month(2025, 2), 28);
}

static void test_days_in_month(void **state)
{
  static const int expect[13] = { 0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int m;
  (void)state;

  for(m = 1; m <= 12; m++)
    assert_int_equal(isotime_days_in_month(2025, m), expect[m]);
  assert_int_equal(isotime_days_in_month(2025, 0), 0);
  assert_int_equal(isotime_days_in_month(2025, 13), 0);
}

/* Walk the calendar day by day with days_in_month, an independent count, and
 * check both conversions against it. */
static void walk_days(int from_year, int to_year, int64_t first_day)
{
  int64_t day = first_day;
  struct civil c, back;
  int y, m, d;

  for(y = from_year; y <= to_year; y++) {
    for(m = 1; m <= 12; m++) {
      for(d = 1; d <= isotime_days_in_month(y, m); d++) {
        c.year = y;
        c.month = m;
        c.day = d;
        /* Vary the time of day so that every field is exercised. */
        c.hour = (int)(day % 24 + 24) % 24;
        c.minute = (int)(day % 60 + 60) % 60;
        c.second = (int)(day % 59 + 59) % 59;
        assert_int_equal(isotime_from_civil(&c),
                         day * 86400 + c.hour * 3600 + c.minute * 60 + c.second);
        isotime_to_civil(isotime_from_civil(&c), &back);
        assert_memory_equal(&c, &back, sizeof(c));
        day++;
      }
    }
  }
}

static void test_every_day_1970_2100(void **state)
{
  struct civil end = { 2101, 1, 1, 0, 0, 0 };
  (void)state;

  walk_days(1970, 2100, 0);
  assert_int_equal(isotime_from_civil(&end) / 86400, 47847);
}

static void test_every_day_1_9999(void **state)
{
  (void)state;

  walk_days(1, 9999, INT64_C(-62135596800) / 86400);
}

/* The parsers stop at year 1, but the conversions are proleptic: 400 years
 * (146097 days) and the leap year 0 lie before 0001-01-01. */
static void test_before_year_1(void **state)
{
  struct civil c;
  (void)state;

  walk_days(-400, 0, INT64_C(-62135596800) / 86400 - 146097 - 366);
  isotime_to_civil(INT64_C(-62135596800) - 1, &c);
  assert_civil(&c, 0, 12, 31, 23, 59, 59);
}

static void test_parse_forms(void **state)
{
  (void)state;

  assert_int_equal(parse_ok("2026-11-22"), 1795305600);
  assert_int_equal(parse_ok("2026-11-22T10:00Z"), 1795341600);
  assert_int_equal(parse_ok("2026-11-22T10:00:00Z"), 1795341600);
  assert_int_equal(parse_ok("2026-11-22T10:00:00+01:00"), 1795338000);
  assert_int_equal(parse_ok("2026-11-22T10:00:00+0100"), 1795338000);
  assert_int_equal(parse_ok("2026-11-22T10:00:00-01:00"), 1795341600 + 3600);
  assert_int_equal(parse_ok("2026-11-22T10:00:00+00:00"), 1795341600);
  assert_int_equal(parse_ok("2026-11-22T10:00:00-00:00"), 1795341600);
  assert_int_equal(parse_ok("2026-11-22T10:00:00"), 1795341600);
  assert_int_equal(parse_ok("2026-11-22T10:00"), 1795341600);
  assert_int_equal(parse_ok("2026-11-22T10:00:07Z"), 1795341607);
  assert_int_equal(parse_ok("2026-11-22T10:00+05:30"), 1795341600 - 19800);
  assert_int_equal(parse_ok("2026-11-22t10:00:00z"), 1795341600);
  assert_int_equal(parse_ok("2024-02-29"), 1709164800);
  assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), -1);
  assert_int_equal(parse_ok("0001-01-01"), INT64_C(-62135596800));
  assert_int_equal(parse_ok("9999-12-31T23:59:59Z"), INT64_C(253402300799));
}

static void test_parse_space(void **state)
{
  (void)state;

  assert_int_equal(parse_ok("2026-11-22 10:00:00Z"), 1795341600);
  assert_int_equal(parse_ok("2026-11-22 10:00"), 1795341600);
  assert_int_equal(parse_ok("2026-11-22 11:00:00+01:00"), 1795341600);
}

static void test_parse_offset_crosses_day(void **state)
{
  (void)state;

  assert_int_equal(parse_ok("2026-11-22T01:00:00+03:00"), parse_ok("2026-11-21T22:00:00Z"));
  assert_int_equal(parse_ok("2026-11-22T01:00:00+03:00"), 1795298400);
  assert_int_equal(parse_ok("2026-11-21T22:00:00-03:00"), parse_ok("2026-11-22T01:00:00Z"));
  /* Across a year end, too. */
  assert_int_equal(parse_ok("2027-01-01T00:30:00+01:00"), parse_ok("2026-12-31T23:30:00Z"));
}

static void test_parse_fraction(void **state)
{
  (void)state;

  assert_int_equal(parse_ok("2026-11-22T10:00:00.123Z"), 1795341600);
  /* Dropped, not rounded. */
  assert_int_equal(parse_ok("2026-11-22T10:00:00.999999999Z"), 1795341600);
  assert_int_equal(parse_ok("2026-11-22T10:00:00.5"), 1795341600);
  assert_int_equal(parse_ok("2026-11-22T10:00:00,5Z"), 1795341600);
  assert_int_equal(parse_ok("2026-11-22T10:00:00.25+01:00"), 1795338000);
}

static void assert_rejected(const char *text)
{
  struct lethe_err err;
  int64_t t = SENTINEL;
  lethe_rc rc;

  err_clear(&err);
  rc = isotime_parse(text, &t, &err);
  if(rc != LETHE_E_PARSE)
    print_error("\"%s\" was not rejected\n", text);
  assert_int_equal(rc, LETHE_E_PARSE);
  assert_int_equal(err.rc, LETHE_E_PARSE);
  assert_int_equal(t, SENTINEL);
  assert_non_null(strstr(err.msg, text)); /* the message quotes the text */
}

static void test_parse_rejects(void **state)
{
  static const char *const bad[] = {
    "2026-02-30", "2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31",
    "2025-02-29", "1900-02-29", "0000-01-01", "2026-1-1", "2026-01-1",
    "26-01-01", "20261122", "2026/11/22", "yesterday", "now",
    "2026-11-22Tfoo", "2026-11-22T", "2026-11-22T10", "2026-11-22T10:",
    "2026-11-22T1:00", "2026-11-22T10:0", "2026-11-22T10:00:0Z",
    "2026-11-22T24:00:00Z", "2026-11-22T23:60:00Z", "2026-11-22T23:59:60Z",
    "2026-11-22T10:00:00.Z", "2026-11-22T10:00.5Z", "2026-11-22T10:00:00ZZ",
    "2026-11-22T10:00:00+24:00", "2026-11-22T10:00:00+01:60",
    "2026-11-22T10:00:00+1", "2026-11-22T10:00:00+01:0", "2026-11-22T10:00:00 Z",
    "2026-11-22Z", "2026-11-22 ", " 2026-11-22", "2026-11-22x", "2026-11-22\n",
    "2026-11-22T10:00:00Z trailing", "2026-11-22_10:00:00",
  };
  size_t i;
  (void)state;

  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_rejected(bad[i]);
}

static void test_parse_rejects_empty(void **state)
{
  struct lethe_err err;
  int64_t t = SENTINEL;
  (void)state;

  err_clear(&err);
  assert_int_equal(isotime_parse("", &t, &err), LETHE_E_PARSE);
  assert_non_null(strstr(err.msg, "\"\""));
  assert_int_equal(t, SENTINEL);
  assert_int_equal(isotime_parse(NULL, &t, &err), LETHE_E_PARSE);
  assert_int_equal(t, SENTINEL);
}

static void test_parse_message(void **state)
{
  struct lethe_err err;
  int64_t t;
  (void)state;

  err_clear(&err);
  assert_int_equal(isotime_parse("2026-02-30", &t, &err), LETHE_E_PARSE);
  assert_non_null(strstr(err.msg, "\"2026-02-30\""));
  assert_non_null(strstr(err.msg, "no such day"));
  /* A NULL err is allowed: the caller may only want the code. */
  assert_int_equal(isotime_parse("yesterday", &t, NULL), LETHE_E_PARSE);
}

static void test_parse_long_text(void **state)
{
  char text[4000];
  struct lethe_err err;
  int64_t t;
  (void)state;

  memset(text, 'x', sizeof(text) - 1);
  text[sizeof(text) - 1] = '\0';
  memcpy(text, "2026-11-22", 10);
  err_clear(&err);
  assert_int_equal(isotime_parse(text, &t, &err), LETHE_E_PARSE);
  /* The explanation survives a huge input. */
  assert_non_null(strstr(err.msg, "2026-11-22T10:00:00Z"));
}

static void test_format(void **state)
{
  char buf[ISOTIME_LEN];
  char date[ISODATE_LEN];
  (void)state;

  isotime_format(1795341600, buf);
  assert_string_equal(buf, "2026-11-22T10:00:00Z");
  isotime_format(1709210096, buf);
  assert_string_equal(buf, "2024-02-29T12:34:56Z");
  isotime_format(-1, buf);
  assert_string_equal(buf, "1969-12-31T23:59:59Z");
  isotime_format_date(1795341600, date);
  assert_string_equal(date, "2026-11-22");
  isotime_format_date(-1, date);
  assert_string_equal(date, "1969-12-31");
  isotime_format(INT64_C(-62135596800), buf);
  assert_string_equal(buf, "0001-01-01T00:00:00Z");
}

static void test_format_clamps(void **state)
{
  char buf[ISOTIME_LEN];
  char date[ISODATE_LEN];
  (void)state;

  isotime_format(INT64_MAX, buf);
  assert_string_equal(buf, "9999-12-31T23:59:59Z");
  isotime_format(INT64_C(253402300800), buf);
  assert_string_equal(buf, "9999-12-31T23:59:59Z");
  isotime_format(INT64_MIN, buf);
  assert_string_equal(buf, "0001-01-01T00:00:00Z");
  isotime_format(INT64_C(-62135596801), buf);
  assert_string_equal(buf, "0001-01-01T00:00:00Z");
  isotime_format_date(INT64_MAX, date);
  assert_string_equal(date, "9999-12-31");
}

static void test_format_round_trip(void **state)
{
  char buf[ISOTIME_LEN];
  char date[ISODATE_LEN];
  int64_t t;
  (void)state;

  /* A prime step visits every time of day and many dates, 1900..2100. */
  for(t = INT64_C(-2208988800); t < INT64_C(4102444800); t += 999983) {
    isotime_format(t, buf);
    assert_int_equal(strlen(buf), ISOTIME_LEN - 1);
    assert_int_equal(parse_ok(buf), t);
    isotime_format_date(t, date);
    assert_int_equal(strlen(date), ISODATE_LEN - 1);
    assert_int_equal(parse_ok(date), t - ((t % 86400) + 86400) % 86400);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_epoch),
    cmocka_unit_test(test_before_epoch),
    cmocka_unit_test(test_known_instants),
    cmocka_unit_test(test_leap_years),
    cmocka_unit_test(test_days_in_month),
    cmocka_unit_test(test_every_day_1970_2100),
    cmocka_unit_test(test_every_day_1_9999),
    cmocka_unit_test(test_before_year_1),
    cmocka_unit_test(test_parse_forms),
    cmocka_unit_test(test_parse_space),
    cmocka_unit_test(test_parse_offset_crosses_day),
    cmocka_unit_test(test_parse_fraction),
    cmocka_unit_test(test_parse_rejects),
    cmocka_unit_test(test_parse_rejects_empty),
    cmocka_unit_test(test_parse_message),
    cmocka_unit_test(test_parse_long_text),
    cmocka_unit_test(test_format),
    cmocka_unit_test(test_format_clamps),
    cmocka_unit_test(test_format_round_trip),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}

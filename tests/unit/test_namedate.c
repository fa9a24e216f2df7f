#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "isotime.h"
#include "namedate.h"

#define SENTINEL INT64_C(-777)

/* 2019-03-01T00:00:00Z, the date most names below carry. */
#define MARCH_1 INT64_C(1551398400)

/* The date found in name, written as YYYY-MM-DD, or "none". */
static void assert_date(const char *name, const char *want)
{
  char buf[ISODATE_LEN];
  int64_t t = SENTINEL;
  struct civil c;

  if(!namedate_find(name, &t)) {
    print_error("no date found in \"%s\", want %s\n", name, want);
    fail();
  }
  /* Always midnight. */
  isotime_to_civil(t, &c);
  assert_int_equal(c.hour + c.minute + c.second, 0);
  isotime_format_date(t, buf);
  assert_string_equal(buf, want);
}

static void assert_none(const char *name)
{
  int64_t t = SENTINEL;

  if(namedate_find(name, &t))
    print_error("\"%s\" should hold no date\n", name);
  assert_false(namedate_find(name, &t));
  assert_int_equal(t, SENTINEL);
}

static void test_each_form(void **state)
{
  int64_t t = SENTINEL;
  (void)state;

  assert_true(namedate_find("backup-2019-03-01.tar.gz", &t));
  assert_int_equal(t, MARCH_1);
  t = SENTINEL;
  assert_true(namedate_find("consent_20190301.pdf", &t));
  assert_int_equal(t, MARCH_1);
  t = SENTINEL;
  assert_true(namedate_find("2019_03_01 minutes.docx", &t));
  assert_int_equal(t, MARCH_1);
  t = SENTINEL;
  assert_true(namedate_find("scan 2019.03.01.png", &t));
  assert_int_equal(t, MARCH_1);
}

static void test_positions(void **state)
{
  (void)state;

  assert_date("2019-03-01", "2019-03-01");
  assert_date("20190301", "2019-03-01");
  assert_date("x20190301", "2019-03-01");
  assert_date("20190301x", "2019-03-01");
  assert_date("a-2019.03.01-b", "2019-03-01");
  assert_date("/srv/data/2024_02_29/log", "2024-02-29");
  assert_date("v1.2019.03.01", "2019-03-01");
  assert_date("1-2019-03-01", "2019-03-01");
}

static void test_first_date_wins(void **state)
{
  (void)state;

  assert_date("2019-03-01_to_2020-04-05.csv", "2019-03-01");
  assert_date("20200405-2019-03-01", "2020-04-05");
  assert_date("2021.01.02 20190301", "2021-01-02");
  /* A date that starts inside another candidate's separators still counts. */
  assert_date("2019-2020-04-05", "2020-04-05");
}

static void test_invalid_dates_skipped(void **state)
{
  (void)state;

  assert_date("2019-02-30 then 2019-03-01", "2019-03-01");
  assert_date("20190230_20190301", "2019-03-01");
  assert_date("2019-13-01 2019-03-01", "2019-03-01");
  assert_date("2019-00-10 2019-03-01", "2019-03-01");
  assert_date("2019-03-00 2019-03-01", "2019-03-01");
  assert_date("2023-02-29 2024-02-29", "2024-02-29");
  assert_none("2019-02-30");
  assert_none("1900-02-29");
  assert_none("2019-04-31");
  assert_none("20191301");
  assert_date("2000-02-29", "2000-02-29");
}

static void test_adjacent_digits(void **state)
{
  (void)state;

  assert_none("x120190301");
  assert_none("201903011");
  assert_none("120190301");
  assert_none("12019-03-01");
  assert_none("2019-03-011");
  assert_none("92019.03.01");
  assert_none("2019_03_019");
  assert_none("020190301");
  assert_none("201903010");
  assert_none("1234567890123456");
  /* A candidate spoiled by a neighbour does not hide a later date. */
  assert_date("12019-03-01 2020-01-01", "2020-01-01");
  assert_date("201903011_20200101", "2020-01-01");
}

static void test_bad_shapes(void **state)
{
  (void)state;

  assert_none("2019-3-1");
  assert_none("2019-03-1");
  assert_none("19-03-01");
  assert_none("2019/03/01");
  assert_none("2019-03_01");
  assert_none("2019_03-01");
  assert_none("2019--03-01");
  assert_none("2019 03 01");
  assert_none("2019031");
  assert_none("2019-0301");
  assert_none("201903-01");
}

static void test_year_range(void **state)
{
  (void)state;

  assert_date("1900-01-01", "1900-01-01");
  assert_date("2999-12-31", "2999-12-31");
  assert_none("1899-12-31");
  assert_none("3000-01-01");
  assert_none("0001-01-01");
  assert_none("99991231");
  assert_date("1899-12-31 1900-01-01", "1900-01-01");
}

static void test_no_date(void **state)
{
  int64_t t = SENTINEL;
  (void)state;

  assert_none("");
  assert_none("README");
  assert_none("report final v2.docx");
  assert_none("12345");
  assert_none("IMG_1234.JPG");
  assert_none("-_.");
  assert_false(namedate_find(NULL, &t));
  assert_int_equal(t, SENTINEL);
}

static void test_non_utf8(void **state)
{
  (void)state;

  assert_date("\xff\xfe" "2019-03-01\x80", "2019-03-01");
  assert_date("r\xe9sum\xe9_20190301.pdf", "2019-03-01");
  assert_date("\xc3\xa9t\xc3\xa9 2019.03.01", "2019-03-01");
  /* Bytes with the high bit set are not digits, whatever the locale. */
  assert_date("\xb2\xb3" "20190301" "\xb9", "2019-03-01");
  assert_none("\xff\xff\xff");
  assert_none("2019\xad" "03\xad" "01");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_each_form),
    cmocka_unit_test(test_positions),
    cmocka_unit_test(test_first_date_wins),
    cmocka_unit_test(test_invalid_dates_skipped),
    cmocka_unit_test(test_adjacent_digits),
    cmocka_unit_test(test_bad_shapes),
    cmocka_unit_test(test_year_range),
    cmocka_unit_test(test_no_date),
    cmocka_unit_test(test_non_utf8),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}

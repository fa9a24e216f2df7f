/* Tests for events.c: the key,date CSV files of the events clock. */
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

#define CSV "clients.csv"

struct fx {
  struct diag d;
  struct events *ev;
};

static int setup(void **state)
{
  struct fx *f = calloc(1, sizeof(*f));
  if(!f)
    return -1;
  diag_init(&f->d);
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  struct fx *f = *state;
  events_free(f->ev);
  diag_release(&f->d);
  free(f);
  return 0;
}

static int64_t when(const char *iso)
{
  int64_t t = 0;
  struct lethe_err err;
  if(isotime_parse(iso, &t, &err))
    fail_msg("bad test date %s: %s", iso, err.msg);
  return t;
}

/* Parse text that must be clean; f->ev holds the result. */
static void parse_ok(struct fx *f, const char *text, size_t count)
{
  lethe_rc rc = events_parse(CSV, text, strlen(text), &f->ev, &f->d);
  if(rc != LETHE_OK || f->d.errors) {
    print_error("rc %d, diagnostics:\n%s", rc, db_str(&f->d.text));
    fail();
  }
  assert_non_null(f->ev);
  assert_int_equal(events_count(f->ev), count);
}

/* Parse text that must fail with errors errors. */
static void parse_bad(struct fx *f, const char *text, unsigned errors)
{
  assert_int_equal(events_parse(CSV, text, strlen(text), &f->ev, &f->d), LETHE_E_CONFIG);
  assert_null(f->ev);
  if(f->d.errors != errors) {
    print_error("want %u errors, got %u:\n%s", errors, f->d.errors, db_str(&f->d.text));
    fail();
  }
}

/* Assert that key is present with date iso. */
static void has(const struct events *ev, const char *key, const char *iso)
{
  int64_t t = -1;
  if(!events_lookup(ev, key, strlen(key), &t))
    fail_msg("key \"%s\" not found", key);
  assert_int_equal(t, when(iso));
}

static void lacks(const struct events *ev, const char *key)
{
  int64_t t = -1;
  if(events_lookup(ev, key, strlen(key), &t))
    fail_msg("key \"%s\" unexpectedly found", key);
  assert_int_equal(t, -1);
}

/* Assert a diagnostic line "clients.csv:LINE: " containing phrase. */
static void expect(const struct fx *f, int line, const char *phrase)
{
  char prefix[64];
  const char *p = db_str(&f->d.text);
  size_t plen = (size_t)snprintf(prefix, sizeof(prefix), CSV ":%d: ", line);
  while(*p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    if(len >= plen && !memcmp(p, prefix, plen) &&
       memmem(p + plen, len - plen, phrase, strlen(phrase)))
      return;
    p += len + (nl != NULL);
  }
  fail_msg("no \"%s...%s\" in:\n%s", prefix, phrase, db_str(&f->d.text));
}

/* Forget the previous parse. */
static void reset(struct fx *f)
{
  events_free(f->ev);
  f->ev = NULL;
  diag_release(&f->d);
  diag_init(&f->d);
}

static void test_header_and_records(void **state)
{
  struct fx *f = *state;
  parse_ok(f, "client,last_invoice\nAcme,2025-10-01\nBeta,2025-11-02T10:00:00Z\n", 2);
  has(f->ev, "Acme", "2025-10-01");
  has(f->ev, "Beta", "2025-11-02T10:00:00Z");
  lacks(f->ev, "client");
}

static void test_no_header(void **state)
{
  struct fx *f = *state;
  /* A first line with a date is a record, not a header. */
  parse_ok(f, "Acme,2025-10-01\nBeta,2025-10-02", 2);
  has(f->ev, "Acme", "2025-10-01");
  has(f->ev, "Beta", "2025-10-02");
}

static void test_quoted_fields(void **state)
{
  struct fx *f = *state;
  parse_ok(f, "\"Acme, Ltd\",2025-10-01\n\"Say \"\"Hi\"\"\",2025-10-02\n"
           "Plain,\"2025-10-03\"\n\"\"\"\",2025-10-04\n", 4);
  has(f->ev, "Acme, Ltd", "2025-10-01");
  has(f->ev, "Say \"Hi\"", "2025-10-02");
  has(f->ev, "Plain", "2025-10-03");
  has(f->ev, "\"", "2025-10-04");
  lacks(f->ev, "Acme");
  lacks(f->ev, "\"Acme, Ltd\"");
}

static void test_bom_crlf_blank(void **state)
{
  struct fx *f = *state;
  parse_ok(f, "\xEF\xBB\xBF" "client,date\r\n\r\nAcme,2025-10-01\r\n  \r\n\t\n"
           "Beta,2025-10-02\r\n\r\n", 2);
  has(f->ev, "Acme", "2025-10-01");
  has(f->ev, "Beta", "2025-10-02");
  lacks(f->ev, "client");
  lacks(f->ev, "\xEF\xBB\xBF" "client");
}

static void test_bom_before_record(void **state)
{
  struct fx *f = *state;
  /* The mark is not part of the first key. */
  parse_ok(f, "\xEF\xBB\xBF" "Acme,2025-10-01\n", 1);
  has(f->ev, "Acme", "2025-10-01");
}

static void test_duplicates_keep_latest(void **state)
{
  struct fx *f = *state;
  parse_ok(f, "Acme,2024-01-01\nAcme,2025-06-30T12:00:00Z\nBeta,2020-01-01\n"
           "Acme,2025-03-01\nAcme,2025-06-30\n", 2);
  has(f->ev, "Acme", "2025-06-30T12:00:00Z");
  has(f->ev, "Beta", "2020-01-01");
}

static void test_malformed_lines(void **state)
{
  struct fx *f = *state;
  parse_bad(f, "client,date\n"           /* 1: header */
            "Acme,2025-13-01\n"          /* 2: bad date */
            "Beta\n"                     /* 3: one field */
            "Gamma,2025-01-01,extra\n"   /* 4: three fields */
            "\"Delta,2025-01-01\n"       /* 5: unterminated quote */
            ",2025-01-01\n"              /* 6: empty key */
            "Eps,2025-01-01\n"           /* 7: fine */
            "\"Zeta\"x,2025-01-01\n"     /* 8: text after the quote */
            "Et\"a,2025-01-01\n"         /* 9: stray quote */
            "Theta,\n", 8);              /* 10: no date */
  expect(f, 2, "invalid time \"2025-13-01\"");
  expect(f, 3, "expected two fields: key,date");
  expect(f, 4, "more than two fields");
  expect(f, 5, "unterminated quoted field");
  expect(f, 6, "empty key");
  expect(f, 8, "text after a closing quote");
  expect(f, 9, "quote inside an unquoted field");
  expect(f, 10, "invalid time \"\"");
}

static void test_line_numbers_count_blank_lines(void **state)
{
  struct fx *f = *state;
  parse_bad(f, "Acme,2025-01-01\r\n\r\n\nBeta,yesterday\r\n", 1);
  expect(f, 4, "invalid time \"yesterday\"");
}

static void test_quote_does_not_span_lines(void **state)
{
  struct fx *f = *state;
  /* An open quote is reported on its own line; the next lines still count. */
  parse_bad(f, "\"A\nB\",2025-01-01\nC,bad\n", 3);
  expect(f, 1, "unterminated quoted field");
  expect(f, 2, "quote inside an unquoted field");
  expect(f, 3, "invalid time \"bad\"");
}

static void test_bad_date_on_line_1_is_header(void **state)
{
  struct fx *f = *state;
  parse_ok(f, "Acme,sometime\nBeta,2025-01-01\n", 1);
  lacks(f->ev, "Acme");
  reset(f);
  /* Only the first line may be a header. */
  parse_bad(f, "client,date\nname,date\n", 1);
  expect(f, 2, "invalid time \"date\"");
}

static void test_lookup(void **state)
{
  struct fx *f = *state;
  int64_t t = -1;
  parse_ok(f, "Acme Ltd,2025-10-01\n", 1);
  lacks(f->ev, "Acme");
  lacks(f->ev, "acme ltd");
  lacks(f->ev, "Acme Ltd ");
  lacks(f->ev, "");
  /* The key is the first len bytes: a subject prefix of a longer path. */
  assert_true(events_lookup(f->ev, "Acme Ltd/0 Confidential/a.pdf", 8, &t));
  assert_int_equal(t, when("2025-10-01"));
  assert_false(events_lookup(NULL, "Acme Ltd", 8, &t));
  assert_int_equal(events_count(NULL), 0);
}

static void test_empty_text(void **state)
{
  struct fx *f = *state;
  parse_ok(f, "", 0);
  lacks(f->ev, "Acme");
  reset(f);
  parse_ok(f, "client,date\n\n", 0);
}

static void test_many_keys(void **state)
{
  struct fx *f = *state;
  size_t cap = 2000 * 32;
  char *text = malloc(cap), *p = text;
  char key[32];
  int64_t t;
  assert_non_null(text);
  for(int i = 0; i < 2000; i++)
    p += sprintf(p, "client-%d,2025-01-%02d\n", i, 1 + i % 28);
  parse_ok(f, text, 2000);
  free(text);
  for(int i = 0; i < 2000; i++) {
    int n = snprintf(key, sizeof(key), "client-%d", i);
    assert_true(events_lookup(f->ev, key, (size_t)n, &t));
    assert_int_equal(t, when("2025-01-01") + (int64_t)(i % 28) * 86400);
  }
  lacks(f->ev, "client-2000");
}

static void test_load_file(void **state)
{
  struct fx *f = *state;
  const char *path = SRCDIR "/data/last-invoice.csv";
  assert_int_equal(events_load(path, &f->ev, &f->d), LETHE_OK);
  assert_int_equal(f->d.errors, 0);
  assert_int_equal(events_count(f->ev), 3);
  has(f->ev, "Acme, Ltd", "2025-10-01");
  has(f->ev, "Beta GmbH", "2025-11-02T10:00:00Z");
  has(f->ev, "Gamma \"The Best\" BV", "2024-12-31");
}

static void test_load_missing(void **state)
{
  struct fx *f = *state;
  const char *path = SRCDIR "/data/no-such-file.csv";
  f->ev = (struct events *)f; /* must be cleared */
  assert_int_equal(events_load(path, &f->ev, &f->d), LETHE_E_CONFIG);
  assert_null(f->ev);
  assert_int_equal(f->d.errors, 1);
  assert_non_null(strstr(db_str(&f->d.text), SRCDIR "/data/no-such-file.csv: cannot read "
                         "events file: No such file or directory\n"));
}

static void test_load_directory(void **state)
{
  struct fx *f = *state;
  assert_int_equal(events_load(SRCDIR "/data", &f->ev, &f->d), LETHE_E_CONFIG);
  assert_null(f->ev);
  assert_non_null(strstr(db_str(&f->d.text), SRCDIR "/data: events file is not a regular file"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    T(test_header_and_records),
    T(test_no_header),
    T(test_quoted_fields),
    T(test_bom_crlf_blank),
    T(test_bom_before_record),
    T(test_duplicates_keep_latest),
    T(test_malformed_lines),
    T(test_line_numbers_count_blank_lines),
    T(test_quote_does_not_span_lines),
    T(test_bad_date_on_line_1_is_header),
    T(test_lookup),
    T(test_empty_text),
    T(test_many_keys),
    T(test_load_file),
    T(test_load_missing),
    T(test_load_directory),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

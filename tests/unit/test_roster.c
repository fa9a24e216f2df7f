/* The roster CSV and the standing computed from it (agent/attest). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect.h"
#include "isotime.h"
#include "roster.h"
#include "standing.h"

#define KEY_A "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKvdJrgMEm84TR5d1do8uCPEMqpx8E4qctqCxThPgl5f"
#define KEY_B "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKwSYcpujQe+r7fdVD3ZGGpTI4mo4iTaR9wMA1KHZAAe"

static int64_t at(const char *text)
{
  int64_t t = 0;
  assert_int_equal(isotime_parse(text, &t, NULL), LETHE_OK);
  return t;
}

static lethe_rc parse(const char *text, struct roster *r, struct diag *d)
{
  diag_init(d);
  return roster_parse("roster.csv", text, strlen(text), r, d);
}

static void test_columns_any_order_and_quotes(void **state)
{
  struct roster r;
  struct diag d;
  (void)state;
  assert_int_equal(parse("\xEF\xBB\xBF" "Cadence,SSH Public Key,E-Mail,Name,Notes\r\n"
                         "6 months,\"" KEY_A " ada\",ada@example.org,\"Lovelace, Ada\",x\r\n"
                         "\n"
                         "180 days," KEY_B ",bob@example.org,Bob,\n", &r, &d), LETHE_OK);
  assert_int_equal(r.n, 2);
  assert_string_equal(r.rows[0].name, "Lovelace, Ada");
  assert_string_equal(r.rows[0].scope, ROSTER_SCOPE_ALL);
  assert_int_equal(r.rows[0].cadence.count, 6);
  assert_int_equal(r.rows[1].line, 4);
  assert_non_null(roster_find_key(&r, r.rows[1].key));
  assert_ptr_equal(roster_find_key(&r, r.rows[1].key), &r.rows[1]);
  roster_release(&r);
  diag_release(&d);
}

static void test_every_bad_row_named(void **state)
{
  struct roster r;
  struct diag d;
  (void)state;
  assert_int_equal(parse("name,email,key,cadence,since\n"
                         "Ada,ada@example.org," KEY_A ",6 months,\n"
                         "Eve,eve@example.org," KEY_A ",6 months,\n"
                         "Bob,bob,x,6 months,\n"
                         "Cy,cy@example.org," KEY_B ",12m,\n"
                         "Di,di@example.org," KEY_B ",6 months,2026-02-30\n"
                         "\"open,x\n", &r, &d), LETHE_E_CONFIG);
  assert_non_null(strstr(db_str(&d.text), "roster.csv:3: key SHA256:"));
  assert_non_null(strstr(db_str(&d.text), "roster.csv:4: email"));
  assert_non_null(strstr(db_str(&d.text), "roster.csv:5: cadence"));
  assert_non_null(strstr(db_str(&d.text), "roster.csv:6: since"));
  assert_non_null(strstr(db_str(&d.text), "roster.csv:7: unterminated quoted field"));
  roster_release(&r);
  diag_release(&d);
  assert_int_equal(parse("name,email,cadence\nAda,ada@example.org,6 months\n", &r, &d),
                   LETHE_E_CONFIG);
  assert_non_null(strstr(db_str(&d.text), "key and cadence are required"));
  roster_release(&r);
  diag_release(&d);
}

/* One accepted attestation of row, at when, for project (NULL: all). */
static struct attest_found found(const struct roster_row *row, const char *when,
                                 const char *project)
{
  struct attest_found f;
  memset(&f, 0, sizeof(f));
  f.row = row;
  f.s.attested_at = at(when);
  f.s.project = (char *)project;
  return f;
}

static void test_standing(void **state)
{
  struct roster r;
  struct diag d;
  struct standing *st;
  size_t n;
  struct duration within = { 14, DURATION_DAYS };
  struct attest_found ok[3];
  struct attest_set set = { .ok = ok, .n_ok = 3 };
  (void)state;
  assert_int_equal(parse("name,email,key,cadence,scope,since\n"
                         "Ada,ada@example.org," KEY_A ",6 months,,\n"
                         "Ada,ADA@example.org," KEY_A ",6 months,Acme,\n"
                         "Ada,ada@example.org," KEY_A ",1 month,Beta,\n"
                         "Bob,bob@example.org," KEY_B ",6 months,,2026-11-01\n", &r, &d),
                   LETHE_OK);
  ok[0] = found(&r.rows[0], "2026-01-31T10:00:00Z", "Acme");  /* Acme only */
  ok[1] = found(&r.rows[0], "2026-03-31T10:00:00Z", NULL);    /* everything */
  ok[2] = found(&r.rows[0], "2026-02-15T10:00:00Z", "Beta");  /* older than the general one */
  assert_int_equal(standing_compute(&r, &set, at("2026-09-20"), &within, &st, &n), LETHE_OK);
  assert_int_equal(n, 4);
  /* all: only the general attestation counts; due 30 Sep (month end clamps) */
  assert_ptr_equal(st[0].last, &ok[1]);
  assert_int_equal(st[0].due, at("2026-09-30T10:00:00Z"));
  assert_int_equal(st[0].state, STANDING_DUE_SOON);
  /* Acme: the general one is newer than Acme's own */
  assert_ptr_equal(st[1].last, &ok[1]);
  /* Beta, monthly: long overdue */
  assert_ptr_equal(st[2].last, &ok[1]);
  assert_int_equal(st[2].state, STANDING_OVERDUE);
  /* Bob: never, but joined on 1 Nov: due 1 May */
  assert_null(st[3].last);
  assert_true(st[3].has_due);
  assert_int_equal(st[3].state, STANDING_OK);
  free(st);
  assert_int_equal(standing_compute(&r, &set, at("2027-05-01"), &within, &st, &n), LETHE_OK);
  assert_int_equal(st[3].state, STANDING_OVERDUE);
  free(st);
  roster_release(&r);
  diag_release(&d);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_columns_any_order_and_quotes),
    cmocka_unit_test(test_every_bad_row_named),
    cmocka_unit_test(test_standing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

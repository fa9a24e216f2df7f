/* Each detector: values it must find, near misses it must not, and the
 * redacted sample it keeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scan_test_util.h"

#define FINDS(text, d, n) assert_int_equal(t_count(text, d), n)

static void email(void **state)
{
  FINDS("write to jane.doe@example.org today", SCAN_EMAIL, 1);
  FINDS("<j.o'neil+news@mail.example.co.uk>", SCAN_EMAIL, 1);
  FINDS("a@b.cd, x_y@sub.example.com; z@example.net.", SCAN_EMAIL, 3);
  FINDS("user@localhost", SCAN_EMAIL, 0);             /* no dot in the domain */
  FINDS("user@example", SCAN_EMAIL, 0);
  FINDS("@example.org", SCAN_EMAIL, 0);
  FINDS("user@.example.org", SCAN_EMAIL, 0);
  FINDS("user@example.c", SCAN_EMAIL, 0);             /* one-letter TLD */
  FINDS("user@example.123", SCAN_EMAIL, 0);
  FINDS("john..smith@example.org", SCAN_EMAIL, 0);
  FINDS("@@@@ a@ @b", SCAN_EMAIL, 0);
  assert_string_equal(t_sample("mail jane@example.org", SCAN_EMAIL), "j***@example.org");
}

static void phone(void **state)
{
  FINDS("call 07700 900123 now", SCAN_PHONE, 1);
  FINDS("020 7946 0958", SCAN_PHONE, 1);
  FINDS("tel: 0161 496 0000.", SCAN_PHONE, 1);
  FINDS("(020) 7946 0958", SCAN_PHONE, 1);
  FINDS("+44 7700 900123", SCAN_PHONE, 1);
  FINDS("+44 (0)20 7946 0958", SCAN_PHONE, 1);
  FINDS("+447700900123", SCAN_PHONE, 1);
  FINDS("0044 7700 900123", SCAN_PHONE, 1);
  FINDS("+1 415 555 2671", SCAN_PHONE, 1);
  FINDS("+33 1 23 45 67 89", SCAN_PHONE, 1);
  FINDS("07700-900-123", SCAN_PHONE, 1);
  FINDS("07700 9001", SCAN_PHONE, 0);                 /* too short */
  FINDS("+44 7700 9001", SCAN_PHONE, 0);
  FINDS("+49 1234", SCAN_PHONE, 0);                   /* under E.164's 8 digits */
  FINDS("+123456789012345678", SCAN_PHONE, 0);        /* over 15 digits */
  FINDS("07700 900123 4567", SCAN_PHONE, 1);          /* the number, then another */
  FINDS("Invoice 123456789012", SCAN_PHONE, 0);       /* a digit run is not a phone */
  FINDS("0.07700900123", SCAN_PHONE, 0);
  FINDS("ref07700900123", SCAN_PHONE, 0);
  FINDS("00000000000", SCAN_PHONE, 0);
  assert_string_equal(t_sample("call 07700 900123", SCAN_PHONE), "07*** ***123");
}

static void nino(void **state)
{
  FINDS("NI: AB123456C", SCAN_NINO, 1);
  FINDS("NI: AB 12 34 56 C", SCAN_NINO, 1);
  FINDS("JG103759A and ZR 99 88 77 D", SCAN_NINO, 2);
  FINDS("QQ123456C", SCAN_NINO, 0);                   /* Q is never a first letter */
  FINDS("BG123456A", SCAN_NINO, 0);                   /* unallocated prefix */
  FINDS("GB123456A TN123456A NK123456A ZZ123456A", SCAN_NINO, 0);
  FINDS("AO123456A", SCAN_NINO, 0);                   /* O is never a second letter */
  FINDS("DA123456A", SCAN_NINO, 0);
  FINDS("AB123456E", SCAN_NINO, 0);                   /* suffix A-D only */
  FINDS("AB12345C", SCAN_NINO, 0);
  FINDS("XAB123456C", SCAN_NINO, 0);
  FINDS("AB123456CD", SCAN_NINO, 0);
  assert_string_equal(t_sample("AB123456C", SCAN_NINO), "AB ** ** ** C");
}

static void iban(void **state)
{
  FINDS("GB82 WEST 1234 5698 7654 32", SCAN_IBAN, 1);
  FINDS("GB82WEST12345698765432", SCAN_IBAN, 1);
  FINDS("DE89 3704 0044 0532 0130 00", SCAN_IBAN, 1);
  FINDS("FR1420041010050500013M02606", SCAN_IBAN, 1);
  FINDS("NL91ABNA0417164300 and BE68539007547034", SCAN_IBAN, 2);
  FINDS("GB83 WEST 1234 5698 7654 32", SCAN_IBAN, 0); /* wrong check digits */
  FINDS("GB82 WEST 1234 5698 7654 33", SCAN_IBAN, 0);
  FINDS("GB82 WEST 1234 5698 7654", SCAN_IBAN, 0);    /* too short for GB */
  FINDS("GB82WEST123456987654321", SCAN_IBAN, 0);     /* too long */
  FINDS("QQ82WEST12345698765432", SCAN_IBAN, 0);      /* no such country */
  assert_string_equal(t_sample("GB82 WEST 1234 5698 7654 32", SCAN_IBAN),
                      "GB** **** **** **** **54 32");
}

static void card(void **state)
{
  FINDS("4111 1111 1111 1111", SCAN_CARD, 1);
  FINDS("4111-1111-1111-1111", SCAN_CARD, 1);
  FINDS("5555555555554444", SCAN_CARD, 1);
  FINDS("3782 822463 10005", SCAN_CARD, 1);           /* Amex 4-6-5 */
  FINDS("6011111111111117", SCAN_CARD, 1);
  FINDS("4111 1111 1111 1112", SCAN_CARD, 0);         /* fails Luhn */
  FINDS("1234567812345670", SCAN_CARD, 0);            /* Luhn ok, no issuer 1 */
  FINDS("4111 1111-1111 1111", SCAN_CARD, 0);         /* mixed separators */
  FINDS("411111111111", SCAN_CARD, 0);                /* 12 digits */
  FINDS("41111111111111111111", SCAN_CARD, 0);        /* 20 digits */
  FINDS("3782822463100050", SCAN_CARD, 0);            /* Amex is 15 digits */
  assert_string_equal(t_sample("4111 1111 1111 1111", SCAN_CARD), "**** **** **** 1111");
}

static void dob(void **state)
{
  FINDS("DOB: 12/03/1985", SCAN_DOB, 1);
  FINDS("Date of birth 1985-03-12", SCAN_DOB, 1);
  FINDS("she was born on 12 March 1985 in Leeds", SCAN_DOB, 1);
  FINDS("d.o.b. 3.4.1990", SCAN_DOB, 1);
  FINDS("Birth date: March 12, 1985", SCAN_DOB, 1);
  FINDS("12th Sept 1985 (date of birth)", SCAN_DOB, 1);
  FINDS("DOB 12/03/85", SCAN_DOB, 1);
  FINDS("Meeting on 12/03/1985", SCAN_DOB, 0);        /* no keyword */
  FINDS("12 March 1985", SCAN_DOB, 0);
  FINDS("Osborne, 12/03/1985", SCAN_DOB, 0);          /* "born" inside a word */
  FINDS("DOB: 32/03/1985", SCAN_DOB, 0);
  FINDS("DOB: 12/13/1985 13/13/1985", SCAN_DOB, 1);   /* 12/13 is month-first */
  FINDS("DOB: 1985-13-12", SCAN_DOB, 0);
  FINDS("DOB: 12/03/1850", SCAN_DOB, 0);
  assert_string_equal(t_sample("DOB: 12/03/1985", SCAN_DOB), "**/**/1985");
}

static void person_column(void **state)
{
  struct scan_rules *r = t_rules(NULL, NULL);
  struct scan_findings f;
  t_scan(r, "d.csv", "Delegate,Company name,Dietary\nAda Lovelace,ACME,none\nAlan T,Other,veg\n", &f);
  assert_int_equal(f.hits[SCAN_PERSON_COLUMN].count, 2);
  assert_string_equal(f.hits[SCAN_PERSON_COLUMN].sample, "Delegate");
  t_scan(r, "d.csv", "\"First name\";\"Surname\";\"E-mail\"\n\"A\";\"B\";\"c\"\n", &f);
  assert_int_equal(f.hits[SCAN_PERSON_COLUMN].count, 1);
  assert_string_equal(f.hits[SCAN_PERSON_COLUMN].sample, "First name, Surname, E-mail");
  t_scan(r, "d.tsv", "id\tDate of birth\n1\t1990\n\n2\t1991\n", &f);
  assert_int_equal(f.hits[SCAN_PERSON_COLUMN].count, 2);
  t_scan(r, "d.csv", "\"Notes, long\",Name\n\"a,\nb\",x\n", &f);   /* quoted newline */
  assert_int_equal(f.hits[SCAN_PERSON_COLUMN].count, 1);
  /* near misses: no person column; a header and no data row */
  t_scan(r, "d.csv", "Product name,Price,IP address,File name\nWidget,3,10.0.0.1,a.txt\n", &f);
  assert_int_equal(f.hits[SCAN_PERSON_COLUMN].count, 0);
  t_scan(r, "d.csv", "Name,Email\n", &f);
  assert_int_equal(f.hits[SCAN_PERSON_COLUMN].count, 0);
  t_scan(r, "d.txt", "Name,Email\nAda,x\n", &f);   /* not a CSV file */
  assert_int_equal(f.hits[SCAN_PERSON_COLUMN].count, 0);
  scan_rules_free(r);
}

static void client_name(void **state)
{
  struct scan_rules *r = t_rules("client-name", "# clients\nAcme Ltd\n  Müller GmbH  \n\nO'Brien & Sons\n");
  struct scan_findings f;
  t_scan(r, "a.txt", "Invoice for ACME LTD and acme\nltd; not Acmeltd or xAcme Ltd.", &f);
  assert_int_equal(f.hits[SCAN_CLIENT_NAME].count, 2);
  assert_string_equal(f.hits[SCAN_CLIENT_NAME].sample, "A*** L***");
  t_scan(r, "a.txt", "MÜLLER GMBH, o'brien & sons", &f);
  assert_int_equal(f.hits[SCAN_CLIENT_NAME].count, 2);
  t_scan(r, "a.txt", "M\xfcller GmbH", &f);   /* Latin-1 */
  assert_int_equal(f.hits[SCAN_CLIENT_NAME].count, 1);
  assert_int_equal(f.hits[SCAN_EMAIL].count, 0);
  scan_rules_free(r);
}

static void selection_and_hash(void **state)
{
  unsigned set;
  char err[256], h1[65], h2[65], h3[65];
  struct scan_rules *a = t_rules("personal-data", "Acme\nBeta\n");
  struct scan_rules *b = t_rules("personal-data", "Beta\nAcme\nAcme\n");
  struct scan_rules *c = t_rules("email", "Acme\nBeta\n");
  struct scan_findings f;
  assert_int_equal(scan_detectors_parse("email, iban", &set, err, sizeof(err)), LETHE_OK);
  assert_int_equal(set, SCAN_BIT(SCAN_EMAIL) | SCAN_BIT(SCAN_IBAN));
  assert_int_equal(scan_detectors_parse("emial", &set, err, sizeof(err)), LETHE_E_PARSE);
  assert_non_null(strstr(err, "emial"));
  assert_string_equal(scan_detector_name(SCAN_PERSON_COLUMN), "person-column");
  assert_null(scan_detector_name(SCAN_DETECTOR__COUNT));
  scan_rules_hash(a, h1);
  scan_rules_hash(b, h2);
  scan_rules_hash(c, h3);
  assert_int_equal(strlen(h1), 64);
  assert_string_equal(h1, h2);         /* order and duplicates do not matter */
  assert_string_not_equal(h1, h3);
  t_scan(c, "a.txt", "x@example.org 07700 900123", &f);
  assert_int_equal(f.hits[SCAN_EMAIL].count, 1);
  assert_int_equal(f.hits[SCAN_PHONE].count, 0);
  scan_rules_free(a);
  scan_rules_free(b);
  scan_rules_free(c);
}

static void bad_client_lists(void **state)
{
  struct scan_options opt = SCAN_OPTIONS_INIT;
  struct scan_rules *r;
  char err[256], longname[200];
  opt.client_text = "ok\n\xff\xfe bad\n";
  assert_int_equal(scan_rules_new(&opt, &r, err, sizeof(err)), LETHE_E_PARSE);
  assert_null(r);
  memset(longname, 'a', sizeof(longname) - 1);
  longname[sizeof(longname) - 1] = '\0';
  opt.client_text = longname;
  assert_int_equal(scan_rules_new(&opt, &r, err, sizeof(err)), LETHE_E_RANGE);
  assert_non_null(strstr(err, "line 1"));
  opt.client_text = NULL;
  opt.client_list = "/nonexistent/clients.txt";
  assert_int_equal(scan_rules_new(&opt, &r, err, sizeof(err)), LETHE_E_IO);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(email),
    cmocka_unit_test(phone),
    cmocka_unit_test(nino),
    cmocka_unit_test(iban),
    cmocka_unit_test(card),
    cmocka_unit_test(dob),
    cmocka_unit_test(person_column),
    cmocka_unit_test(client_name),
    cmocka_unit_test(selection_and_hash),
    cmocka_unit_test(bad_client_lists),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

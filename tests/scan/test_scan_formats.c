/* Formats: office files written by Python's zipfile with hand-written
 * OOXML and ODF, PDFs from a small writer (plain and Flate streams), CSV
 * dialects, text encodings; scan_file and scan_buffer agree. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "scan_test_util.h"

struct fixture {
  char dir[64];
  int dirfd;
  struct scan_rules *rules;
};

static int setup(void **state)
{
  static struct fixture fx;
  snprintf(fx.dir, sizeof(fx.dir), "%s", t_tmpdir());
  t_python("gen_formats.py", fx.dir);
  fx.dirfd = open(fx.dir, O_RDONLY | O_DIRECTORY);
  fx.rules = t_rules(NULL, "Acme Ltd\n");
  *state = &fx;
  return fx.dirfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
  struct fixture *fx = *state;
  scan_rules_free(fx->rules);
  close(fx->dirfd);
  t_rmdir(fx->dir);
  return 0;
}

static void scan(struct fixture *fx, const char *name, struct scan_findings *f)
{
  char err[512];
  if(scan_file(fx->rules, fx->dirfd, name, f, err, sizeof(err)))
    fail_msg("%s", err);
}

#define COUNT(f, d) ((f).hits[d].count)

static void docx(void **state)
{
  struct scan_findings f;
  scan(*state, "runs.docx", &f);
  assert_int_equal(f.format, SCAN_FMT_DOCX);
  assert_int_equal(COUNT(f, SCAN_PHONE), 1);   /* split across three runs */
  assert_int_equal(COUNT(f, SCAN_EMAIL), 1);
  assert_int_equal(COUNT(f, SCAN_DOB), 1);     /* in the header part */
  assert_string_equal(f.hits[SCAN_PHONE].sample, "07*** ***123");
}

static void xlsx(void **state)
{
  struct scan_findings f;
  scan(*state, "late-sst.xlsx", &f);           /* shared strings after the sheets */
  assert_int_equal(f.format, SCAN_FMT_XLSX);
  assert_int_equal(COUNT(f, SCAN_EMAIL), 2);
  assert_int_equal(COUNT(f, SCAN_PHONE), 2);
  assert_int_equal(COUNT(f, SCAN_PERSON_COLUMN), 2);
  assert_string_equal(f.hits[SCAN_PERSON_COLUMN].sample, "Name, Email, Phone");
  scan(*state, "inline-header.xlsx", &f);
  assert_int_equal(COUNT(f, SCAN_PERSON_COLUMN), 3);
  assert_string_equal(f.hits[SCAN_PERSON_COLUMN].sample, "Surname");
}

static void pptx_odf(void **state)
{
  struct scan_findings f;
  scan(*state, "deck.pptx", &f);
  assert_int_equal(f.format, SCAN_FMT_PPTX);
  assert_int_equal(COUNT(f, SCAN_NINO), 1);
  assert_int_equal(COUNT(f, SCAN_IBAN), 1);
  assert_int_equal(COUNT(f, SCAN_CARD), 1);
  scan(*state, "letter.odt", &f);
  assert_int_equal(f.format, SCAN_FMT_ODF);
  assert_int_equal(COUNT(f, SCAN_EMAIL), 1);   /* split across spans */
  scan(*state, "people.ods", &f);
  assert_int_equal(COUNT(f, SCAN_PHONE), 2);
  assert_int_equal(COUNT(f, SCAN_PERSON_COLUMN), 2);   /* the repeated empty rows do not count */
  assert_string_equal(f.hits[SCAN_PERSON_COLUMN].sample, "Surname, Mobile");
}

static void pdf(void **state)
{
  static const char *const names[] = { "plain.pdf", "flate.pdf" };
  struct scan_findings f;
  int i;
  for(i = 0; i < 2; i++) {
    scan(*state, names[i], &f);
    assert_int_equal(f.format, SCAN_FMT_PDF);
    assert_int_equal(COUNT(f, SCAN_EMAIL), 1);
    assert_int_equal(COUNT(f, SCAN_PHONE), 1);
    assert_int_equal(COUNT(f, SCAN_DOB), 1);
    assert_int_equal(COUNT(f, SCAN_NINO), 1);
  }
}

static void text_and_csv(void **state)
{
  struct fixture *fx = *state;
  struct scan_findings f;
  t_scan(fx->rules, "a.txt", "line one\r\nmail x@example.org\r\nACME  LTD\r", &f);
  assert_int_equal(f.format, SCAN_FMT_TEXT);
  assert_int_equal(COUNT(f, SCAN_EMAIL), 1);
  assert_int_equal(COUNT(f, SCAN_CLIENT_NAME), 1);
  t_scan(fx->rules, "a.csv", "id;\"Full name\";x\n1;\"Smith; J\";\"a\nb\"\n2;\"Doe\";c", &f);
  assert_int_equal(f.format, SCAN_FMT_CSV);
  assert_int_equal(COUNT(f, SCAN_PERSON_COLUMN), 2);
  t_scan(fx->rules, "a.txt", "caf\xe9 x@example.org", &f);   /* Latin-1 */
  assert_int_equal(COUNT(f, SCAN_EMAIL), 1);
}

/* scan_buffer gives what scan_file gives, for every format. */
static void buffer_matches_file(void **state)
{
  struct fixture *fx = *state;
  DIR *d = fdopendir(dup(fx->dirfd));
  struct dirent *e;
  static char buf[1 << 20];
  assert_non_null(d);
  while((e = readdir(d))) {
    struct scan_findings a, b;
    char err[512];
    int fd;
    ssize_t n;
    if(e->d_name[0] == '.')
      continue;
    scan(fx, e->d_name, &a);
    fd = openat(fx->dirfd, e->d_name, O_RDONLY);
    n = read(fd, buf, sizeof(buf));
    close(fd);
    assert_true(n > 0);
    assert_int_equal(scan_buffer(fx->rules, e->d_name, buf, (size_t)n, &b, err, sizeof(err)), LETHE_OK);
    assert_memory_equal(&a, &b, sizeof(a));
  }
  closedir(d);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(docx),
    cmocka_unit_test(xlsx),
    cmocka_unit_test(pptx_odf),
    cmocka_unit_test(pdf),
    cmocka_unit_test(text_and_csv),
    cmocka_unit_test(buffer_matches_file),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}

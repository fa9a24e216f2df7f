/* Tests for events_column.c: each subject's owner from an events CSV. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "events_column.h"

struct fx {
  char path[64];
  struct diag d;
  struct events_column *c;
};

static int setup(void **state)
{
  struct fx *f = calloc(1, sizeof(*f));
  if(!f)
    return -1;
  strcpy(f->path, "/tmp/owners-csv.XXXXXX");
  diag_init(&f->d);
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  struct fx *f = *state;
  events_column_free(f->c);
  diag_release(&f->d);
  unlink(f->path);
  free(f);
  return 0;
}

static lethe_rc load(struct fx *f, const char *text, const char *column)
{
  int fd = mkstemp(f->path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  return events_column_load(f->path, column, &f->c, &f->d);
}

static void owner_of_latest_row(void **state)
{
  struct fx *f = *state;
  assert_int_equal(load(f, "client,last_invoice,owner\r\n"
                        "Acme,2025-01-01,old@example.org\r\n"
                        "\"Beta, Ltd\",2025-02-01,beta@example.org\r\n"
                        "Acme,2025-06-01,new@example.org\r\n"
                        "Acme,2025-03-01,mid@example.org\r\n"
                        "Gamma,2025-03-01,\r\n", "Owner"), LETHE_OK);
  assert_int_equal(f->d.errors, 0);
  assert_string_equal(events_column_get(f->c, "Acme", 4), "new@example.org");
  assert_string_equal(events_column_get(f->c, "Beta, Ltd", 9), "beta@example.org");
  assert_null(events_column_get(f->c, "Gamma", 5));
  assert_null(events_column_get(f->c, "Acm", 3));
}

static void bad_address_is_a_warning_at_its_line(void **state)
{
  struct fx *f = *state;
  assert_int_equal(load(f, "client,date,owner\nAcme,2025-01-01,not an address\n", "owner"),
                   LETHE_OK);
  assert_int_equal(f->d.errors, 0);
  assert_int_equal(f->d.warnings, 1);
  assert_non_null(strstr(db_str(&f->d.text), ":2: warning: 'not an address'"));
  assert_null(events_column_get(f->c, "Acme", 4));
}

static void missing_column_is_an_error(void **state)
{
  struct fx *f = *state;
  assert_int_equal(load(f, "client,date\nAcme,2025-01-01\n", "owner"), LETHE_E_CONFIG);
  assert_non_null(strstr(db_str(&f->d.text), ":1: notify-column 'owner': no such column"));
  assert_null(f->c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(owner_of_latest_row, setup, teardown),
    cmocka_unit_test_setup_teardown(bad_address_is_a_warning_at_its_line, setup, teardown),
    cmocka_unit_test_setup_teardown(missing_column_is_an_error, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

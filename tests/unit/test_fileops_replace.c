/* fileops_replace: Lethe's state files replaced whole, relative to their
 * directory, never through a symlink. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileops.h"

static char dir[64];

static int make_dir(void **state)
{
  (void)state;
  snprintf(dir, sizeof(dir), "%s", "/tmp/lethe-replace-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
  char cmd[128];
  (void)state;
  snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* The content of dir/name, or "" when it cannot be read. */
static const char *content(const char *name)
{
  static char buf[256];
  char path[128];
  FILE *f;
  size_t n = 0;
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  f = fopen(path, "r");
  if(f) {
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
  }
  buf[n] = '\0';
  return buf;
}

static void replaces_whole_and_leaves_no_tmp(void **state)
{
  struct lethe_err err = { 0 };
  struct stat st;
  char path[128];
  (void)state;
  assert_int_equal(fileops_replace(dir, "sent", "one\n", 4, &err), LETHE_OK);
  assert_string_equal(content("sent"), "one\n");
  assert_int_equal(fileops_replace(dir, "sent", "two\nthree\n", 10, &err), LETHE_OK);
  assert_string_equal(content("sent"), "two\nthree\n");
  snprintf(path, sizeof(path), "%s/sent", dir);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  snprintf(path, sizeof(path), "%s/sent.tmp", dir);
  assert_int_not_equal(access(path, F_OK), 0);
}

/* A symlink where the temporary file goes (planted by someone who can
 * write the state directory) is not followed: an error naming the file,
 * the link's target and the old file untouched. */
static void refuses_a_symlink_at_the_tmp_name(void **state)
{
  struct lethe_err err = { 0 };
  char link[128], target[128];
  (void)state;
  assert_int_equal(fileops_replace(dir, "sent", "old\n", 4, &err), LETHE_OK);
  snprintf(target, sizeof(target), "%s/elsewhere", dir);
  snprintf(link, sizeof(link), "%s/sent.tmp", dir);
  assert_int_equal(symlink(target, link), 0);
  assert_int_equal(fileops_replace(dir, "sent", "new\n", 4, &err), LETHE_E_IO);
  assert_non_null(strstr(err.msg, "sent.tmp: cannot write"));
  assert_string_equal(content("sent"), "old\n");
  assert_int_not_equal(access(target, F_OK), 0);
}

static void names_a_missing_directory(void **state)
{
  struct lethe_err err = { 0 };
  char missing[96];
  (void)state;
  snprintf(missing, sizeof(missing), "%s/none", dir);
  assert_int_equal(fileops_replace(missing, "sent", "x", 1, &err), LETHE_E_IO);
  assert_non_null(strstr(err.msg, "none/sent.tmp: cannot write"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(replaces_whole_and_leaves_no_tmp, make_dir, remove_dir),
    cmocka_unit_test_setup_teardown(refuses_a_symlink_at_the_tmp_name, make_dir, remove_dir),
    cmocka_unit_test_setup_teardown(names_a_missing_directory, make_dir, remove_dir),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests for text.c: numbers written by hand must be printf's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fileops.h"
#include "text.h"

static uint64_t rng_state = 99;

static uint64_t rng(void)
{
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return rng_state ^ (rng_state >> 29);
}

static void check_u64(uint64_t v)
{
  char want[32], got[32];
  snprintf(want, sizeof(want), "%" PRIu64, v);
  *text_put_u64(got, v) = '\0';
  assert_string_equal(got, want);
}

static void check_i64(int64_t v)
{
  char want[32], got[32];
  snprintf(want, sizeof(want), "%" PRId64, v);
  *text_put_i64(got, v) = '\0';
  assert_string_equal(got, want);
}

static void test_numbers(void **state)
{
  (void)state;
  check_u64(0);
  check_u64(9);
  check_u64(10);
  check_u64(UINT64_MAX);
  check_i64(0);
  check_i64(-1);
  check_i64(INT64_MAX);
  check_i64(INT64_MIN);
  for(int i = 0; i < 100000; i++) {
    uint64_t v = rng() >> (rng() % 64);
    check_u64(v);
    check_i64((int64_t)v);
    check_i64(-(int64_t)(v >> 1));
  }
}

static void test_file_identity(void **state)
{
  struct lethe_file_identity id = { 65024, 1074395, 0, 1769757575000000000,
                                    -1796366942268640864, 1 }, back;
  char text[FILE_ID_TEXT_LEN], want[FILE_ID_TEXT_LEN];
  (void)state;
  file_id_format(&id, text);
  assert_string_equal(text, "dev=65024 ino=1074395 size=0 mtime_ns=1769757575000000000 "
                      "ctime_ns=-1796366942268640864 nlink=1");
  id = (struct lethe_file_identity){ UINT64_MAX, UINT64_MAX, UINT64_MAX, INT64_MIN,
                                     INT64_MIN, UINT32_MAX };
  file_id_format(&id, text);
  snprintf(want, sizeof(want), "dev=%" PRIu64 " ino=%" PRIu64 " size=%" PRIu64
           " mtime_ns=%" PRId64 " ctime_ns=%" PRId64 " nlink=%" PRIu32, id.dev, id.ino,
           id.size, id.mtime_ns, id.ctime_ns, id.nlink);
  assert_string_equal(text, want);
  assert_int_equal(file_id_parse(text, &back), LETHE_OK);
  assert_true(back.dev == id.dev && back.ino == id.ino && back.size == id.size &&
              back.mtime_ns == id.mtime_ns && back.ctime_ns == id.ctime_ns &&
              back.nlink == id.nlink);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_numbers),
    cmocka_unit_test(test_file_identity),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests for text.c: numbers written by hand must be printf's, and the
 * printable copy of a name must not change with its fast path. */
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

/* The byte-at-a-time definition text_add_printable keeps. */
static void reference_printable(const unsigned char *s, size_t len, char *out, size_t *n)
{
  size_t i = 0, o = 0;
  while(i < len) {
    size_t k = 0;
    uint32_t cp = 0;
    if(s[i] < 0x80)
      k = 1;
    else if(s[i] >= 0xC2 && s[i] <= 0xDF)
      k = 2, cp = s[i] & 0x1F;
    else if(s[i] >= 0xE0 && s[i] <= 0xEF)
      k = 3, cp = s[i] & 0x0F;
    else if(s[i] >= 0xF0 && s[i] <= 0xF4)
      k = 4, cp = s[i] & 0x07;
    for(size_t j = 1; k > 1 && j < k; j++) {
      if(i + j >= len || (s[i + j] & 0xC0) != 0x80) {
        k = 0;
        break;
      }
      cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    if((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
       (k > 1 && cp >= 0xD800 && cp <= 0xDFFF))
      k = 0;
    if(k == 0 || (k == 1 && (s[i] < 0x20 || s[i] == 0x7F))) {
      out[o++] = '?';
      i++;
    }
    else {
      memcpy(out + o, s + i, k);
      o += k;
      i += k;
    }
  }
  *n = o;
}

static void test_printable(void **state)
{
  static const unsigned char pieces[][4] = {
    "a", "Z", " ", "~", "\x7f", "\x01", "\n", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
    "\xc3", "\xed\xa0\x80", "\xff", "\x80",
  };
  (void)state;
  for(int round = 0; round < 20000; round++) {
    unsigned char in[64];
    char want[64];
    size_t len = 0, n;
    struct dynbuf got;
    while(len < 48) {
      const unsigned char *piece = pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];
      size_t k = strlen((const char *)piece);
      memcpy(in + len, piece, k);
      len += k;
      if(rng() % 8 == 0)
        break;
    }
    reference_printable(in, len, want, &n);
    db_init(&got, 1024);
    assert_int_equal(text_add_printable(&got, (const char *)in, len), LETHE_OK);
    assert_int_equal(got.len, n);
    assert_memory_equal(got.mem, want, n);
    db_release(&got);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_numbers),
    cmocka_unit_test(test_file_identity),
    cmocka_unit_test(test_printable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

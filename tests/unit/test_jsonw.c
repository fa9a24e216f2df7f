/* The fast JSON writer must write exactly what json-c writes: plans are
 * written with it and hashed, then read back and re-serialised with json-c
 * by `lethe apply --plan`, and the two hashes must agree. */
#include <json-c/json.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jsonw.h"

static const char *jsonc(struct json_object *o)
{
  return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                        JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void test_every_byte_escapes_alike(void **state)
{
  char s[256];
  struct dynbuf b;
  struct jsonw w;
  struct json_object *o = json_object_new_object();
  (void)state;
  for(int c = 1; c < 256; c++)
    s[c - 1] = (char)c;
  s[255] = '\0';
  json_object_object_add(o, "k/\"\\", json_object_new_string(s));
  db_init(&b, 1 << 20);
  jsonw_init(&w, &b);
  jsonw_object_begin(&w);
  jsonw_key(&w, "k/\"\\");
  jsonw_string(&w, s);
  jsonw_object_end(&w);
  assert_int_equal(w.rc, LETHE_OK);
  assert_string_equal(b.mem, jsonc(o));
  json_object_put(o);
  db_release(&b);
}

/* The writer scans eight bytes at a time: bytes to escape at every offset
 * of a word, runs of them, and strings shorter than a word. */
static void test_escapes_at_every_offset(void **state)
{
  static const char alphabet[] = "ab\"\\\x01\x1f \x7f\x80\xff/\n";
  unsigned seed = 7;
  (void)state;
  for(int round = 0; round < 20000; round++) {
    char s[48];
    size_t len = (seed = seed * 1103515245u + 12345u) >> 16 & 31;
    struct dynbuf b;
    struct jsonw w;
    struct json_object *o;
    for(size_t i = 0; i < len; i++) {
      seed = seed * 1103515245u + 12345u;
      s[i] = (seed >> 16) % 4 ? 'x' : alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
    }
    s[len] = '\0';
    o = json_object_new_string(s);
    db_init(&b, 1 << 20);
    jsonw_init(&w, &b);
    jsonw_string(&w, s);
    assert_int_equal(w.rc, LETHE_OK);
    assert_string_equal(b.mem, jsonc(o));
    json_object_put(o);
    db_release(&b);
  }
}

static void test_nested_numbers_and_null(void **state)
{
  struct dynbuf b;
  struct jsonw w;
  struct json_object *o = json_object_new_object(), *c = json_object_new_object();
  (void)state;
  json_object_object_add(c, "name", json_object_new_string("mtime"));
  json_object_object_add(c, "value", NULL);
  json_object_object_add(o, "clock", c);
  json_object_object_add(o, "size", json_object_new_uint64(UINT64_MAX));
  json_object_object_add(o, "zero", json_object_new_uint64(0));
  db_init(&b, 1 << 20);
  jsonw_init(&w, &b);
  jsonw_object_begin(&w);
  jsonw_key(&w, "clock");
  jsonw_object_begin(&w);
  jsonw_key(&w, "name");
  jsonw_string(&w, "mtime");
  jsonw_key(&w, "value");
  jsonw_string(&w, NULL);
  jsonw_object_end(&w);
  jsonw_key(&w, "size");
  jsonw_u64(&w, UINT64_MAX);
  JSONW_KEY(&w, "zero"); /* the literal form writes the same */
  jsonw_u64(&w, 0);
  jsonw_object_end(&w);
  assert_string_equal(b.mem, jsonc(o));
  /* Read back and written again by json-c: the same bytes. */
  {
    struct json_object *back = json_tokener_parse(b.mem);
    assert_non_null(back);
    assert_string_equal(jsonc(back), b.mem);
    json_object_put(back);
  }
  json_object_put(o);
  db_release(&b);
}

/* JSONW_KEY writes what jsonw_key writes, first in an object or after a
 * value. */
static void test_literal_keys(void **state)
{
  struct dynbuf a, b;
  struct jsonw x, y;
  (void)state;
  db_init(&a, 1024);
  db_init(&b, 1024);
  jsonw_init(&x, &a);
  jsonw_init(&y, &b);
  jsonw_object_begin(&x);
  jsonw_object_begin(&y);
  jsonw_key(&x, "action");
  JSONW_KEY(&y, "action");
  jsonw_u64(&x, 1);
  jsonw_u64(&y, 1);
  jsonw_key(&x, "");
  JSONW_KEY(&y, "");
  jsonw_null(&x);
  jsonw_null(&y);
  jsonw_object_end(&x);
  jsonw_object_end(&y);
  assert_int_equal(y.rc, LETHE_OK);
  assert_string_equal(db_str(&a), "{\"action\":1,\"\":null}");
  assert_string_equal(db_str(&b), db_str(&a));
  db_release(&a);
  db_release(&b);
}

static void test_limit_is_an_error(void **state)
{
  struct dynbuf b;
  struct jsonw w;
  (void)state;
  db_init(&b, 8);
  jsonw_init(&w, &b);
  jsonw_object_begin(&w);
  jsonw_key(&w, "a long key");
  assert_int_equal(w.rc, LETHE_E_RANGE);
  db_release(&b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_byte_escapes_alike),
    cmocka_unit_test(test_escapes_at_every_offset),
    cmocka_unit_test(test_nested_numbers_and_null),
    cmocka_unit_test(test_literal_keys),
    cmocka_unit_test(test_limit_is_an_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

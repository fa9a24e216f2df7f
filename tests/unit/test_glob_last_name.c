/* Tests for glob_last_name (glob.c): the walk skips the stat of a name that
 * fails the last component of every select pattern, so that component must
 * accept the last name of every path the whole pattern matches. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "glob.h"

static void test_examples(void **state)
{
  (void)state;
  assert_string_equal(glob_last_name("**/*.mp4"), "*.mp4");
  assert_string_equal(glob_last_name("*.mp4"), "*.mp4");
  assert_string_equal(glob_last_name("*/0*Confidential/**"), "**");
  assert_string_equal(glob_last_name("**"), "**");
  assert_string_equal(glob_last_name("a/b/c"), "c");
  assert_string_equal(glob_last_name("a/"), "");
  /* An escaped slash separates names; an escaped star does not. */
  assert_string_equal(glob_last_name("a\\/b"), "b");
  assert_string_equal(glob_last_name("a/\\*x"), "\\*x");
  /* A '[' whose set a '/' interrupts is a literal: the '/' separates. */
  assert_string_equal(glob_last_name("x[a/b]"), "b]");
  assert_string_equal(glob_last_name("backups/[0-9]*.tar.gz"), "[0-9]*.tar.gz");
}

static bool accepts(const char *pattern, const char *name)
{
  return glob_match(glob_last_name(pattern), name, strlen(name));
}

static void test_skips_what_cannot_match(void **state)
{
  (void)state;
  assert_true(accepts("**/*.mp4", "f1.mp4"));
  assert_false(accepts("**/*.mp4", "f1.MP4"));
  assert_false(accepts("**/*.mp4", "f1.mp4.part"));
  assert_true(accepts("*/0*Confidential/**", "anything at all"));
  assert_true(accepts("**", ".lethe-hold"));
}

/* ---- the promise, on random patterns and paths -------------------------- */

static uint32_t rng_state = 4242;

static uint32_t rng(uint32_t n)
{
  rng_state = rng_state * 1103515245u + 12345u;
  return (rng_state >> 16) % n;
}

static void random_pattern(char *out, size_t cap)
{
  static const char *const tokens[] = {
    "a", "b", "/", "*", "?", "[ab]", "[!a]", "\\a", "\\*", "\\/", ".",
  };
  size_t n = 0, count = 1 + rng(8);

  out[0] = '\0';
  for(size_t i = 0; i < count; i++) {
    const char *t = tokens[rng(sizeof(tokens) / sizeof(tokens[0]))];
    bool at_start = n == 0 || out[n - 1] == '/';
    if(at_start && rng(3) == 0)
      t = rng(2) ? "**/" : "**";
    if(n + strlen(t) + 1 > cap)
      break;
    if(!strcmp(t, "*") && n > 0 && out[n - 1] == '*')
      continue;
    memcpy(out + n, t, strlen(t) + 1);
    n += strlen(t);
    if(!strcmp(t, "**"))
      break;
  }
}

static void random_path(char *out, size_t cap)
{
  static const char alphabet[] = "ab/*.";
  size_t len = 1 + rng((uint32_t)(cap - 1 < 9 ? cap - 1 : 9));
  for(size_t i = 0; i < len; i++)
    out[i] = alphabet[rng(sizeof(alphabet) - 1)];
  out[len] = '\0';
}

static void test_never_skips_a_match(void **state)
{
  char pattern[64], path[16];
  int matched = 0;
  (void)state;
  for(int i = 0; i < 300000; i++) {
    const char *name;
    random_pattern(pattern, sizeof(pattern));
    random_path(path, sizeof(path));
    if(glob_check(pattern, NULL) || !glob_match(pattern, path, strlen(path)))
      continue;
    matched++;
    name = strrchr(path, '/');
    name = name ? name + 1 : path;
    if(!accepts(pattern, name))
      fail_msg("\"%s\" matches \"%s\" but its last name \"%s\" fails \"%s\"", pattern, path,
               name, glob_last_name(pattern));
  }
  assert_true(matched > 1000);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_examples),
    cmocka_unit_test(test_skips_what_cannot_match),
    cmocka_unit_test(test_never_skips_a_match),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests for glob.c: the patterns of rules and holds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "glob.h"

/* glob_match on a NUL-terminated path. */
static bool m(const char *pattern, const char *path)
{
  return glob_match(pattern, path, strlen(path));
}

static bool below(const char *pattern, const char *dir)
{
  return glob_could_match_below(pattern, dir, strlen(dir));
}

/* Assert that pattern passes glob_check. */
static void assert_valid(const char *pattern)
{
  struct lethe_err err = { LETHE_OK, "" };
  lethe_rc rc = glob_check(pattern, &err);

  if(rc != LETHE_OK)
    fail_msg("glob_check(\"%s\") failed: %s", pattern, err.msg);
}

/* Assert that glob_check refuses pattern with a message that quotes it,
 * contains what, and gives the position "character at" (none if at is 0). */
static void assert_invalid(const char *pattern, size_t at, const char *what)
{
  struct lethe_err err = { LETHE_OK, "" };
  lethe_rc rc = glob_check(pattern, &err);
  char want[256];

  if(rc != LETHE_E_PARSE)
    fail_msg("glob_check(\"%s\") returned %d, expected LETHE_E_PARSE", pattern, rc);
  assert_int_equal(err.rc, LETHE_E_PARSE);
  snprintf(want, sizeof(want), "\"%s\"", pattern);
  if(!strstr(err.msg, want))
    fail_msg("message for \"%s\" does not quote it: %s", pattern, err.msg);
  if(!strstr(err.msg, what))
    fail_msg("message for \"%s\" lacks \"%s\": %s", pattern, what, err.msg);
  snprintf(want, sizeof(want), "at character %zu", at);
  if(at > 0 && !strstr(err.msg, want))
    fail_msg("message for \"%s\" lacks \"%s\": %s", pattern, want, err.msg);
}

static void test_literal(void **state)
{
  (void)state;
  assert_true(m("a", "a"));
  assert_true(m("a/b/c.txt", "a/b/c.txt"));
  assert_false(m("a", "b"));
  assert_false(m("a", "ab"));
  assert_false(m("ab", "a"));
  assert_false(m("a/b", "a/b/c"));
  assert_false(m("a/b/c", "a/b"));
  assert_false(m("a", ""));
  assert_false(m("a/b", "A/b"));
  assert_true(m(".hidden", ".hidden"));
  assert_true(m("*", ".hidden"));
  assert_true(m("?hidden", ".hidden"));
}

static void test_star(void **state)
{
  (void)state;
  assert_true(m("*", "anything"));
  assert_true(m("*", ""));
  assert_true(m("*.txt", ".txt"));
  assert_true(m("*.txt", "notes.txt"));
  assert_false(m("*.txt", "notes.txt.bak"));
  assert_true(m("a*b*c", "abc"));
  assert_true(m("a*b*c", "a-b-b-c"));
  assert_false(m("a*b*c", "a-b-b-"));
  assert_true(m("*/*", "a/b"));
  assert_false(m("*/*", "a/b/c"));
  assert_false(m("*/*", "a"));
  assert_true(m("a*/b", "abc/b"));
  assert_false(m("a*/b", "ax/yb/b"));
  assert_true(m("*a/b", "aaa/b"));
}

static void test_star_never_crosses_slash(void **state)
{
  (void)state;
  assert_false(m("*", "a/b"));
  assert_false(m("a*", "a/b"));
  assert_false(m("*b", "a/b"));
  assert_false(m("a*c", "a/c"));
  assert_false(m("*.mp4", "x/a.mp4"));
  assert_false(m("backups/*.tar.gz", "backups/old/x.tar.gz"));
  assert_false(m("*/c", "a/b/c"));
}

static void test_question(void **state)
{
  (void)state;
  assert_true(m("?", "a"));
  assert_false(m("?", ""));
  assert_false(m("?", "ab"));
  assert_false(m("a?c", "a/c"));
  assert_true(m("a?c", "a c"));
  assert_true(m("?\?/?", "ab/c"));
  assert_true(m("?", "\xff"));
}

static void test_classes(void **state)
{
  (void)state;
  assert_true(m("[abc]", "b"));
  assert_false(m("[abc]", "d"));
  assert_true(m("[a-z]x", "qx"));
  assert_false(m("[a-z]x", "Qx"));
  assert_true(m("[!a-z]", "Q"));
  assert_false(m("[!a-z]", "q"));
  assert_true(m("[^a-z]", "Q"));
  assert_false(m("[^a-z]", "q"));
  assert_true(m("[a-cx-z]", "y"));
  assert_false(m("[a-cx-z]", "d"));
  /* A ']' first is a member; a '-' first or last is a member. */
  assert_true(m("[]a]", "]"));
  assert_true(m("[]a]", "a"));
  assert_false(m("[]a]", "b"));
  assert_true(m("[!]a]", "b"));
  assert_false(m("[!]a]", "]"));
  assert_true(m("[^]a]", "b"));
  assert_false(m("[^]a]", "]"));
  assert_true(m("[-a]", "-"));
  assert_true(m("[a-]", "-"));
  assert_false(m("[a-]", "b"));
  /* Escapes inside a class. */
  assert_true(m("[\\]]", "]"));
  assert_true(m("[a\\-z]", "-"));
  assert_false(m("[a\\-z]", "q"));
  assert_true(m("[\\!a]", "!"));
  /* Special characters are plain inside a class. */
  assert_true(m("[*?]", "*"));
  assert_true(m("[*?]", "?"));
  assert_false(m("[*?]", "a"));
  assert_true(m("[[]", "["));
  /* A class never matches '/', even negated or by a range around it. */
  assert_false(m("a[!b]c", "a/c"));
  assert_false(m("a[^b]c", "a/c"));
  assert_false(m("a[!-0]c", "a/c"));
  assert_false(m("a[.-0]c", "a/c"));
  assert_true(m("a[.-0]c", "a.c"));
  /* Bytes above 0x7f compare unsigned. */
  assert_true(m("[\x80-\xff]", "\xe9"));
  assert_false(m("[\x80-\xff]", "e"));
  assert_true(m("[!\x80-\xff]", "e"));
}

static void test_escapes(void **state)
{
  (void)state;
  assert_true(m("\\*", "*"));
  assert_false(m("\\*", "a"));
  assert_true(m("\\?", "?"));
  assert_false(m("\\?", "a"));
  assert_true(m("\\[a]", "[a]"));
  assert_false(m("\\[a]", "a"));
  assert_true(m("a\\\\b", "a\\b"));
  assert_true(m("\\a", "a"));
  assert_true(m("report \\*final\\*.pdf", "report *final*.pdf"));
  assert_false(m("report \\*final\\*.pdf", "report final.pdf"));
  /* An escaped '/' is a separator like any other '/'. */
  assert_true(m("a\\/b", "a/b"));
  assert_true(m("a\\/**", "a/b/c"));
  assert_true(m("**\\/x", "a/x"));
  /* "\**" is a literal '*' then a '*'. */
  assert_true(m("\\**", "*abc"));
  assert_false(m("\\**", "abc"));
}

static void test_double_star(void **state)
{
  (void)state;
  /* Leading "** /": zero or more directories. */
  assert_true(m("**/*.mp4", "a.mp4"));
  assert_true(m("**/*.mp4", "x/a.mp4"));
  assert_true(m("**/*.mp4", "x/y/z/a.mp4"));
  assert_false(m("**/*.mp4", "x/y/a.mp4.part"));
  assert_false(m("**/*.mp4", "x/y/a.mp3"));
  /* Middle "/ ** /". */
  assert_true(m("a/**/b", "a/b"));
  assert_true(m("a/**/b", "a/x/b"));
  assert_true(m("a/**/b", "a/x/y/b"));
  assert_false(m("a/**/b", "a/x/y/c"));
  assert_false(m("a/**/b", "ab"));
  assert_false(m("a/**/b", "x/a/b"));
  assert_false(m("a/**/b", "a/xb"));
  /* Trailing "/ **": everything below, not the directory itself. */
  assert_true(m("a/**", "a/b"));
  assert_true(m("a/**", "a/b/c"));
  assert_false(m("a/**", "a"));
  assert_true(m("a/**", "a/"));
  assert_false(m("a/**", "ab"));
  assert_false(m("a/**", "b/a/c"));
  /* Lone "**": everything. */
  assert_true(m("**", "a"));
  assert_true(m("**", "a/b/c"));
  assert_true(m("**", ".x/y"));
  /* Several. */
  assert_true(m("**/a/**/b/**", "a/b/c"));
  assert_true(m("**/a/**/b/**", "x/a/y/z/b/c/d"));
  assert_false(m("**/a/**/b/**", "x/a/y/z/b"));
  assert_false(m("**/a/**/b/**", "b/a/c"));
  assert_true(m("**/**/x", "x"));
  assert_true(m("**/**/x", "a/b/x"));
  /* A name matched by '*' after "**" retries at each depth. */
  assert_true(m("**/a*b/c", "a/ab/x/aXb/c"));
  assert_false(m("**/a*b/c", "a/ab/x/aXb/d"));
}

static void test_rule_examples(void **state)
{
  (void)state;
  assert_true(m("*/0*Confidential/**", "Acme Ltd/0 Confidential/list.xlsx"));
  assert_true(m("*/0*Confidential/**", "Acme Ltd/0 Confidential/sub/list.xlsx"));
  assert_true(m("*/0*Confidential/**", "Acme Ltd/0Confidential/x"));
  assert_false(m("*/0*Confidential/**", "Acme Ltd/0 Confidential"));
  assert_false(m("*/0*Confidential/**", "Acme Ltd/Invoices/list.xlsx"));
  assert_false(m("*/0*Confidential/**", "Acme Ltd/sub/0 Confidential/list.xlsx"));
  assert_false(m("*/0*Confidential/**", "0 Confidential/list.xlsx"));

  assert_true(m("**/*.mp4", "Teams/2025-01-02 standup.mp4"));
  assert_true(m("**/*.mp4", "standup.mp4"));

  assert_true(m("**/0*Confidential/**", "0 Confidential/rec.mp4"));
  assert_true(m("**/0*Confidential/**", "Acme/0 Confidential/rec.mp4"));
  assert_true(m("**/0*Confidential/**", "Acme/x/0 - Confidential/y/rec.mp4"));
  assert_false(m("**/0*Confidential/**", "Acme/Confidential/rec.mp4"));
  assert_false(m("**/0*Confidential/**", "Acme/0 Confidential"));

  assert_true(m("backups/*.tar.gz", "backups/2019-03-01.tar.gz"));
  assert_false(m("backups/*.tar.gz", "backups/2019-03-01.tar"));
  assert_false(m("backups/*.tar.gz", "old/backups/2019-03-01.tar.gz"));
}

static void test_odd_names(void **state)
{
  (void)state;
  /* Spaces and commas are ordinary characters. */
  assert_true(m("4, Dormant Clients/*", "4, Dormant Clients/mail 1.eml"));
  assert_false(m("4, Dormant Clients/*", "4,Dormant Clients/mail 1.eml"));
  assert_true(m("* *", "a b"));
  assert_false(m("* *", "ab"));
  assert_true(m(" lead/trail ", " lead/trail "));
  assert_false(m(" lead", "lead"));
  /* Bytes that are not UTF-8. */
  assert_true(m("caf\xe9/*", "caf\xe9/menu.pdf"));
  assert_false(m("caf\xe9/*", "caf\xc3\xa9/menu.pdf"));
  assert_true(m("*\xff*", "a\xff\xfe"));
  assert_true(m("???", "\xc3\xa9x"));
  /* Newlines and other controls. */
  assert_true(m("*", "two\nlines"));
  assert_true(m("a?b", "a\nb"));
  assert_true(m("**/x\ny", "d/x\ny"));
  assert_false(m("*", "two\nlines/x"));
  assert_true(m("a\tb", "a\tb"));
}

static void test_uris(void **state)
{
  (void)state;
  const char *hold = "file:///srv/shares/Clients/Acme/**";

  assert_true(m(hold, "file:///srv/shares/Clients/Acme/a.doc"));
  assert_true(m(hold, "file:///srv/shares/Clients/Acme/x/y z.doc"));
  assert_false(m(hold, "file:///srv/shares/Clients/Acme"));
  assert_false(m(hold, "file:///srv/shares/Clients/AcmeCorp/a.doc"));
  assert_false(m(hold, "file://srv/shares/Clients/Acme/a.doc"));
  assert_false(m(hold, "file:////srv/shares/Clients/Acme/a.doc"));
  assert_true(m("file:///srv/*/Clients/**", "file:///srv/shares/Clients/a"));
  assert_true(m("*:///srv", "file:///srv"));
  assert_false(m("*:/*/srv", "file:///srv"));
  assert_true(m("*:/*/*/srv", "file:///srv"));
  assert_true(m("imaps://user@host/*", "imaps://user@host/INBOX"));
  /* Empty names are names: "** /" steps over them one at a time. */
  assert_true(m("**/srv", "file:///srv"));
  assert_true(m("**/srv/**", "file:///srv/x"));
  assert_true(m("file:/**/srv", "file:///srv"));
  assert_true(m("file:/*/*/srv", "file:///srv"));
}

static void test_length_is_respected(void **state)
{
  (void)state;
  const char *buf = "a/b.txtGARBAGE";

  assert_true(glob_match("a/*.txt", buf, 7));
  assert_false(glob_match("a/*.txt", buf, 6));
  assert_false(glob_match("a/*", buf, 1));
  assert_true(glob_match("a", buf, 1));
  assert_true(glob_match("**", buf, 0));
  assert_true(glob_match("*", buf, 0));
  assert_false(glob_match("?", buf, 0));
}

/* Patterns that make a naive recursive matcher take exponential time; the
 * run would time out if glob_match did. */
static void test_pathological(void **state)
{
  (void)state;
  static char as[100001];
  static char dirs[20000];
  size_t i;

  memset(as, 'a', sizeof(as) - 1);
  as[sizeof(as) - 1] = '\0';
  assert_false(m("*a*a*a*a*a*a*a*b", as));
  assert_true(m("*a*a*a*a*a*a*a*", as));
  assert_false(m("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", as));
  /* "a/a/.../a": 10000 names. */
  for(i = 0; i + 1 < sizeof(dirs); i++)
    dirs[i] = (i % 2) ? '/' : 'a';
  dirs[sizeof(dirs) - 1] = '\0';
  assert_false(m("**/a/**/a/**/a/**/a/**/a/**/b", dirs));
  assert_true(m("**/a/**/a/**/a/**/a/**/a", dirs));
  assert_false(m("**/*a*a*a/**/*a*a*/b", dirs));
}

static void test_check_valid(void **state)
{
  (void)state;
  assert_valid("a");
  assert_valid("*/0*Confidential/**");
  assert_valid("**/*.mp4");
  assert_valid("**/0*Confidential/**");
  assert_valid("backups/*.tar.gz");
  assert_valid("file:///srv/shares/Clients/Acme/**");
  assert_valid("**");
  assert_valid("a/**/b");
  assert_valid("*/");
  assert_valid("4, Dormant Clients/*");
  assert_valid("[]a]");
  assert_valid("[!]]");
  assert_valid("[^]]");
  assert_valid("[^a-z]");
  assert_valid("[a-]");
  assert_valid("[[]");
  assert_valid("[\\]]");
  assert_valid("\\[");
  assert_valid("\\**");
  assert_valid("a\\/**");
  assert_valid("**\\/a");
  assert_valid("a\\\\");
  assert_valid("caf\xe9");
  assert_valid("x\ny");
  assert_valid("*a*");
}

static void test_check_errors(void **state)
{
  (void)state;
  assert_invalid("", 0, "empty");

  assert_invalid("[abc", 1, "\"[\" without a closing \"]\"");
  assert_invalid("x/[a", 3, "\"[\" without a closing \"]\"");
  assert_invalid("[]", 1, "\"[\" without a closing \"]\"");
  assert_invalid("[!]", 1, "\"[\" without a closing \"]\"");
  assert_invalid("[!", 1, "\"[\" without a closing \"]\"");
  assert_invalid("[a/b]", 1, "\"[\" without a closing \"]\" in the same name");
  assert_invalid("[a\\/b]", 1, "\"[\" without a closing \"]\"");
  assert_invalid("ab[\\", 3, "\"[\" without a closing \"]\"");

  assert_invalid("abc\\", 4, "trailing \"\\\"");
  assert_invalid("\\", 1, "trailing \"\\\"");

  assert_invalid("a**", 2, "\"**\" must be a whole path component");
  assert_invalid("**b", 1, "\"**\" must be a whole path component");
  assert_invalid("a/**b", 3, "\"**\" must be a whole path component");
  assert_invalid("a/b**/c", 4, "\"**\" must be a whole path component");
  assert_invalid("***", 1, "\"**\" must be a whole path component");
  assert_invalid("a/***/b", 3, "\"**\" must be a whole path component");
  assert_invalid("\\***", 3, "\"**\" must be a whole path component");
  assert_invalid("x\\\\**", 4, "\"**\" must be a whole path component");
  assert_invalid("**.mp4", 1, "\"**\" must be a whole path component");

  assert_invalid("[z-a]", 2, "reversed range");
  assert_invalid("x[ab9-0]", 5, "reversed range");
  assert_invalid("[[:digit:]]", 2, "POSIX classes");
}

static void test_check_long_pattern(void **state)
{
  (void)state;
  static char pattern[3000];
  struct lethe_err err = { LETHE_OK, "" };

  memset(pattern, 'x', sizeof(pattern) - 1);
  pattern[sizeof(pattern) - 4] = 'a';
  pattern[sizeof(pattern) - 3] = '*';
  pattern[sizeof(pattern) - 2] = '*';
  pattern[sizeof(pattern) - 1] = '\0';
  assert_int_equal(glob_check(pattern, &err), LETHE_E_PARSE);
  assert_non_null(strstr(err.msg, "character 2998"));
  assert_int_equal(glob_check("[", NULL), LETHE_E_PARSE);
}

static void test_could_match_below(void **state)
{
  (void)state;
  const char *conf = "*/0*Confidential/**";

  assert_true(below(conf, ""));
  assert_true(below(conf, "Other"));
  assert_true(below(conf, "Acme Ltd"));
  assert_true(below(conf, "Acme Ltd/0 Confidential"));
  assert_true(below(conf, "Acme Ltd/0 Confidential/deep/er"));
  assert_false(below(conf, "Other/sub"));
  assert_false(below(conf, "Other/sub/0 Confidential"));

  assert_true(below("backups/*.tar.gz", ""));
  assert_true(below("backups/*.tar.gz", "backups"));
  assert_false(below("backups/*.tar.gz", "docs"));
  assert_false(below("backups/*.tar.gz", "backups/old"));
  assert_false(below("backups/*.tar.gz", "backupsx"));

  assert_true(below("**/*.mp4", ""));
  assert_true(below("**/*.mp4", "a"));
  assert_true(below("**/*.mp4", "a/b/c"));
  assert_true(below("**", "a/b"));
  assert_true(below("a/**/b", "a/x/y"));
  assert_false(below("a/**/b", "b/x"));

  /* A pattern that ends at or above dir reaches nothing below it. */
  assert_false(below("a", "a"));
  assert_false(below("a/b", "a/b"));
  assert_false(below("a/b", "a/b/c"));
  assert_true(below("a/b", "a"));
  assert_true(below("a/**", "a"));

  assert_true(below("[a-c]*/x", "beta"));
  assert_false(below("[a-c]*/x", "delta"));
  assert_true(below("a\\/b/c", "a/b"));
  assert_true(below("\\*/x", "*"));
  assert_false(below("\\*/x", "y"));

  /* Empty names in URIs. */
  assert_true(below("file:///srv/**", "file:"));
  assert_true(below("file:///srv/**", "file:/"));
  assert_true(below("file:///srv/**", "file://"));
  assert_true(below("file:///srv/**", "file:///srv"));
  assert_false(below("file:///srv/**", "file:///usr"));
  assert_false(below("file:///srv/**", "http:"));

  /* Only len bytes of dir count. */
  assert_true(glob_could_match_below("backups/*.tar.gz", "backupsX", 7));
}

/* ---- Cross-checks against simple reference matchers on random input ---- */

static uint32_t rng_state = 12345;

static uint32_t rng(uint32_t n)
{
  rng_state = rng_state * 1103515245u + 12345u;
  return (rng_state >> 16) % n;
}

/* Random pattern over a small alphabet; with_dstar adds "**" components. */
static void random_pattern(char *out, size_t cap, bool with_dstar)
{
  static const char *const tokens[] = {
    "a", "b", "a", "b", "/", "*", "?", "[ab]", "[!a]", "[a-b]", "\\a", "\\*", ".",
  };
  size_t n = 0;
  size_t count = 1 + rng(7);
  size_t i;

  out[0] = '\0';
  for(i = 0; i < count; i++) {
    const char *t = tokens[rng(sizeof(tokens) / sizeof(tokens[0]))];
    bool at_start = n == 0 || out[n - 1] == '/';

    if(with_dstar && at_start && rng(3) == 0)
      t = rng(2) ? "**/" : "**";
    if(n + strlen(t) + 1 > cap)
      break;
    if(strcmp(t, "*") == 0 && n > 0 && out[n - 1] == '*')
      continue; /* would make an invalid "**" inside a name */
    memcpy(out + n, t, strlen(t) + 1);
    n += strlen(t);
    if(t[0] == '*' && t[1] == '*' && t[2] == '\0')
      break; /* "**" must end its component */
  }
}

static void random_path(char *out, size_t cap)
{
  static const char alphabet[] = "ab/*.";
  size_t len = rng((uint32_t)(cap < 9 ? cap : 9));
  size_t i;

  for(i = 0; i < len; i++)
    out[i] = alphabet[rng(sizeof(alphabet) - 1)];
  out[len] = '\0';
}

/* Without "**" the semantics are fnmatch's with FNM_PATHNAME. */
static void test_agrees_with_fnmatch(void **state)
{
  (void)state;
  char pattern[64], path[16];
  int i;

  for(i = 0; i < 200000; i++) {
    bool want;

    random_pattern(pattern, sizeof(pattern), false);
    random_path(path, sizeof(path));
    assert_valid(pattern);
    want = fnmatch(pattern, path, FNM_PATHNAME) == 0;
    if(m(pattern, path) != want)
      fail_msg("glob_match(\"%s\", \"%s\") != %d", pattern, path, want);
  }
}

/* A plainly correct, exponential matcher for the full syntax, on patterns
 * made by random_pattern (whose classes are all well formed). */
static bool ref_match(const char *p, const char *s);

static bool ref_token(const char **p, char c)
{
  const char *q = *p;
  bool ok;

  if(*q == '?') {
    ok = c != '/';
    q++;
  } else if(*q == '\\') {
    ok = c == q[1];
    q += 2;
  } else if(*q == '[') {
    bool neg = q[1] == '!';
    const char *b = q + (neg ? 2 : 1);
    bool in = false;
    for(; *b != ']'; b++) {
      if(b[1] == '-' && b[2] != ']') {
        in = in || (c >= b[0] && c <= b[2]);
        b += 2;
      } else {
        in = in || c == b[0];
      }
    }
    ok = c != '/' && in != neg;
    q = b + 1;
  } else {
    ok = c == *q;
    q++;
  }
  *p = q;
  return ok;
}

static bool ref_match(const char *p, const char *s)
{
  const char *q = p;

  if(*p == '\0')
    return *s == '\0';
  if(strcmp(p, "**") == 0)
    return true;
  if(strncmp(p, "**/", 3) == 0) {
    /* Zero directories, or one more directory then the same again. */
    const char *slash = strchr(s, '/');
    if(ref_match(p + 3, s))
      return true;
    return slash && ref_match(p, slash + 1);
  }
  if(*p == '*') {
    if(ref_match(p + 1, s))
      return true;
    return *s != '\0' && *s != '/' && ref_match(p, s + 1);
  }
  if(*s == '\0' || !ref_token(&q, *s))
    return false;
  return ref_match(q, s + 1);
}

static void test_agrees_with_reference(void **state)
{
  (void)state;
  char pattern[64], path[16];
  int i;

  for(i = 0; i < 200000; i++) {
    bool want;

    random_pattern(pattern, sizeof(pattern), true);
    random_path(path, sizeof(path));
    assert_valid(pattern);
    want = ref_match(pattern, path);
    if(m(pattern, path) != want)
      fail_msg("glob_match(\"%s\", \"%s\") != %d", pattern, path, want);
  }
}

/* glob_could_match_below must never be false when some path below dir
 * matches: try every short path below dir over the alphabet. */
static bool some_match_below(const char *pattern, const char *dir)
{
  static const char *const names[] = { "a", "b", "ab", "*", ".", "" };
  size_t nn = sizeof(names) / sizeof(names[0]);
  char path[64];
  size_t i, j;

  for(i = 0; i < nn; i++) {
    snprintf(path, sizeof(path), "%s%s%s", dir, *dir ? "/" : "", names[i]);
    if(m(pattern, path))
      return true;
    for(j = 0; j < nn; j++) {
      snprintf(path, sizeof(path), "%s%s%s/%s", dir, *dir ? "/" : "",
               names[i], names[j]);
      if(m(pattern, path))
        return true;
    }
  }
  return false;
}

static void test_could_match_below_is_conservative(void **state)
{
  (void)state;
  char pattern[64], dir[16];
  int i;
  int pruned = 0;

  for(i = 0; i < 100000; i++) {
    size_t len;

    random_pattern(pattern, sizeof(pattern), true);
    random_path(dir, sizeof(dir));
    len = strlen(dir);
    if(len > 0 && dir[len - 1] == '/')
      dir[len - 1] = '\0';
    if(!below(pattern, dir)) {
      pruned++;
      if(some_match_below(pattern, dir))
        fail_msg("pruned \"%s\" for \"%s\" but a path below matches", dir, pattern);
    }
  }
  /* The check must also prune, or it would be trivially conservative. */
  assert_true(pruned > 10000);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_literal),
    cmocka_unit_test(test_star),
    cmocka_unit_test(test_star_never_crosses_slash),
    cmocka_unit_test(test_question),
    cmocka_unit_test(test_classes),
    cmocka_unit_test(test_escapes),
    cmocka_unit_test(test_double_star),
    cmocka_unit_test(test_rule_examples),
    cmocka_unit_test(test_odd_names),
    cmocka_unit_test(test_uris),
    cmocka_unit_test(test_length_is_respected),
    cmocka_unit_test(test_pathological),
    cmocka_unit_test(test_check_valid),
    cmocka_unit_test(test_check_errors),
    cmocka_unit_test(test_check_long_pattern),
    cmocka_unit_test(test_could_match_below),
    cmocka_unit_test(test_agrees_with_fnmatch),
    cmocka_unit_test(test_agrees_with_reference),
    cmocka_unit_test(test_could_match_below_is_conservative),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}

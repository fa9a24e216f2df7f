/* Tests for canon_scan.c: the streaming JSON reader. Strict, it accepts
 * exactly the canonical form canon.c writes; lenient, any JSON; in both,
 * the same events however the bytes are split. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon_scan.h"

/* Every event as "TYPE@DEPTH.INDEX=TEXT;". */
static lethe_rc log_event(void *ctx, const struct canon_event *ev)
{
  static const char *const names[] = { "{", "}", "[", "]", "K", "S", "N", "T", "F", "0" };
  return db_addf(ctx, "%s@%u.%zu=%.*s;", names[ev->type], ev->depth, ev->index, (int)ev->len,
                 ev->text ? ev->text : "");
}

/* Scan text (len bytes) in pieces of chunk bytes; the events into log. */
static lethe_rc scan(const char *text, size_t len, bool strict, size_t chunk,
                     struct dynbuf *log, char *why, size_t why_size)
{
  struct canon_scan s;
  lethe_rc rc = LETHE_OK;
  canon_scan_init(&s, strict, log_event, log);
  for(size_t i = 0; i < len && !rc; i += chunk)
    rc = canon_scan_feed(&s, text + i, len - i < chunk ? len - i : chunk);
  if(!rc)
    rc = canon_scan_finish(&s);
  if(why)
    snprintf(why, why_size, "%s", canon_scan_why(&s));
  canon_scan_release(&s);
  return rc;
}

static lethe_rc strict(const char *text)
{
  struct dynbuf log;
  lethe_rc rc;
  db_init(&log, 1 << 20);
  rc = scan(text, strlen(text), true, 1, &log, NULL, 0);
  db_release(&log);
  return rc;
}

static void accept_strict(const char *text)
{
  char why[256];
  struct dynbuf log;
  db_init(&log, 1 << 20);
  if(scan(text, strlen(text), true, 3, &log, why, sizeof(why)))
    fail_msg("refused canonical %s: %s", text, why);
  db_release(&log);
}

static void test_canonical_accepted(void **state)
{
  (void)state;
  accept_strict("{}\n");
  accept_strict("[]\n");
  accept_strict("{\"\":0,\"a\":[true,false,null,\"x\"],\"ab\":{\"b\":-3,\"c\":1.5}}\n");
  accept_strict("\"\\b\\f\\n\\r\\t\\\"\\\\ \\u0001\\u001f \x7f caf\xc3\xa9 \xf0\x9f\x98\x80\"\n");
  accept_strict("18446744073709551615\n");
  accept_strict("-9223372036854775808\n");
  accept_strict("2.5e+20\n");
  accept_strict("[0,-1,0.10000000000000001]\n");
}

static void test_not_canonical_refused(void **state)
{
  static const char *const refused[] = {
    "{ }\n",                          /* white space */
    "{}",                             /* no LF */
    "{}\n\n",                         /* two */
    "{}\r\n",
    "{\"b\":1,\"a\":2}\n",            /* out of order */
    "{\"a\":1,\"a\":2}\n",            /* twice */
    "{\"ab\":1,\"a\":2}\n",
    "\"\\/\"\n",                      /* '/' escaped */
    "\"\\u00e9\"\n",                  /* written as itself */
    "\"\\u001F\"\n",                  /* upper-case hex */
    "\"\\u0008\"\n",                  /* has a short escape */
    "\"\xff\"\n",                     /* not UTF-8 */
    "\"\xc0\xaf\"\n",                 /* overlong */
    "\"\xed\xa0\x80\"\n",             /* a surrogate */
    "\"a\tb\"\n",                     /* a raw control */
    "01\n",
    "-0\n",
    "1.0\n",
    "1e5\n",
    "18446744073709551616\n",         /* past uint64 */
    "nul\n",
    "[1,]\n",
    "{\"a\"}\n",
    "[1 2]\n",
    "\"open\n",
    "",
  };
  (void)state;
  for(size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
    if(strict(refused[i]) != LETHE_E_PARSE)
      fail_msg("accepted as canonical: %s", refused[i]);
}

/* As deep as canonical_json goes, and no deeper. */
static void test_depth(void **state)
{
  char text[200];
  (void)state;
  memset(text, '[', 65);
  memset(text + 65, ']', 65);
  strcpy(text + 130, "\n");
  assert_int_equal(strict(text), LETHE_OK);
  memset(text, '[', 66);
  memset(text + 66, ']', 66);
  strcpy(text + 132, "\n");
  assert_int_equal(strict(text), LETHE_E_PARSE);
}

static void test_lenient(void **state)
{
  static const char text[] =
    " {\r\n \"b\" : [ 1 , 2.50 , \"\\u00e9\\ud83d\\ude00\\/\" ] ,\t\"a\" : \"\\ud800x\" } \n ";
  struct dynbuf log;
  (void)state;
  db_init(&log, 1 << 20);
  assert_int_equal(scan(text, strlen(text), false, 5, &log, NULL, 0), LETHE_OK);
  assert_string_equal(db_str(&log), "{@0.0=;K@1.0=b;[@1.0=;N@2.0=1;N@2.1=2.50;"
                      "S@2.2=\xc3\xa9\xf0\x9f\x98\x80/;]@1.0=;K@1.1=a;S@1.1=\xef\xbf\xbdx;}@0.0=;");
  assert_int_equal(strict(text), LETHE_E_PARSE);
  db_release(&log);
}

/* The same events, whatever the pieces. */
static void test_any_split(void **state)
{
  static const char text[] =
    "{\"items\":[[0,\"file:///a%20b\",\"deleted\",12,null],{\"clock\":{\"name\":\"mtime\"}}],"
    "\"n\":-17,\"t\":true}\n";
  struct dynbuf whole, piece;
  (void)state;
  db_init(&whole, 1 << 20);
  assert_int_equal(scan(text, strlen(text), true, strlen(text), &whole, NULL, 0), LETHE_OK);
  for(size_t chunk = 1; chunk < 12; chunk++) {
    db_init(&piece, 1 << 20);
    assert_int_equal(scan(text, strlen(text), true, chunk, &piece, NULL, 0), LETHE_OK);
    assert_string_equal(db_str(&whole), db_str(&piece));
    db_release(&piece);
  }
  db_release(&whole);
}

/* What a captured value hands over: its bytes as written. */
struct capture {
  struct canon_scan *s;
  struct dynbuf got;
};

static lethe_rc on_capture(void *ctx, const struct canon_event *ev)
{
  struct capture *c = ctx;
  if(ev->type == CANON_OBJECT && ev->depth == 2)
    canon_scan_capture(c->s);
  if(ev->type == CANON_OBJECT_END && ev->raw)
    return db_add(&c->got, ev->raw, ev->raw_len) || db_add(&c->got, "|", 1) ? LETHE_E_NOMEM
                                                                              : LETHE_OK;
  return LETHE_OK;
}

static void test_capture(void **state)
{
  static const char text[] = "{\"a\":[{\"x\":[1,{\"y\":null}]},{}]}\n";
  struct canon_scan s;
  struct capture c = { .s = &s };
  (void)state;
  db_init(&c.got, 1 << 20);
  canon_scan_init(&s, true, on_capture, &c);
  for(size_t i = 0; i < strlen(text); i++)
    assert_int_equal(canon_scan_feed(&s, text + i, 1), LETHE_OK);
  assert_int_equal(canon_scan_finish(&s), LETHE_OK);
  assert_string_equal(db_str(&c.got), "{\"x\":[1,{\"y\":null}]}|{}|");
  canon_scan_release(&s);
  db_release(&c.got);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_canonical_accepted),
    cmocka_unit_test(test_not_canonical_refused),
    cmocka_unit_test(test_depth),
    cmocka_unit_test(test_lenient),
    cmocka_unit_test(test_any_split),
    cmocka_unit_test(test_capture),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

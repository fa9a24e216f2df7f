/* Tests for the IMAP reply parser (imap_parse.c), the bounded reader
 * (imap_conn.c without a server), modified UTF-7 (imap_utf7.c), message
 * dates (imap_date.c), IMAP URLs (imap_url.c) and credentials files
 * (credentials.c). Malformed, truncated and oversized replies must give a
 * clear error and never read outside the buffer: run under ASan. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credentials.h"
#include "imap_conn.h"
#include "imap_date.h"
#include "imap_parse.h"
#include "imap_url.h"
#include "isotime.h"

/* ---- helpers --------------------------------------------------------------- */

/* Parse text (copied: the parser writes into its buffer) into r; the copy
 * lives in buf, which the caller frees. */
static lethe_rc parse(const char *text, size_t len, char **buf, struct imap_resp *r,
                      struct lethe_err *err)
{
  *buf = malloc(len ? len : 1);
  assert_non_null(*buf);
  memcpy(*buf, text, len);
  return imap_resp_parse(*buf, len, r, err);
}

static void expect_malformed(const char *text, const char *what)
{
  struct imap_resp r;
  struct lethe_err err = { 0 };
  char *buf;
  lethe_rc rc = parse(text, strlen(text), &buf, &r, &err);
  if(rc != LETHE_E_PARSE)
    fail_msg("\"%s\": expected LETHE_E_PARSE, got %d", text, rc);
  if(!strstr(err.msg, what))
    fail_msg("\"%s\": message lacks \"%s\": %s", text, what, err.msg);
  free(buf);
}

static int64_t utc(const char *iso)
{
  int64_t t;
  struct lethe_err err;
  if(isotime_parse(iso, &t, &err))
    fail_msg("bad test time %s", iso);
  return t;
}

/* ---- responses ---------------------------------------------------------------- */

static void test_resp_kinds(void **state)
{
  struct imap_resp r;
  struct lethe_err err = { 0 };
  uint32_t v;
  char *buf;
  (void)state;

  assert_int_equal(parse("* OK [UIDVALIDITY 3857529045] UIDs valid", 40, &buf, &r, &err), 0);
  assert_int_equal(r.kind, IMAP_UNTAGGED);
  assert_int_equal(r.status, IMAP_ST_OK);
  assert_true(imap_code_number(&r, "UIDVALIDITY", &v));
  assert_int_equal(v, 3857529045u);
  assert_false(imap_code_number(&r, "UIDNEXT", &v));
  assert_int_equal(r.text_len, 10);
  free(buf);

  assert_int_equal(parse("L12 NO [TRYCREATE] no such folder", 33, &buf, &r, &err), 0);
  assert_int_equal(r.kind, IMAP_TAGGED);
  assert_int_equal(r.status, IMAP_ST_NO);
  assert_int_equal(r.tag_len, 3);
  assert_memory_equal(r.code, "TRYCREATE", 9);
  free(buf);

  assert_int_equal(parse("* 23 EXISTS", 11, &buf, &r, &err), 0);
  assert_true(r.has_number);
  assert_int_equal(r.number, 23);
  assert_true(imap_resp_is(&r, "exists"));
  free(buf);

  assert_int_equal(parse("+", 1, &buf, &r, &err), 0);
  assert_int_equal(r.kind, IMAP_CONTINUE);
  free(buf);

  assert_int_equal(parse("* CAPABILITY IMAP4rev1 UIDPLUS MOVE", 35, &buf, &r, &err), 0);
  assert_true(imap_resp_is(&r, "CAPABILITY"));
  assert_true(imap_caps_has(r.rest.p, (size_t)(r.rest.end - r.rest.p), "uidplus"));
  assert_true(imap_caps_has(r.rest.p, (size_t)(r.rest.end - r.rest.p), "MOVE"));
  assert_false(imap_caps_has(r.rest.p, (size_t)(r.rest.end - r.rest.p), "UID"));
  free(buf);

  assert_int_equal(parse("A1 OK", 5, &buf, &r, &err), 0); /* no text: tolerated */
  assert_int_equal(r.status, IMAP_ST_OK);
  free(buf);
}

static void test_resp_malformed(void **state)
{
  (void)state;
  expect_malformed("", "empty");
  expect_malformed("*", "no space after '*'");
  expect_malformed("*X", "no space after '*'");
  expect_malformed("* 99999999999 EXISTS", "above 4294967295");
  expect_malformed("* 3", "no space after the message number");
  expect_malformed("* 3 OK fine", "status response with a message number");
  expect_malformed("A1", "neither tagged");
  expect_malformed("A1 FOO bar", "not OK, NO or BAD");
  expect_malformed("A1 BYE bar", "not OK, NO or BAD");
  expect_malformed("A1 OK [UIDNEXT 4 text", "unterminated response code");
  expect_malformed("A1 OKAY", "not OK, NO or BAD");
  expect_malformed("* ", "no response name");
  expect_malformed("(", "neither tagged");
}

/* ---- tokens and FETCH ------------------------------------------------------------ */

static const char fetch_ok[] =
  "* 12 FETCH (UID 4827313 INTERNALDATE \" 7-Jul-1996 02:44:25 -0700\" RFC822.SIZE 44827 "
  "FLAGS (\\Seen $LetheHold \\Deleted) BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" "
  "\"us-ascii\") NIL NIL \"7bit\" 3 1 NIL NIL NIL)(\"text\" \"html\" NIL NIL NIL \"7bit\" 3 1"
  " NIL NIL NIL) \"alternative\") ENVELOPE (NIL \"a \\\"quoted\\\" \\\\ subject\" NIL NIL NIL"
  " NIL NIL NIL NIL NIL) BODY[HEADER.FIELDS (DATE MESSAGE-ID)] {62}\r\n"
  "Date: Tue, 1 Jul 2003 10:52:37 +0200\r\nMessage-ID: <a@b.c>\r\n\r\n"
  " MODSEQ (12345))";

static void test_fetch(void **state)
{
  struct imap_resp r;
  struct imap_fetch f;
  struct lethe_err err = { 0 };
  char *buf;
  (void)state;
  assert_int_equal(parse(fetch_ok, sizeof(fetch_ok) - 1, &buf, &r, &err), 0);
  assert_true(imap_resp_is(&r, "FETCH"));
  assert_int_equal(r.number, 12);
  if(imap_fetch_parse(&r, &f, &err))
    fail_msg("%s", err.msg);
  assert_true(f.has_uid);
  assert_int_equal(f.uid, 4827313);
  assert_true(f.has_size);
  assert_int_equal(f.size, 44827);
  assert_true(f.has_internaldate);
  assert_int_equal(f.internaldate_len, 26);
  assert_true(f.has_flags);
  assert_true(imap_flags_has(&f.flags, "$lethehold"));
  assert_true(imap_flags_has(&f.flags, "\\Deleted"));
  assert_false(imap_flags_has(&f.flags, "\\Flagged"));
  assert_true(f.has_header);
  assert_int_equal(f.header_len, 62);
  assert_memory_equal(f.header, "Date: ", 6);
  free(buf);
}

static void test_fetch_nil_and_body(void **state)
{
  static const char text[] = "* 1 FETCH (UID 7 BODY[] {5}\r\na\0b\r\n BODY[HEADER.FIELDS "
                             "(DATE)] NIL)";
  struct imap_resp r;
  struct imap_fetch f;
  struct lethe_err err = { 0 };
  char *buf;
  (void)state;
  assert_int_equal(parse(text, sizeof(text) - 1, &buf, &r, &err), 0);
  if(imap_fetch_parse(&r, &f, &err))
    fail_msg("%s", err.msg);
  assert_true(f.has_body);
  assert_int_equal(f.body_len, 5);
  assert_memory_equal(f.body, "a\0b\r\n", 5);
  assert_true(f.has_header);
  assert_null(f.header);
  free(buf);
}

static void expect_fetch_error(const char *text, size_t len, const char *what)
{
  struct imap_resp r;
  struct imap_fetch f;
  struct lethe_err err = { 0 };
  char *buf;
  lethe_rc rc = parse(text, len, &buf, &r, &err);
  if(!rc)
    rc = imap_fetch_parse(&r, &f, &err);
  if(rc != LETHE_E_PARSE)
    fail_msg("\"%.*s\": expected LETHE_E_PARSE, got %d", (int)len, text, rc);
  if(!strstr(err.msg, what))
    fail_msg("\"%.*s\": message lacks \"%s\": %s", (int)len, text, what, err.msg);
  free(buf);
}

#define FE(s, what) expect_fetch_error(s, sizeof(s) - 1, what)

static void test_fetch_malformed(void **state)
{
  char deep[200];
  (void)state;
  FE("* 1 FETCH UID 3", "without its '('");
  FE("* 1 FETCH (UID 3", "at the end of the line");
  FE("* 1 FETCH (UID 0)", "UID 0");
  FE("* 1 FETCH (UID 4294967296)", "UID is not a number");
  FE("* 1 FETCH (UID x)", "UID is not a number");
  FE("* 1 FETCH (UID 3) extra", "text after the FETCH list");
  FE("* 1 FETCH (UID 3))", "without its '('");
  FE("* 1 FETCH (BODY[] {10}\r\nabc)", "literal longer than the response");
  FE("* 1 FETCH (BODY[] {3}abc)", "not followed by CRLF");
  FE("* 1 FETCH (BODY[] {x}\r\nabc)", "not {digits}");
  FE("* 1 FETCH (BODY[] {99999999999999999999}\r\n)", "not {digits}");
  FE("* 1 FETCH (INTERNALDATE \"abc)", "unterminated quoted string");
  FE("* 1 FETCH (INTERNALDATE \"a\\nb\")", "backslash");
  FE("* 1 FETCH (INTERNALDATE \"a\rb\")", "CR, LF or NUL");
  FE("* 1 FETCH (INTERNALDATE 12)", "INTERNALDATE is not a string");
  FE("* 1 FETCH (FLAGS \\Seen)", "FLAGS without a list");
  FE("* 1 FETCH (FLAGS (\\Seen \"x\"))", "other than flags");
  FE("* 1 FETCH (BODY[HEADER.FIELDS (DATE) NIL)", "without its ']'");
  FE("* 1 FETCH (\"UID\" 3)", "attribute name expected");
  FE("* 1 FETCH (X-UNKNOWN)", "where a value belongs");
  FE("* 1 FETCH (X-UNKNOWN", "missing value");
  FE("* 1 FETCH (X-UNKNOWN (a (b))", "at the end of the line");
  strcpy(deep, "* 1 FETCH (X ");
  for(int i = 0; i < 40; i++)
    strcat(deep, "(");
  expect_fetch_error(deep, strlen(deep), "nested too deeply");
}

static void test_quoted_escapes(void **state)
{
  char text[] = "\"a \\\"b\\\" \\\\c\" NIL {3}\r\nx\"y (\"\")";
  struct imap_cursor c = { .p = text, .end = text + sizeof(text) - 1 };
  struct imap_tok t;
  struct lethe_err err = { 0 };
  (void)state;
  assert_int_equal(imap_next(&c, &t, &err), 0);
  assert_int_equal(t.type, IMAP_TOK_STRING);
  assert_int_equal(t.len, 8);
  assert_memory_equal(t.p, "a \"b\" \\c", 8);
  assert_int_equal(imap_next(&c, &t, &err), 0);
  assert_int_equal(t.type, IMAP_TOK_NIL);
  assert_int_equal(imap_next(&c, &t, &err), 0);
  assert_int_equal(t.type, IMAP_TOK_STRING);
  assert_memory_equal(t.p, "x\"y", 3);
  assert_int_equal(imap_next(&c, &t, &err), 0);
  assert_int_equal(t.type, IMAP_TOK_OPEN);
  assert_int_equal(imap_next(&c, &t, &err), 0);
  assert_int_equal(t.type, IMAP_TOK_STRING);
  assert_int_equal(t.len, 0);
  assert_int_equal(imap_next(&c, &t, &err), 0);
  assert_int_equal(t.type, IMAP_TOK_CLOSE);
  assert_int_equal(imap_next(&c, &t, &err), 0);
  assert_int_equal(t.type, IMAP_TOK_END);
}

/* ---- SEARCH and sets ----------------------------------------------------------------- */

struct numbers {
  uint32_t v[64];
  size_t n;
};

static lethe_rc collect(void *ctx, uint32_t n)
{
  struct numbers *s = ctx;
  if(s->n == 64)
    return LETHE_E_RANGE;
  s->v[s->n++] = n;
  return LETHE_OK;
}

static lethe_rc search(const char *text, struct numbers *out, struct lethe_err *err)
{
  struct imap_resp r;
  char *buf;
  lethe_rc rc = parse(text, strlen(text), &buf, &r, err);
  memset(out, 0, sizeof(*out));
  if(!rc)
    rc = imap_search_each(&r, collect, out, err);
  free(buf);
  return rc;
}

static void test_search(void **state)
{
  struct numbers s;
  struct lethe_err err = { 0 };
  (void)state;
  assert_int_equal(search("* SEARCH 2 84 882", &s, &err), 0);
  assert_int_equal(s.n, 3);
  assert_int_equal(s.v[2], 882);
  assert_int_equal(search("* SEARCH", &s, &err), 0);
  assert_int_equal(s.n, 0);
  assert_int_equal(search("* SEARCH 1 5 (MODSEQ 917162500)", &s, &err), 0);
  assert_int_equal(s.n, 2);
  assert_int_equal(search("* SEARCH 1 0", &s, &err), LETHE_E_PARSE);
  assert_int_equal(search("* SEARCH 1 abc", &s, &err), LETHE_E_PARSE);
  assert_int_equal(search("* SEARCH 4294967296", &s, &err), LETHE_E_PARSE);
  assert_int_equal(search("* SEARCH 1 (MODSEQ 3) 4", &s, &err), LETHE_E_PARSE);
}

static void test_sets(void **state)
{
  struct numbers s = { 0 };
  struct lethe_err err = { 0 };
  uint32_t uids[] = { 1, 2, 3, 7, 9, 10, 11, 12, 4000000000u };
  struct dynbuf b;
  (void)state;
  assert_int_equal(imap_set_each("1:3,7,12:10", 11, 100, collect, &s, &err), 0);
  assert_int_equal(s.n, 7);
  assert_int_equal(s.v[3], 7);
  assert_int_equal(s.v[4], 10);
  s.n = 0;
  assert_int_equal(imap_set_each("1:*", 3, 100, collect, &s, &err), LETHE_E_PARSE);
  assert_int_equal(imap_set_each("1,,2", 4, 100, collect, &s, &err), LETHE_E_PARSE);
  assert_int_equal(imap_set_each("1,", 2, 100, collect, &s, &err), LETHE_E_PARSE);
  assert_int_equal(imap_set_each("0", 1, 100, collect, &s, &err), LETHE_E_PARSE);
  assert_int_equal(imap_set_each("1:4294967295", 12, 100, collect, &s, &err), LETHE_E_RANGE);

  db_init(&b, 1024);
  assert_int_equal(imap_set_write(uids, 9, 100, &b), 9);
  assert_string_equal(db_str(&b), "1:3,7,9:12,4000000000");
  db_reset(&b);
  assert_int_equal(imap_set_write(uids, 9, 8, &b), 4); /* ",9:12" does not fit */
  assert_string_equal(db_str(&b), "1:3,7");
  db_reset(&b);
  assert_int_equal(imap_set_write(uids + 8, 1, 10, &b), 1);
  assert_int_equal(imap_set_write(uids, 0, 10, &b), 0);
  db_release(&b);
}

/* ---- modified UTF-7 ---------------------------------------------------------------------- */

static void round_trip(const char *utf8, const char *utf7)
{
  struct dynbuf a, b;
  db_init(&a, 4096);
  db_init(&b, 4096);
  assert_int_equal(imap_utf7_encode(utf8, strlen(utf8), &a), 0);
  assert_string_equal(db_str(&a), utf7);
  assert_int_equal(imap_utf7_decode(utf7, strlen(utf7), &b), 0);
  assert_string_equal(db_str(&b), utf8);
  db_release(&a);
  db_release(&b);
}

static void test_utf7(void **state)
{
  (void)state;
  round_trip("4, Dormant Clients", "4, Dormant Clients");
  round_trip("Entwürfe", "Entw&APw-rfe");
  round_trip("日本語", "&ZeVnLIqe-");
  round_trip("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  round_trip("R&D", "R&-D");
  round_trip("😀 x", "&2D3eAA- x");
  round_trip("", "");
  round_trip("a\tb", "a&AAk-b");
}

static void test_utf7_invalid(void **state)
{
  static const char *const bad_utf8[] = { "\xff", "a\xc0\xaf", "\xed\xa0\x80", "\xe6\x97",
                                          "\xf4\x90\x80\x80", NULL };
  static const char *const bad_utf7[] = { "&", "&Jjo", "&Jjo!-", "&AGE-", "&2D0-", "&3gA-",
                                          "&ZeVnLIqeA-", "a\x80", "&ZeVnLIqe", "tab\there",
                                          NULL };
  struct dynbuf b;
  (void)state;
  db_init(&b, 4096);
  for(int i = 0; bad_utf8[i]; i++)
    if(imap_utf7_encode(bad_utf8[i], strlen(bad_utf8[i]), &b) != LETHE_E_PARSE)
      fail_msg("encoding invalid UTF-8 #%d was accepted", i);
  for(int i = 0; bad_utf7[i]; i++)
    if(imap_utf7_decode(bad_utf7[i], strlen(bad_utf7[i]), &b) != LETHE_E_PARSE)
      fail_msg("decoding \"%s\" was accepted", bad_utf7[i]);
  assert_int_equal(imap_utf7_encode("a\0b", 3, &b), LETHE_E_PARSE);
  db_release(&b);
}

/* ---- dates and headers --------------------------------------------------------------------- */

static void internal(const char *s, const char *iso)
{
  int64_t t;
  struct lethe_err err = { 0 };
  if(imap_date_internal(s, strlen(s), &t, &err))
    fail_msg("\"%s\": %s", s, err.msg);
  assert_int_equal(t, utc(iso));
}

static void rfc5322(const char *s, const char *iso)
{
  int64_t t;
  struct lethe_err err = { 0 };
  if(imap_date_rfc5322(s, strlen(s), &t, &err))
    fail_msg("\"%s\": %s", s, err.msg);
  if(t != utc(iso))
    fail_msg("\"%s\": got %lld, expected %s", s, (long long)t, iso);
}

static void test_dates(void **state)
{
  static const char *const bad_internal[] = { "", "17-Jul-1996 02:44:25", "32-Jul-1996 "
    "02:44:25 -0700", "17-Jux-1996 02:44:25 -0700", "17-Jul-1996 24:00:00 +0000",
    "29-Feb-2025 12:00:00 +0000", "17-Jul-1996 02:44:25 +0760", "17-Jul-1996T02:44:25 -0700",
    NULL };
  static const char *const bad_5322[] = { "", "yesterday", "31 Feb 2003 10:00 +0000",
    "1 Jul 2003 10:52:37", "Tue, 1 Jul 2003 25:00 +0000", "1 Jul 2003 10:52 +02",
    "1 Jul 2003 10:52 +0200 (unclosed", "0 Jul 2003 10:52 +0000", NULL };
  int64_t t;
  struct lethe_err err = { 0 };
  (void)state;
  internal("17-Jul-1996 02:44:25 -0700", "1996-07-17T09:44:25Z");
  internal(" 7-Jul-1996 02:44:25 -0700", "1996-07-07T09:44:25Z");
  internal("7-Jul-1996 02:44:25 +0000", "1996-07-07T02:44:25Z");
  internal("01-Jan-2026 00:30:00 +1400", "2025-12-31T10:30:00Z");
  for(int i = 0; bad_internal[i]; i++)
    if(imap_date_internal(bad_internal[i], strlen(bad_internal[i]), &t, &err) !=
       LETHE_E_PARSE)
      fail_msg("INTERNALDATE \"%s\" was accepted", bad_internal[i]);

  rfc5322("Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T08:52:37Z");
  rfc5322("1 Jul 2003 10:52 GMT", "2003-07-01T10:52:00Z");
  rfc5322("Thu, 13 Feb 69 23:32:54 -0330", "1969-02-14T03:02:54Z");
  rfc5322("Fri, 21 Nov 1997 09:55:06 -0600 (MDT)", "1997-11-21T15:55:06Z");
  rfc5322("Tue,\r\n 1 Jul (a (nested) comment) 2003\r\n\t10:52:37 EDT", "2003-07-01T14:52:37Z");
  rfc5322("Sat, 22 Nov 2025 23:30:00 -0500", "2025-11-23T04:30:00Z");
  rfc5322("22 Nov 25 23:59:60 +0000", "2025-11-22T23:59:59Z");
  rfc5322("1 jan 2026 00:00:00 z", "2026-01-01T00:00:00Z");
  for(int i = 0; bad_5322[i]; i++)
    if(imap_date_rfc5322(bad_5322[i], strlen(bad_5322[i]), &t, &err) != LETHE_E_PARSE)
      fail_msg("Date: \"%s\" was accepted", bad_5322[i]);
}

static void test_header_field(void **state)
{
  static const char hdr[] = "date: Tue, 1 Jul 2003\r\n 10:52:37 +0200\r\nMessage-Id:\r\n"
                            "\t<x@y.z> \r\nX: y\r\n\r\nDate: not this\r\n";
  struct dynbuf b;
  (void)state;
  db_init(&b, 1024);
  assert_int_equal(imap_header_field(hdr, sizeof(hdr) - 1, "Date", &b), 0);
  assert_string_equal(db_str(&b), "Tue, 1 Jul 2003 10:52:37 +0200");
  db_reset(&b);
  assert_int_equal(imap_header_field(hdr, sizeof(hdr) - 1, "MESSAGE-ID", &b), 0);
  assert_string_equal(db_str(&b), "<x@y.z>");
  db_reset(&b);
  assert_int_equal(imap_header_field(hdr, sizeof(hdr) - 1, "Subject", &b), LETHE_E_NOTFOUND);
  assert_int_equal(imap_header_field("Date", 4, "Date", &b), LETHE_E_NOTFOUND);
  db_release(&b);
}

static void test_message_id_and_keyword(void **state)
{
  static const char hdr[] = "Date: x\r\nMessage-ID:\r\n <a@b.c> \r\n\r\n";
  struct dynbuf b;
  char hex[65];
  (void)state;
  db_init(&b, 1024);
  /* sha256("<a@b.c>") */
  assert_true(imap_message_id_sha256(hdr, sizeof(hdr) - 1, &b, hex));
  assert_string_equal(hex, "d52ef9ee2e13c627553aa4d1f14c4f706f314dc886d2a045396e4c934bac5ae3");
  assert_false(imap_message_id_sha256("Date: x\r\n\r\n", 11, &b, hex));
  assert_string_equal(hex, "");
  assert_false(imap_message_id_sha256(NULL, 0, &b, hex));
  db_release(&b);
  assert_true(imap_keyword_valid("$LetheHold"));
  assert_true(imap_keyword_valid("legal-hold_2026"));
  assert_false(imap_keyword_valid("\\Deleted"));
  assert_false(imap_keyword_valid("a b"));
  assert_false(imap_keyword_valid("a]"));
  assert_false(imap_keyword_valid(""));
}

static void test_asctime(void **state)
{
  char buf[32];
  (void)state;
  imap_date_asctime(utc("2026-11-22T12:00:00Z"), buf);
  assert_string_equal(buf, "Sun Nov 22 12:00:00 2026");
  imap_date_asctime(utc("1970-01-01T00:00:00Z"), buf);
  assert_string_equal(buf, "Thu Jan  1 00:00:00 1970");
}

/* ---- the bounded reader ---------------------------------------------------------------------- */

static lethe_rc read_fed(const char *data, size_t n, size_t literal_max, struct imap_conn *c,
                         struct imap_resp *r, struct lethe_err *err)
{
  imap_conn_init(c);
  imap_conn_limits(c, literal_max, 4096);
  assert_int_equal(imap_conn_feed(c, data, n), 0);
  return imap_conn_read(c, r, err);
}

static void test_reader(void **state)
{
  static const char two[] = "* 1 FETCH (BODY[] {4}\r\n\r\n\0x UID 5)\r\nL1 OK done {3}\r\n";
  struct imap_conn c;
  struct imap_resp r;
  struct imap_fetch f;
  struct lethe_err err = { 0 };
  char *big;
  (void)state;

  assert_int_equal(read_fed(two, sizeof(two) - 1, 100, &c, &r, &err), 0);
  assert_int_equal(imap_fetch_parse(&r, &f, &err), 0);
  assert_int_equal(f.body_len, 4);
  assert_int_equal(f.uid, 5);
  /* a status response's text may end in "{3}": it is no literal */
  assert_int_equal(imap_conn_read(&c, &r, &err), 0);
  assert_int_equal(r.status, IMAP_ST_OK);
  /* then the input is exhausted: with no server, that reads as closed */
  assert_int_equal(imap_conn_read(&c, &r, &err), LETHE_E_IO);
  assert_non_null(strstr(err.msg, "closed"));
  assert_int_equal(imap_conn_read(&c, &r, &err), LETHE_E_IO); /* broken stays broken */
  imap_conn_close(&c);

  /* truncated inside a literal */
  assert_int_equal(read_fed("* 1 FETCH (BODY[] {10}\r\nabc", 27, 100, &c, &r, &err),
                   LETHE_E_IO);
  imap_conn_close(&c);

  /* a literal over its bound is refused before it is read */
  assert_int_equal(read_fed("* 1 FETCH (BODY[] {101}\r\n", 25, 100, &c, &r, &err),
                   LETHE_E_RANGE);
  assert_non_null(strstr(err.msg, "literal of 101 bytes"));
  imap_conn_close(&c);

  /* a response over its bound (literals included) */
  big = malloc(5000);
  assert_non_null(big);
  memcpy(big, "* 1 FETCH (BODY[] {4500}\r\n", 26);
  memset(big + 26, 'x', 5000 - 26);
  assert_int_equal(read_fed(big, 5000, 10000, &c, &r, &err), LETHE_E_RANGE);
  assert_non_null(strstr(err.msg, "larger than"));
  imap_conn_close(&c);

  /* a line over IMAP_LINE_MAX */
  imap_conn_init(&c);
  for(size_t i = 0; i < IMAP_LINE_MAX / 4096 + 2; i++) {
    memset(big, 'a', 4096);
    assert_int_equal(imap_conn_feed(&c, big, 4096), 0);
  }
  assert_int_equal(imap_conn_read(&c, &r, &err), LETHE_E_RANGE);
  assert_non_null(strstr(err.msg, "line longer than"));
  imap_conn_close(&c);
  free(big);

  /* malformed: the session breaks with the parser's message */
  assert_int_equal(read_fed("* 1 FETCH (UID 3\r\n", 18, 100, &c, &r, &err), 0);
  assert_int_equal(imap_fetch_parse(&r, &f, &err), LETHE_E_PARSE);
  imap_conn_close(&c);
  assert_int_equal(read_fed("A1 MAYBE\r\n", 10, 100, &c, &r, &err), LETHE_E_PARSE);
  assert_true(c.broken);
  imap_conn_close(&c);
}

/* ---- fuzz: mutations of real replies must never crash ---------------------------------------- */

static lethe_rc ignore(void *ctx, uint32_t n)
{
  (void)ctx;
  (void)n;
  return LETHE_OK;
}

static void parse_anything(const char *data, size_t n)
{
  struct imap_resp r;
  struct imap_fetch f;
  struct lethe_err err;
  char *buf = malloc(n ? n : 1);
  struct dynbuf out;
  uint32_t v;
  lethe_rc rc;
  assert_non_null(buf);
  memcpy(buf, data, n);
  if(!imap_resp_parse(buf, n, &r, &err)) {
    if(!imap_fetch_parse(&r, &f, &err) && f.has_flags)
      (void)imap_flags_has(&f.flags, "\\Seen");
    memcpy(buf, data, n);
    if(!imap_resp_parse(buf, n, &r, &err))
      rc = imap_search_each(&r, ignore, NULL, &err);
    (void)imap_code_number(&r, "UIDVALIDITY", &v);
  }
  db_init(&out, 1 << 16);
  rc = imap_utf7_decode(data, n, &out);
  db_reset(&out);
  rc = imap_utf7_encode(data, n, &out);
  db_release(&out);
  rc = imap_set_each(data, n, 1000, ignore, NULL, &err);
  (void)rc; /* any result will do: what matters is not crashing */
  free(buf);
}

static void test_fuzz(void **state)
{
  static const char *const seeds[] = {
    fetch_ok, "* SEARCH 1 2 3 (MODSEQ 5)", "L1 OK [UIDVALIDITY 42] x", "* 3 EXPUNGE",
    "* VANISHED (EARLIER) 1:3,5", "* 1 FETCH (BODY[] {3}\r\nabc FLAGS (\\Seen))",
    "&ZeVnLIqe-", "+ eyJzdGF0dXMiOiI0MDEifQ==",
  };
  unsigned seed = 12345;
  char buf[1024];
  (void)state;
  for(size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
    size_t len = strlen(seeds[s]);
    for(int round = 0; round < 3000; round++) {
      size_t n = len;
      memcpy(buf, seeds[s], len);
      for(int k = 0; k < 1 + round % 4; k++) {
        seed = seed * 1103515245 + 12345;
        switch((seed >> 16) % 4) {
        case 0: buf[(seed >> 8) % n] = (char)(seed >> 3); break;           /* flip a byte */
        case 1: n = (seed >> 8) % (n + 1); break;                            /* truncate */
        case 2: buf[(seed >> 8) % n] = "(){}\"\\[] \r\n0*"[(seed >> 4) % 14]; break;
        default: if(n < sizeof(buf) - 1) buf[n++] = "()\"{}"[(seed >> 4) % 5]; break;
        }
        if(!n)
          n = 1;
      }
      parse_anything(buf, n);
    }
  }
}

/* ---- URLs ------------------------------------------------------------------------------------- */

static void test_url(void **state)
{
  struct imap_url u;
  struct lethe_err err = { 0 };
  struct dynbuf b;
  uint32_t v, uid;
  char id[IMAP_IDENTITY_LEN];
  (void)state;
  assert_int_equal(imap_url_parse("imaps://support%40example.org@mail.example.org/"
                                  "4,%20Dormant%20Clients", &u, &err), 0);
  assert_true(u.imaps);
  assert_string_equal(u.user, "support@example.org");
  assert_string_equal(u.host, "mail.example.org");
  assert_int_equal(u.port, 993);
  assert_string_equal(u.mailbox, "4, Dormant Clients");
  db_init(&b, 4096);
  assert_int_equal(imap_url_message(&u, 7, 42, true, &b), 0);
  assert_string_equal(db_str(&b), "imaps://support%40example.org@mail.example.org/"
                      "4,%20Dormant%20Clients;UIDVALIDITY=7/;UID=42");
  db_reset(&b);
  assert_int_equal(imap_url_message(&u, 7, 42, false, &b), 0);
  assert_string_equal(db_str(&b), "imaps://support%40example.org@mail.example.org/"
                      "4, Dormant Clients;UIDVALIDITY=7/;UID=42");
  imap_url_release(&u);

  assert_int_equal(imap_url_parse("imap://u;AUTH=*@[::1]:1143/Entw%C3%BCrfe%3Bx", &u, &err),
                   0);
  assert_false(u.imaps);
  assert_string_equal(u.user, "u");
  assert_string_equal(u.host, "[::1]");
  assert_int_equal(u.port, 1143);
  assert_string_equal(u.mailbox, "Entwürfe;x");
  db_reset(&b);
  assert_int_equal(imap_url_server(&u, &b), 0);
  assert_string_equal(db_str(&b), "imap://[::1]:1143/");
  db_reset(&b);
  assert_int_equal(imap_url_message(&u, 1, 2, true, &b), 0);
  assert_string_equal(db_str(&b), "imap://u;AUTH=*@[::1]:1143/Entw%C3%BCrfe%3Bx;"
                      "UIDVALIDITY=1/;UID=2");
  imap_url_release(&u);
  db_release(&b);

  assert_int_equal(imap_url_parse("imaps://host/INBOX", &u, &err), LETHE_E_CONFIG);
  assert_non_null(strstr(err.msg, "user"));
  assert_int_equal(imap_url_parse("imaps://u@host/", &u, &err), LETHE_E_CONFIG);
  assert_non_null(strstr(err.msg, "folder"));
  assert_int_equal(imap_url_parse("imaps://u@host:99999/INBOX", &u, &err), LETHE_E_CONFIG);
  assert_int_equal(imap_url_parse("imaps://u@host/INBOX;UIDVALIDITY=3", &u, &err),
                   LETHE_E_CONFIG);
  assert_int_equal(imap_url_parse("imaps://u@host/%FF", &u, &err), LETHE_E_CONFIG);
  assert_int_equal(imap_url_parse("imaps://u@host/a%00b", &u, &err), LETHE_E_CONFIG);
  assert_int_equal(imap_url_parse("pop3://u@host/INBOX", &u, &err), LETHE_E_CONFIG);

  imap_identity_format(4294967295u, 1, id);
  assert_string_equal(id, "uidvalidity=4294967295 uid=1");
  assert_true(imap_identity_parse(id, &v, &uid));
  assert_int_equal(v, 4294967295u);
  assert_false(imap_identity_parse("uidvalidity=0 uid=1", &v, &uid));
  assert_false(imap_identity_parse("uidvalidity=4294967296 uid=1", &v, &uid));
  assert_false(imap_identity_parse("uidvalidity=1 uid=2 ", &v, &uid));
  assert_false(imap_identity_parse("dev=1 ino=2", &v, &uid));
  assert_true(imap_host_is_loopback("127.0.0.1"));
  assert_true(imap_host_is_loopback("[::1]"));
  assert_true(imap_host_is_loopback("127.1.2.3"));
  assert_false(imap_host_is_loopback("127.example.org"));
  assert_false(imap_host_is_loopback("127.0.0.1.example.org"));
  assert_false(imap_host_is_loopback("mail.example.org"));
}

/* ---- credentials ------------------------------------------------------------------------------ */

static char *cred_file(const char *content, mode_t mode)
{
  char *path = strdup("/tmp/lethe-cred-XXXXXX");
  int fd;
  assert_non_null(path);
  fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
  assert_int_equal(fchmod(fd, mode), 0);
  close(fd);
  return path;
}

static lethe_rc read_cred(const char *content, mode_t mode, struct credentials *c,
                          struct lethe_err *err)
{
  char *path = cred_file(content, mode);
  lethe_rc rc = credentials_read(path, c, err);
  unlink(path);
  free(path);
  return rc;
}

static void test_credentials(void **state)
{
  struct credentials *c = malloc(sizeof(*c));
  struct lethe_err err = { 0 };
  (void)state;
  assert_non_null(c);
  assert_int_equal(read_cred("s3cret\n", 0600, c, &err), 0);
  assert_false(c->bearer);
  assert_string_equal(c->secret, "s3cret");
  assert_int_equal(read_cred("bearer:eyJ0eXAi\r\n", 0400, c, &err), 0);
  assert_true(c->bearer);
  assert_string_equal(c->secret, "eyJ0eXAi");
  credentials_wipe(c);
  assert_int_equal(c->secret[0], 0);

  assert_int_equal(read_cred("s3cret\n", 0640, c, &err), LETHE_E_UNSAFE);
  assert_non_null(strstr(err.msg, "group or others"));
  assert_null(strstr(err.msg, "s3cret"));
  assert_int_equal(c->secret[0], 0);
  assert_int_equal(read_cred("s3cret\n", 0604, c, &err), LETHE_E_UNSAFE);
  assert_int_equal(read_cred("s3cret\n", 0620, c, &err), LETHE_E_UNSAFE);
  assert_int_equal(read_cred("", 0600, c, &err), LETHE_E_CONFIG);
  assert_int_equal(read_cred("bearer:\n", 0600, c, &err), LETHE_E_CONFIG);
  assert_int_equal(read_cred("a\nb\n", 0600, c, &err), LETHE_E_CONFIG);
  assert_null(strstr(err.msg, "a\nb"));
  assert_int_equal(credentials_read("/nonexistent/lethe-cred", c, &err), LETHE_E_IO);
  {
    char *target = cred_file("s3cret\n", 0600), link[64];
    snprintf(link, sizeof(link), "/tmp/lethe-cred-link-%ld", (long)getpid());
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(credentials_read(link, c, &err), LETHE_E_UNSAFE);
    unlink(link);
    unlink(target);
    free(target);
  }
  free(c);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_resp_kinds),
    cmocka_unit_test(test_resp_malformed),
    cmocka_unit_test(test_fetch),
    cmocka_unit_test(test_fetch_nil_and_body),
    cmocka_unit_test(test_fetch_malformed),
    cmocka_unit_test(test_quoted_escapes),
    cmocka_unit_test(test_search),
    cmocka_unit_test(test_sets),
    cmocka_unit_test(test_utf7),
    cmocka_unit_test(test_utf7_invalid),
    cmocka_unit_test(test_dates),
    cmocka_unit_test(test_header_field),
    cmocka_unit_test(test_message_id_and_keyword),
    cmocka_unit_test(test_asctime),
    cmocka_unit_test(test_reader),
    cmocka_unit_test(test_fuzz),
    cmocka_unit_test(test_url),
    cmocka_unit_test(test_credentials),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

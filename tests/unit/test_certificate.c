/* Tests for certificate.c: the certificate built from a journal's text,
 * and the canonical JSON whose bytes are signed and chained. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certificate.h"
#include "isotime.h"

#define RUN "0b6c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3"

/* A run of two rules: a file deleted, one failed, one held, one skipped by
 * the plugin, an emptied directory removed. Rule texts hold what a rule file
 * may: quotes, backslashes, tabs, control bytes, non-ASCII, and a byte that
 * is not UTF-8. The detail's keys are out of order on purpose. */
static const char journal[] =
  "{\"run\":\"" RUN "\",\"plan\":\"p1a2b3\",\"started\":\"2026-11-22T12:00:00Z\","
  "\"pid\":42,\"type\":\"begin\"}\n"
  "{\"name\":\"clients \\\"A\\\\B\\\"\",\"description\":\"tab\\there\\nnew line \\u0001 "
  "caf\xc3\xa9 \xff end\",\"basis\":\"Policy \\u00a74.2 </script>\",\"source\":"
  "\"file:///srv/Clients\",\"action\":\"unlink\",\"clock\":\"mtime\",\"retain\":\"12 months\","
  "\"plugin_method\":\"unlink (no overwrite)\",\"plugin_version\":\"1.0\",\"type\":\"rule\"}\n"
  "{\"action\":\"unlink\",\"clock\":{\"name\":\"mtime\",\"value\":\"2025-01-02T03:04:05Z\"},"
  "\"identity\":\"dev=1 ino=2 size=10 mtime_ns=3\",\"kind\":\"file\",\"path\":\"Acme/a%20b.pdf\","
  "\"size\":10,\"store\":\"file\",\"subject\":\"Acme\",\"uri\":"
  "\"file:///srv/Clients/Acme/a%20b.pdf\",\"root\":\"/srv/Clients\",\"rule\":\"clients "
  "\\\"A\\\\B\\\"\",\"seq\":1,\"tmpname\":\".lethe-0b6c1d2e-1\",\"type\":\"intent\"}\n"
  "{\"action\":\"unlink\",\"clock\":{\"name\":\"mtime\",\"value\":\"2025-01-02T03:04:05Z\"},"
  "\"kind\":\"file\",\"path\":\"Acme/ro\",\"size\":7,\"store\":\"file\",\"subject\":\"Acme\","
  "\"uri\":\"file:///srv/Clients/Acme/ro\",\"root\":\"/srv/Clients\",\"rule\":\"clients "
  "\\\"A\\\\B\\\"\",\"seq\":2,\"tmpname\":\".lethe-0b6c1d2e-2\",\"type\":\"intent\"}\n"
  "{\"seq\":1,\"result\":\"deleted\",\"at\":\"2026-11-22T12:00:01Z\",\"method\":\"unlink "
  "(no overwrite)\",\"level\":\"logical-delete\",\"level_reason\":\"unlinked without "
  "overwriting\",\"detail\":{\"z\":1,\"a\":{\"y\":[3,{\"k\":true,\"b\":null}],\"x\":\"\\/\"}},"
  "\"type\":\"outcome\"}\n"
  "{\"seq\":2,\"result\":\"failed\",\"at\":\"2026-11-22T12:00:01Z\",\"method\":\"unlink "
  "(no overwrite)\",\"level\":\"none\",\"error\":\"Permission denied\",\"type\":\"outcome\"}\n"
  "{\"action\":\"unlink\",\"kind\":\"file\",\"path\":\"Held/x\",\"size\":5,\"store\":\"file\","
  "\"uri\":\"file:///srv/Clients/Held/x\",\"root\":\"/srv/Clients\",\"rule\":\"clients "
  "\\\"A\\\\B\\\"\",\"result\":\"held\",\"reason\":\"held by litigation at apply time\","
  "\"type\":\"skip\"}\n"
  "{\"name\":\"rec\",\"source\":\"file:///srv/R\",\"action\":\"unlink\",\"clock\":\"mtime\","
  "\"retain\":\"180 days\",\"plugin_method\":\"unlink\",\"plugin_version\":\"1.0\","
  "\"type\":\"rule\"}\n"
  "{\"action\":\"unlink\",\"kind\":\"file\",\"path\":\"m.mp4\",\"size\":100,\"store\":\"file\","
  "\"uri\":\"file:///srv/R/m.mp4\",\"root\":\"/srv/R\",\"rule\":\"rec\",\"seq\":3,"
  "\"type\":\"intent\"}\n"
  "{\"seq\":3,\"result\":\"skipped\",\"at\":\"2026-11-22T12:00:02Z\",\"method\":\"unlink\","
  "\"level\":\"none\",\"error\":\"changed since planned\",\"type\":\"outcome\"}\n"
  "{\"uri\":\"file:///srv/Clients/Acme\",\"path\":\"Acme\",\"action\":\"rmdir\",\"kind\":"
  "\"directory\",\"root\":\"/srv/Clients\",\"rule\":\"clients \\\"A\\\\B\\\"\",\"seq\":4,"
  "\"size\":0,\"store\":\"file\",\"type\":\"intent\"}\n"
  "{\"seq\":4,\"result\":\"deleted\",\"at\":\"2026-11-22T12:00:03Z\",\"method\":\"rmdir "
  "(empty directory)\",\"level\":\"logical-delete\",\"type\":\"outcome\"}\n"
  "{\"finished\":\"2026-11-22T12:00:04Z\",\"status\":\"some-failed\",\"type\":\"end\"}\n";

/* What that journal must give, byte for byte. Any change to it changes
 * every signature and hash: bump the schema version rather than edit. */
static const char expected[] =
  "{\"agent_version\":\"9.9.9\",\"finished\":\"2026-11-22T12:00:04Z\",\"host\":\"files1\","
  "\"id\":\"" RUN "\",\"issued_at\":\"2026-11-23T08:00:00Z\",\"items\":["
  "{\"clock\":{\"name\":\"mtime\",\"value\":\"2025-01-02T03:04:05Z\"},"
  "\"deleted_at\":\"2026-11-22T12:00:01Z\",\"detail\":{\"a\":{\"x\":\"/\",\"y\":[3,"
  "{\"b\":null,\"k\":true}]},\"z\":1},\"error\":null,\"kind\":\"file\",\"level\":"
  "\"logical-delete\",\"level_reason\":\"unlinked without overwriting\",\"method\":\"unlink "
  "(no overwrite)\",\"plugin\":\"unlink\",\"reason\":null,\"recovered\":false,\"result\":"
  "\"deleted\",\"rule\":\"clients \\\"A\\\\B\\\"\",\"size\":10,\"store\":\"file\","
  "\"subject\":\"Acme\",\"uri\":\"file:///srv/Clients/Acme/a%20b.pdf\"},"
  "{\"clock\":{\"name\":\"mtime\",\"value\":\"2025-01-02T03:04:05Z\"},\"deleted_at\":null,"
  "\"error\":\"Permission denied\",\"kind\":\"file\",\"level\":\"none\",\"level_reason\":null,"
  "\"method\":\"unlink (no overwrite)\",\"plugin\":\"unlink\",\"reason\":null,\"recovered\":"
  "false,\"result\":\"failed\",\"rule\":\"clients \\\"A\\\\B\\\"\",\"size\":7,\"store\":"
  "\"file\",\"subject\":\"Acme\",\"uri\":\"file:///srv/Clients/Acme/ro\"},"
  "{\"clock\":null,\"deleted_at\":null,\"error\":null,\"kind\":\"file\",\"level\":\"none\","
  "\"level_reason\":null,\"method\":null,\"plugin\":\"unlink\",\"reason\":\"held by "
  "litigation at apply time\",\"recovered\":false,\"result\":\"held\",\"rule\":\"clients "
  "\\\"A\\\\B\\\"\",\"size\":5,\"store\":\"file\",\"subject\":null,\"uri\":"
  "\"file:///srv/Clients/Held/x\"},"
  "{\"clock\":null,\"deleted_at\":null,\"error\":null,\"kind\":\"file\",\"level\":\"none\","
  "\"level_reason\":null,\"method\":\"unlink\",\"plugin\":\"unlink\",\"reason\":\"changed "
  "since planned\",\"recovered\":false,\"result\":\"skipped\",\"rule\":\"rec\",\"size\":100,"
  "\"store\":\"file\",\"subject\":null,\"uri\":\"file:///srv/R/m.mp4\"},"
  "{\"clock\":null,\"deleted_at\":\"2026-11-22T12:00:03Z\",\"error\":null,\"kind\":"
  "\"directory\",\"level\":\"logical-delete\",\"level_reason\":null,\"method\":\"rmdir "
  "(empty directory)\",\"plugin\":\"rmdir\",\"reason\":null,\"recovered\":false,\"result\":"
  "\"deleted\",\"rule\":\"clients \\\"A\\\\B\\\"\",\"size\":0,\"store\":\"file\",\"subject\":"
  "null,\"uri\":\"file:///srv/Clients/Acme\"}],"
  "\"operator\":\"systemd:lethe.service\",\"plan_hash\":\"p1a2b3\",\"previous\":null,"
  "\"recovered\":false,\"rules\":["
  "{\"action\":\"unlink\",\"basis\":\"Policy \xc2\xa7" "4.2 </script>\",\"clock\":\"mtime\","
  "\"description\":\"tab\\there\\nnew line \\u0001 caf\xc3\xa9 \xef\xbf\xbd end\",\"method\":"
  "\"unlink (no overwrite)\",\"name\":\"clients \\\"A\\\\B\\\"\",\"plugin_version\":\"1.0\","
  "\"retain\":\"12 months\",\"source\":\"file:///srv/Clients\"},"
  "{\"action\":\"unlink\",\"basis\":null,\"clock\":\"mtime\",\"description\":null,\"method\":"
  "\"unlink\",\"name\":\"rec\",\"plugin_version\":\"1.0\",\"retain\":\"180 days\",\"source\":"
  "\"file:///srv/R\"}],"
  "\"schema\":\"lethe-certificate/1\",\"started\":\"2026-11-22T12:00:00Z\",\"status\":"
  "\"some-failed\",\"totals\":{\"bytes_deleted\":10,\"deleted\":2,\"failed\":1,\"held\":1,"
  "\"items\":5,\"skipped\":1}}\n";

struct fx {
  struct certificate c;
  struct dynbuf out;
  struct cert_context ctx;
};

static int setup(void **state)
{
  struct fx *f = calloc(1, sizeof(*f));
  struct lethe_err err;
  if(!f)
    return -1;
  db_init(&f->out, CERTIFICATE_MAX);
  f->ctx.host = "files1";
  f->ctx.operator_name = "systemd:lethe.service";
  f->ctx.agent_version = "9.9.9";
  if(isotime_parse("2026-11-23T08:00:00Z", &f->ctx.issued_at, &err))
    return -1;
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  struct fx *f = *state;
  certificate_release(&f->c);
  db_release(&f->out);
  free(f);
  return 0;
}

/* Build from text and render into f->out. */
static void build(struct fx *f, const char *text)
{
  struct lethe_err err = { 0 };
  lethe_rc rc = certificate_from_text(&f->c, text, strlen(text), RUN ".jsonl", &f->ctx, &err);
  if(rc)
    fail_msg("certificate_from_text: %d %s", rc, err.msg);
  db_reset(&f->out);
  assert_int_equal(certificate_canonical(&f->c, &f->out), LETHE_OK);
}

/* Show where two texts first differ. */
static void assert_same_text(const char *want, const char *got)
{
  size_t i = 0;
  while(want[i] && want[i] == got[i])
    i++;
  if(want[i] || got[i])
    fail_msg("differs at byte %zu:\n  want ...%.60s\n  got  ...%.60s", i,
             want + (i > 20 ? i - 20 : 0), got + (i > 20 ? i - 20 : 0));
}

static void test_exact_bytes(void **state)
{
  struct fx *f = *state;
  build(f, journal);
  assert_same_text(expected, db_str(&f->out));
  assert_int_equal(f->out.len, strlen(expected));
}

static void test_stable(void **state)
{
  struct fx *f = *state;
  char first[SHA256_HEX_LEN], second[SHA256_HEX_LEN];
  build(f, journal);
  sha256_hex(f->out.mem, f->out.len, first);
  certificate_release(&f->c);
  build(f, journal);
  sha256_hex(f->out.mem, f->out.len, second);
  assert_string_equal(first, second);
  /* and rendering the same certificate again changes nothing */
  db_reset(&f->out);
  assert_int_equal(certificate_canonical(&f->c, &f->out), LETHE_OK);
  sha256_hex(f->out.mem, f->out.len, second);
  assert_string_equal(first, second);
}

/* Keys in ascending byte order in every object, however deep. json-c keeps
 * the order of the text it parses. */
static void assert_sorted(struct json_object *v, int depth)
{
  const char *last = NULL;
  assert_true(depth < 20);
  if(json_object_is_type(v, json_type_array)) {
    for(size_t i = 0; i < json_object_array_length(v); i++)
      assert_sorted(json_object_array_get_idx(v, i), depth + 1);
    return;
  }
  if(!json_object_is_type(v, json_type_object))
    return;
  json_object_object_foreach(v, key, val) {
    if(last && strcmp(last, key) >= 0)
      fail_msg("key \"%s\" after \"%s\"", key, last);
    last = key;
    assert_sorted(val, depth + 1);
  }
}

static void test_sorted_at_every_level(void **state)
{
  struct fx *f = *state;
  struct json_object *doc;
  build(f, journal);
  assert_int_equal(f->out.mem[f->out.len - 1], '\n');
  doc = json_tokener_parse(f->out.mem);
  assert_non_null(doc);
  assert_sorted(doc, 0);
  json_object_put(doc);
}

static void test_escaping(void **state)
{
  struct fx *f = *state;
  struct json_object *doc, *rules, *r;
  const char *text;
  build(f, journal);
  text = db_str(&f->out);
  assert_non_null(strstr(text, "\"clients \\\"A\\\\B\\\"\""));
  assert_non_null(strstr(text, "tab\\there\\nnew line \\u0001 caf\xc3\xa9 \xef\xbf\xbd end"));
  assert_null(strstr(text, "\\/"));       /* no slash escapes */
  assert_null(strstr(text, "\\u00a7"));   /* non-ASCII as itself */
  assert_null(strchr(text, '\t'));
  assert_null(strchr(text, '\xff'));
  doc = json_tokener_parse(text);
  assert_non_null(doc);
  assert_true(json_object_object_get_ex(doc, "rules", &rules));
  r = json_object_array_get_idx(rules, 0);
  assert_string_equal(json_object_get_string(json_object_object_get(r, "name")),
                      "clients \"A\\B\"");
  assert_string_equal(json_object_get_string(json_object_object_get(r, "description")),
                      "tab\there\nnew line \x01 caf\xc3\xa9 \xef\xbf\xbd end");
  json_object_put(doc);
}

static void test_canonical_json(void **state)
{
  struct json_object *o = json_object_new_object(), *inner = json_object_new_object();
  struct json_object *a = json_object_new_array();
  struct dynbuf b;
  (void)state;
  json_object_object_add(inner, "\xc3\xa9", json_object_new_int(-5));
  json_object_object_add(inner, "Z", json_object_new_boolean(0));
  json_object_object_add(inner, "e", json_object_new_uint64(UINT64_MAX));
  json_object_array_add(a, inner);
  json_object_array_add(a, json_object_new_string("\x7f\x1f\"\r"));
  json_object_object_add(o, "b", a);
  json_object_object_add(o, "a", NULL);
  json_object_object_add(o, "", json_object_new_string(""));
  db_init(&b, 4096);
  assert_int_equal(canonical_json(o, &b), LETHE_OK);
  assert_string_equal(db_str(&b), "{\"\":\"\",\"a\":null,\"b\":[{\"Z\":false,"
                      "\"e\":18446744073709551615,\"\xc3\xa9\":-5},\"\x7f\\u001f\\\"\\r\"]}");
  db_release(&b);
  json_object_put(o);
}

static void test_deep_nesting_refused(void **state)
{
  struct json_object *o = json_object_new_array();
  struct dynbuf b;
  (void)state;
  for(int i = 0; i < 100; i++) {
    struct json_object *outer = json_object_new_array();
    json_object_array_add(outer, o);
    o = outer;
  }
  db_init(&b, 1 << 20);
  assert_int_equal(canonical_json(o, &b), LETHE_E_RANGE);
  db_release(&b);
  json_object_put(o);
}

static void test_empty_run(void **state)
{
  struct fx *f = *state;
  static const char text[] =
    "{\"run\":\"" RUN "\",\"plan\":\"h\",\"started\":\"2026-11-22T12:00:00Z\",\"type\":"
    "\"begin\"}\n"
    "{\"finished\":\"2026-11-22T12:00:00Z\",\"status\":\"done\",\"type\":\"end\"}\n";
  build(f, text);
  assert_true(f->c.ended);
  assert_int_equal(f->c.items, 0);
  assert_non_null(strstr(db_str(&f->out), "\"items\":[],"));
  assert_non_null(strstr(db_str(&f->out), "\"rules\":[],"));
  assert_non_null(strstr(db_str(&f->out), "\"totals\":{\"bytes_deleted\":0,\"deleted\":0,"
                         "\"failed\":0,\"held\":0,\"items\":0,\"skipped\":0}"));
}

static void test_unfinished_and_recovered(void **state)
{
  struct fx *f = *state;
  static const char torn[] =
    "{\"run\":\"" RUN "\",\"plan\":\"h\",\"started\":\"2026-11-22T12:00:00Z\",\"type\":"
    "\"begin\"}\n"
    "{\"action\":\"unlink\",\"uri\":\"file:///a\",\"rule\":\"r\",\"seq\":1,\"type\":\"intent\"}\n"
    "{\"seq\":1,\"result\":\"del";
  static const char recovered[] =
    "{\"run\":\"" RUN "\",\"plan\":\"h\",\"started\":\"2026-11-22T12:00:00Z\",\"type\":"
    "\"begin\"}\n"
    "{\"action\":\"unlink\",\"uri\":\"file:///a\",\"rule\":\"r\",\"size\":3,\"seq\":1,"
    "\"type\":\"intent\"}\n"
    "{\"seq\":1,\"result\":\"deleted\",\"at\":\"2026-11-22T13:00:00Z\",\"method\":\"recovery\","
    "\"level\":\"logical-delete\",\"level_reason\":\"gone\",\"recovered\":true,\"type\":"
    "\"outcome\"}\n"
    "{\"finished\":\"2026-11-22T13:00:00Z\",\"status\":\"recovered\",\"type\":\"end\"}\n";
  build(f, torn);
  assert_false(f->c.ended);
  certificate_release(&f->c);
  build(f, recovered);
  assert_true(f->c.ended);
  assert_true(f->c.recovered);
  assert_int_equal(f->c.deleted, 1);
  assert_non_null(strstr(db_str(&f->out), "\"recovered\":true,\"result\":\"deleted\""));
  assert_non_null(strstr(db_str(&f->out), "\"recovered\":true,\"rules\""));
}

static void test_previous_and_path(void **state)
{
  struct fx *f = *state;
  char path[256], hex[SHA256_HEX_LEN];
  build(f, journal);
  sha256_hex("abc", 3, hex);
  assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert_int_equal(certificate_set_previous(&f->c, hex), LETHE_OK);
  db_reset(&f->out);
  assert_int_equal(certificate_canonical(&f->c, &f->out), LETHE_OK);
  assert_non_null(strstr(db_str(&f->out), "\"previous\":\"ba7816bf8f01cfea"));
  certificate_path(&f->c, path, sizeof(path));
  assert_string_equal(path, "certificates/2026/11/" RUN ".json");
  assert_int_equal(f->c.rules.n, 2);
  assert_string_equal(f->c.rules.v[1], "rec");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_exact_bytes, setup, teardown),
    cmocka_unit_test_setup_teardown(test_stable, setup, teardown),
    cmocka_unit_test_setup_teardown(test_sorted_at_every_level, setup, teardown),
    cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
    cmocka_unit_test(test_canonical_json),
    cmocka_unit_test(test_deep_nesting_refused),
    cmocka_unit_test_setup_teardown(test_empty_run, setup, teardown),
    cmocka_unit_test_setup_teardown(test_unfinished_and_recovered, setup, teardown),
    cmocka_unit_test_setup_teardown(test_previous_and_path, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests for the certificate: what the writer makes of a journal
 * (lethe-certificate/2, exact bytes, parts), what the reader makes of it
 * and of a lethe-certificate/1 certificate, and the canonical JSON whose
 * bytes are signed and chained. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert_journal.h"
#include "cert_read.h"
#include "cert_write.h"
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


/* What that journal gave as lethe-certificate/1, byte for byte (the
 * certificate lethe 0.1.0 wrote): the reader must still read it. */
static const char v1_expected[] =
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

/* What that journal must give as lethe-certificate/2, byte for byte. Any
 * change to it changes every signature and hash: bump the schema version
 * rather than edit. */
static const char expected[] =
  "{\"agent_version\":\"9.9.9\",\"columns\":[\"group\",\"uri\",\"result\",\"size\",\"subj"
  "ect\",\"clock_value\",\"deleted_at\",\"error\",\"reason\",\"detail\",\"message_id_sha2"
  "56\"],\"details\":[{\"a\":{\"x\":\"/\",\"y\":[3,{\"b\":null,\"k\":true}]},\"z\":1}],\""
  "finished\":\"2026-11-22T12:00:04Z\",\"groups\":[{\"clock\":\"mtime\",\"kind\":\"file\""
  ",\"level\":\"logical-delete\",\"level_reason\":\"unlinked without overwriting\",\"meth"
  "od\":\"unlink (no overwrite)\",\"plugin\":\"unlink\",\"recovered\":false,\"rule\":\"cl"
  "ients \\\"A\\\\B\\\"\",\"store\":\"file\"},{\"clock\":\"mtime\",\"kind\":\"file\",\"le"
  "vel\":\"none\",\"level_reason\":null,\"method\":\"unlink (no overwrite)\",\"plugin\":"
  "\"unlink\",\"recovered\":false,\"rule\":\"clients \\\"A\\\\B\\\"\",\"store\":\"file\"}"
  ",{\"clock\":null,\"kind\":\"file\",\"level\":\"none\",\"level_reason\":null,\"method\""
  ":null,\"plugin\":\"unlink\",\"recovered\":false,\"rule\":\"clients \\\"A\\\\B\\\"\",\""
  "store\":\"file\"},{\"clock\":null,\"kind\":\"file\",\"level\":\"none\",\"level_reason"
  "\":null,\"method\":\"unlink\",\"plugin\":\"unlink\",\"recovered\":false,\"rule\":\"rec"
  "\",\"store\":\"file\"},{\"clock\":null,\"kind\":\"directory\",\"level\":\"logical-dele"
  "te\",\"level_reason\":null,\"method\":\"rmdir (empty directory)\",\"plugin\":\"rmdir\""
  ",\"recovered\":false,\"rule\":\"clients \\\"A\\\\B\\\"\",\"store\":\"file\"}],\"host\""
  ":\"files1\",\"id\":\""
  RUN
  "\",\"issued_at\":\"2026-11-23T08:00:00Z\",\"items\":[[0,\"file:///srv/Clients/Acme/a%2"
  "0b.pdf\",\"deleted\",10,\"Acme\",\"2025-01-02T03:04:05Z\",\"2026-11-22T12:00:01Z\",nul"
  "l,null,0,null],[1,\"file:///srv/Clients/Acme/ro\",\"failed\",7,\"Acme\",\"2025-01-02T0"
  "3:04:05Z\",null,\"Permission denied\",null,null,null],[2,\"file:///srv/Clients/Held/x"
  "\",\"held\",5,null,null,null,null,\"held by litigation at apply time\",null,null],[3,"
  "\"file:///srv/R/m.mp4\",\"skipped\",100,null,null,null,null,\"changed since planned\","
  "null,null],[4,\"file:///srv/Clients/Acme\",\"deleted\",0,null,null,\"2026-11-22T12:00:"
  "03Z\",null,null,null,null]],\"operator\":\"systemd:lethe.service\",\"parts\":[],\"plan"
  "_hash\":\"p1a2b3\",\"previous\":null,\"recovered\":false,\"rules\":[{\"action\":\"unli"
  "nk\",\"basis\":\"Policy \xc2\xa7" "4.2 </script>\",\"clock\":\"mtime\",\"description\""
  ":\"tab\\there\\nnew line \\u0001 caf\xc3\xa9 \xef\xbf\xbd end\",\"method\":\"unlink (n"
  "o overwrite)\",\"name\":\"clients \\\"A\\\\B\\\"\",\"plugin_version\":\"1.0\",\"retain"
  "\":\"12 months\",\"source\":\"file:///srv/Clients\"},{\"action\":\"unlink\",\"basis\":"
  "null,\"clock\":\"mtime\",\"description\":null,\"method\":\"unlink\",\"name\":\"rec\","
  "\"plugin_version\":\"1.0\",\"retain\":\"180 days\",\"source\":\"file:///srv/R\"}],\"sc"
  "hema\":\"lethe-certificate/2\",\"started\":\"2026-11-22T12:00:00Z\",\"status\":\"some-"
  "failed\",\"totals\":{\"bytes_deleted\":10,\"deleted\":2,\"failed\":1,\"held\":1,\"item"
  "s\":5,\"skipped\":1}}\n";

/* The files one certification made, in memory. */
struct made {
  struct dynbuf file[16];
  char name[16][64];
  size_t n;
};

struct fx {
  struct cert_context ctx;
  struct cert_run run;
  struct cert_writer w;
  struct made m;
  char issued[ISOTIME_LEN];
  lethe_rc emit_rc;
};

static int setup(void **state)
{
  struct fx *f = calloc(1, sizeof(*f));
  struct lethe_err err;
  if(!f)
    return -1;
  f->ctx.host = "files1";
  f->ctx.operator_name = "systemd:lethe.service";
  f->ctx.agent_version = "9.9.9";
  if(isotime_parse("2026-11-23T08:00:00Z", &f->ctx.issued_at, &err))
    return -1;
  isotime_format(f->ctx.issued_at, f->issued);
  for(size_t i = 0; i < 16; i++)
    db_init(&f->m.file[i], 64 * 1024 * 1024);
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  struct fx *f = *state;
  cert_writer_release(&f->w);
  cert_run_release(&f->run);
  for(size_t i = 0; i < 16; i++)
    db_release(&f->m.file[i]);
  free(f);
  return 0;
}

static lethe_rc keep_file(void *ctx, const struct cert_file *file, char sha256[SHA256_HEX_LEN])
{
  struct fx *f = ctx;
  struct dynbuf *b;
  if(f->m.n == 16)
    return LETHE_E_RANGE;
  b = &f->m.file[f->m.n];
  snprintf(f->m.name[f->m.n++], sizeof(f->m.name[0]), "%s", file->name);
  for(size_t i = 0; i < file->n; i++)
    if(db_add(b, file->v[i].iov_base, file->v[i].iov_len))
      return LETHE_E_NOMEM;
  sha256_hex_iov(file->v, file->n, sha256);
  return LETHE_OK;
}

static lethe_rc add_item(void *ctx, const struct cert_item *it)
{
  return cert_writer_add(&((struct fx *)ctx)->w, it);
}

/* Certify journal text: its parts, then its head (last in f->m). */
static void make(struct fx *f, const char *text, size_t part_bytes, const char *previous)
{
  struct cert_journal j = { .name = RUN ".jsonl", .text = text, .len = strlen(text) };
  struct cert_head h = { .run = &f->run, .ctx = &f->ctx, .issued_at = f->issued,
                         .previous = previous };
  struct cert_file head = { .n = 0 };
  char sha[SHA256_HEX_LEN];
  struct lethe_err err = { 0 };
  lethe_rc rc = cert_run_read(&j, &f->run, &err);
  if(rc)
    fail_msg("cert_run_read: %d %s", rc, err.msg);
  cert_writer_init(&f->w, f->run.id, keep_file, f);
  if(part_bytes)
    f->w.part_bytes = part_bytes;
  rc = cert_journal_items(&j, add_item, f, &err);
  if(!rc)
    rc = cert_writer_finish(&f->w);
  if(!rc)
    rc = cert_writer_head(&f->w, &h, &head);
  if(!rc)
    rc = keep_file(f, &head, sha);
  if(rc)
    fail_msg("certifying: %d %s", rc, err.msg);
}

static const char *head_of(const struct fx *f)
{
  return db_str(&f->m.file[f->m.n - 1]);
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
  make(f, journal, 0, NULL);
  assert_int_equal(f->m.n, 1);
  assert_string_equal(f->m.name[0], RUN ".json");
  if(getenv("SHOW_CERT"))
    fprintf(stderr, "%s", head_of(f));
  assert_same_text(expected, head_of(f));
}

/* ---- reading ------------------------------------------------------------- */

/* The items a reader gives, as one line each. */
struct seen {
  struct dynbuf text;
  size_t n;
};

static lethe_rc see(void *ctx, const struct cert_item *it)
{
  struct seen *s = ctx;
  s->n++;
  return db_addf(&s->text, "%s|%s|%s|%llu|%s|%s=%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%d|%s\n",
                 it->uri ? it->uri : "-", it->result ? it->result : "-",
                 it->subject ? it->subject : "-", (unsigned long long)it->size,
                 it->deleted_at ? it->deleted_at : "-",
                 it->clock_name ? it->clock_name : "-", it->clock_value ? it->clock_value : "-",
                 it->error ? it->error : "-", it->reason ? it->reason : "-",
                 it->rule ? it->rule : "-", it->plugin ? it->plugin : "-",
                 it->method ? it->method : "-", it->level ? it->level : "-",
                 it->level_reason ? it->level_reason : "-", it->kind ? it->kind : "-",
                 it->store ? it->store : "-", it->message_id_sha256 ? it->message_id_sha256 : "-",
                 it->detail ? it->detail : "-", it->recovered, "");
}

/* Read text through a reader, in pieces of chunk bytes. */
static lethe_rc read_text(struct cert_reader *r, const char *text, size_t len, size_t chunk)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < len && !rc; i += chunk)
    rc = cert_reader_feed(r, text + i, len - i < chunk ? len - i : chunk);
  return rc ? rc : cert_reader_finish(r);
}

/* The items straight from the journal, as the writer got them. */
static void journal_items(const char *text, struct seen *s)
{
  struct cert_journal j = { .name = RUN ".jsonl", .text = text, .len = strlen(text) };
  struct lethe_err err = { 0 };
  assert_int_equal(cert_journal_items(&j, see, s, &err), LETHE_OK);
}

static void test_reads_what_it_wrote(void **state)
{
  struct fx *f = *state;
  struct seen want = { .n = 0 }, got = { .n = 0 };
  struct cert_reader r;
  db_init(&want.text, 1 << 20);
  db_init(&got.text, 1 << 20);
  make(f, journal, 0, NULL);
  journal_items(journal, &want);
  cert_reader_init(&r, true, see, &got);
  if(read_text(&r, head_of(f), strlen(head_of(f)), 7))
    fail_msg("reading back: %s", cert_reader_why(&r));
  assert_string_equal(cert_reader_str(&r, "schema"), CERTIFICATE_SCHEMA);
  assert_int_equal(got.n, 5);
  assert_same_text(db_str(&want.text), db_str(&got.text));
  cert_reader_release(&r);
  db_release(&want.text);
  db_release(&got.text);
}

/* A lethe-certificate/1 certificate reads as the same items. */
static void test_reads_version_1(void **state)
{
  struct seen want = { .n = 0 }, got = { .n = 0 };
  struct cert_reader r;
  (void)state;
  db_init(&want.text, 1 << 20);
  db_init(&got.text, 1 << 20);
  journal_items(journal, &want);
  cert_reader_init(&r, true, see, &got);
  if(read_text(&r, v1_expected, strlen(v1_expected), 1))
    fail_msg("reading version 1: %s", cert_reader_why(&r));
  assert_string_equal(cert_reader_str(&r, "schema"), CERTIFICATE_SCHEMA_V1);
  assert_string_equal(cert_reader_str(&r, "id"), RUN);
  assert_null(cert_reader_str(&r, "previous"));
  assert_int_equal(got.n, 5);
  assert_same_text(db_str(&want.text), db_str(&got.text));
  cert_reader_release(&r);
  db_release(&want.text);
  db_release(&got.text);
}

/* Small parts: every file canonical, the head lists each with its hash and
 * count, and the parts in order give every item. */
static void test_parts(void **state)
{
  struct fx *f = *state;
  struct seen want = { .n = 0 }, got = { .n = 0 };
  struct json_object *parts;
  db_init(&want.text, 1 << 20);
  db_init(&got.text, 1 << 20);
  make(f, journal, 600, NULL);
  journal_items(journal, &want);
  assert_true(f->m.n >= 3);
  for(size_t i = 0; i + 1 < f->m.n; i++) {
    struct cert_reader r;
    char name[64], sha[SHA256_HEX_LEN];
    struct json_object *entry;
    certificate_part_name(RUN, (unsigned)i + 1, name, sizeof(name));
    assert_string_equal(f->m.name[i], name);
    cert_reader_init(&r, true, see, &got);
    if(read_text(&r, db_str(&f->m.file[i]), f->m.file[i].len, 13))
      fail_msg("part %zu: %s", i + 1, cert_reader_why(&r));
    assert_string_equal(cert_reader_str(&r, "schema"), CERTIFICATE_PART_SCHEMA);
    assert_string_equal(cert_reader_str(&r, "certificate"), RUN);
    assert_int_equal(json_object_get_int(cert_reader_get(&r, "part")), (int)i + 1);
    cert_reader_release(&r);
    cert_reader_init(&r, true, NULL, NULL);
    assert_int_equal(read_text(&r, head_of(f), strlen(head_of(f)), 4096), LETHE_OK);
    parts = cert_reader_get(&r, "parts");
    assert_int_equal(json_object_array_length(parts), f->m.n - 1);
    assert_int_equal(r.n_items, 0);
    entry = json_object_array_get_idx(parts, i);
    sha256_hex(f->m.file[i].mem, f->m.file[i].len, sha);
    assert_string_equal(json_object_get_string(json_object_object_get(entry, "file")), name);
    assert_string_equal(json_object_get_string(json_object_object_get(entry, "sha256")), sha);
    cert_reader_release(&r);
  }
  assert_same_text(db_str(&want.text), db_str(&got.text));
  assert_non_null(strstr(head_of(f), "\"items\":[],"));
  assert_non_null(strstr(head_of(f), "\"totals\":{\"bytes_deleted\":10,\"deleted\":2,"
                         "\"failed\":1,\"held\":1,\"items\":5,\"skipped\":1}"));
  db_release(&want.text);
  db_release(&got.text);
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
  make(f, text, 0, NULL);
  assert_true(f->run.ended);
  assert_int_equal(f->w.items, 0);
  assert_non_null(strstr(head_of(f), "\"items\":[],"));
  assert_non_null(strstr(head_of(f), "\"parts\":[],"));
  assert_non_null(strstr(head_of(f), "\"rules\":[],"));
  assert_non_null(strstr(head_of(f), "\"totals\":{\"bytes_deleted\":0,\"deleted\":0,"
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
  struct cert_journal j = { .name = RUN ".jsonl", .text = torn, .len = strlen(torn) };
  struct cert_run run;
  struct lethe_err err = { 0 };
  assert_int_equal(cert_run_read(&j, &run, &err), LETHE_OK);
  assert_false(run.ended);
  cert_run_release(&run);
  make(f, recovered, 0, NULL);
  assert_true(f->run.ended);
  assert_true(f->run.recovered);
  assert_int_equal(f->w.deleted, 1);
  assert_non_null(strstr(head_of(f), "\"recovered\":true,\"rule\":\"r\""));
  assert_non_null(strstr(head_of(f), "\"recovered\":true,\"rules\""));
}

/* An intent whose outcome never came is a failure that says so. */
static void test_no_outcome(void **state)
{
  struct fx *f = *state;
  static const char text[] =
    "{\"run\":\"" RUN "\",\"plan\":\"h\",\"started\":\"2026-11-22T12:00:00Z\",\"type\":"
    "\"begin\"}\n"
    "{\"action\":\"unlink\",\"uri\":\"file:///a\",\"rule\":\"r\",\"size\":3,\"seq\":1,"
    "\"type\":\"intent\"}\n"
    "{\"finished\":\"2026-11-22T13:00:00Z\",\"status\":\"done\",\"type\":\"end\"}\n";
  make(f, text, 0, NULL);
  assert_int_equal(f->w.failed, 1);
  assert_non_null(strstr(head_of(f), "\"failed\",3,null,null,null,\"no outcome recorded in the "
                         "journal\",null,null,null]"));
}

static void test_previous_and_names(void **state)
{
  struct fx *f = *state;
  char dir[64], name[64], hex[SHA256_HEX_LEN], id[UUID_TEXT_LEN];
  unsigned part = 0;
  sha256_hex("abc", 3, hex);
  assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  make(f, journal, 0, hex);
  assert_non_null(strstr(head_of(f), "\"previous\":\"ba7816bf8f01cfea"));
  certificate_dir(f->issued, dir, sizeof(dir));
  assert_string_equal(dir, "certificates/2026/11");
  certificate_part_name(RUN, 12, name, sizeof(name));
  assert_string_equal(name, RUN ".part-0012.json");
  assert_int_equal(certificate_file_kind(name, id, &part), CERT_FILE_PART);
  assert_int_equal(part, 12);
  assert_string_equal(id, RUN);
  assert_int_equal(certificate_file_kind(RUN ".json", id, &part), CERT_FILE_HEAD);
  assert_int_equal(certificate_file_kind(RUN ".json.sig", id, &part), CERT_FILE_HEAD_SIG);
  assert_int_equal(certificate_file_kind(RUN ".part-0001.json.sig", id, &part),
                   CERT_FILE_PART_SIG);
  assert_int_equal(certificate_file_kind(RUN ".part-0000.json", id, &part), CERT_FILE_OTHER);
  assert_int_equal(certificate_file_kind(RUN ".part-1.json", id, &part), CERT_FILE_OTHER);
  assert_int_equal(certificate_file_kind("notes.json", id, &part), CERT_FILE_OTHER);
  assert_int_equal(certificate_file_kind(RUN ".JSON", id, &part), CERT_FILE_OTHER);
  assert_int_equal(f->run.n_rules, 2);
  assert_string_equal(f->run.rules[1].rule.name, "rec");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_exact_bytes, setup, teardown),
    cmocka_unit_test_setup_teardown(test_reads_what_it_wrote, setup, teardown),
    cmocka_unit_test(test_reads_version_1),
    cmocka_unit_test_setup_teardown(test_parts, setup, teardown),
    cmocka_unit_test(test_canonical_json),
    cmocka_unit_test(test_deep_nesting_refused),
    cmocka_unit_test_setup_teardown(test_empty_run, setup, teardown),
    cmocka_unit_test_setup_teardown(test_unfinished_and_recovered, setup, teardown),
    cmocka_unit_test_setup_teardown(test_no_outcome, setup, teardown),
    cmocka_unit_test_setup_teardown(test_previous_and_names, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

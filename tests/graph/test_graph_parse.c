/* Tests of what lib/graph reads from the network and from files: JSON
 * replies, $batch replies, token replies, the credentials file, identities
 * and source URIs. Malformed, truncated, oversized and wrongly typed input
 * must give a clear error, never a crash (the suite's second pass runs
 * this under ASan and UBSan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_batch.h"
#include "graph_creds.h"
#include "graph_ident.h"
#include "graph_json.h"
#include "graph_token.h"
#include "graph_uri.h"

/* ---- JSON ------------------------------------------------------------------------ */

static lethe_rc parse(const char *s, struct lethe_err *err)
{
  struct json_object *o = NULL;
  lethe_rc rc = gj_parse(s, strlen(s), "test", &o, err);
  json_object_put(o);
  return rc;
}

static void json_malformed(void **state)
{
  struct lethe_err err = { 0 };
  char deep[200];
  (void)state;
  assert_int_equal(parse("{\"a\": [1, 2]}", &err), LETHE_OK);
  assert_int_equal(parse("{\"a\": [1, 2", &err), LETHE_E_PARSE);
  assert_non_null(strstr(err.msg, "truncated"));
  assert_int_equal(parse("{\"a\": 1} {", &err), LETHE_E_PARSE);
  assert_int_equal(parse("{\"a\": 1} x", &err), LETHE_E_PARSE);
  assert_int_equal(parse("{\"a\": 1}\n", &err), LETHE_OK);
  assert_int_equal(parse("{\"a\" 1}", &err), LETHE_E_PARSE);
  assert_int_equal(parse("", &err), LETHE_E_PARSE);
  assert_int_equal(parse("\xff\xfe", &err), LETHE_E_PARSE);
  memset(deep, '[', sizeof(deep) - 1);
  deep[sizeof(deep) - 1] = '\0';
  assert_int_equal(parse(deep, &err), LETHE_E_PARSE); /* deeper than the limit */
}

static void json_getters(void **state)
{
  struct lethe_err err = { 0 };
  struct json_object *o = NULL;
  const char *text = "{\"s\":\"x\",\"n\":5,\"d\":\"42\",\"neg\":\"-1\",\"t\":\"2025-11-22T12:00:00.1234567Z\","
                     "\"b\":true,\"arr\":[],\"obj\":{}}";
  int64_t v;
  bool b;
  (void)state;
  assert_int_equal(gj_parse(text, strlen(text), "t", &o, &err), LETHE_OK);
  assert_string_equal(gj_str(o, "s", NULL), "x");
  assert_null(gj_str(o, "n", NULL));
  assert_true(gj_int(o, "n", &v) && v == 5);
  assert_true(gj_int(o, "d", &v) && v == 42);
  assert_false(gj_int(o, "neg", &v));
  assert_false(gj_int(o, "s", &v));
  assert_true(gj_time(o, "t", &v) && v == 1763812800);
  assert_false(gj_time(o, "s", &v));
  assert_true(gj_bool(o, "b", &b) && b);
  assert_non_null(gj_arr(o, "arr"));
  assert_null(gj_arr(o, "obj"));
  assert_null(gj_obj(o, "arr"));
  assert_null(gj_str(NULL, "s", NULL));
  json_object_put(o);
}

static void json_error_text(void **state)
{
  struct lethe_err err = { 0 };
  struct json_object *o = NULL;
  const char *text = "{\"error\":{\"code\":\"ErrorItemNotFound\",\"message\":\"gone\\u0007 now\\r\\nTrace\","
                     "\"innerError\":{\"code\":\"inner\"}}}";
  char out[64];
  const char *inner;
  (void)state;
  assert_int_equal(gj_parse(text, strlen(text), "t", &o, &err), LETHE_OK);
  gj_error_text(o, out, sizeof(out));
  assert_string_equal(out, "ErrorItemNotFound (inner): gone? now");
  assert_string_equal(gj_error_code(o, &inner), "ErrorItemNotFound");
  assert_string_equal(inner, "inner");
  gj_error_text(NULL, out, sizeof(out));
  assert_string_equal(out, "");
  gj_error_text(o, out, 8);
  assert_int_equal(strlen(out), 7);
  json_object_put(o);
}

/* ---- $batch replies ---------------------------------------------------------------- */

struct seen {
  char ids[64][40];
  long status[64];
  double retry[64];
  bool body[64];
  char rid[64][80];
  size_t n;
};

static lethe_rc collect(void *ctx, const struct graph_answer *a, struct lethe_err *err)
{
  struct seen *s = ctx;
  (void)err;
  if(s->n == 64)
    return LETHE_E_RANGE;
  snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", a->id);
  s->status[s->n] = a->status;
  s->retry[s->n] = a->retry_after;
  s->body[s->n] = a->body != NULL;
  snprintf(s->rid[s->n], sizeof(s->rid[0]), "%s", a->request_id ? a->request_id : "");
  s->n++;
  return LETHE_OK;
}

static lethe_rc batch(const char *text, struct seen *s, struct lethe_err *err)
{
  memset(s, 0, sizeof(*s));
  return graph_batch_parse(text, strlen(text), collect, s, err);
}

#define GOOD "{\"responses\":[{\"id\":\"1\",\"status\":204,\"headers\":{\"request-id\":\"r-1\"}}," \
             "{\"id\":\"0\",\"status\":429,\"headers\":{\"Retry-After\":\"2.5\"}," \
             "\"body\":{\"error\":{\"code\":\"TooManyRequests\"}}}," \
             "{\"id\":\"2\",\"status\":200,\"headers\":{\"retry-after\":3},\"body\":\"aGVsbG8=\"}]}"

static void batch_good(void **state)
{
  struct lethe_err err = { 0 };
  struct seen s;
  (void)state;
  assert_int_equal(batch(GOOD, &s, &err), LETHE_OK);
  assert_int_equal(s.n, 3);
  assert_string_equal(s.ids[0], "1");
  assert_int_equal(s.status[0], 204);
  assert_string_equal(s.rid[0], "r-1");
  assert_true(s.retry[0] < 0);
  assert_int_equal(s.status[1], 429);
  assert_true(s.retry[1] > 2.49 && s.retry[1] < 2.51);
  assert_true(s.body[1]);
  assert_true(s.retry[2] > 2.99 && s.retry[2] < 3.01);
  assert_false(s.body[2]); /* a base64 body is not a JSON object */
}

static void batch_hostile(void **state)
{
  static const char *const bad[] = {
    "{}",
    "{\"responses\":{}}",
    "{\"responses\":[1]}",
    "{\"responses\":[{\"status\":200}]}",
    "{\"responses\":[{\"id\":7,\"status\":200}]}",
    "{\"responses\":[{\"id\":\"\",\"status\":200}]}",
    "{\"responses\":[{\"id\":\"123456789012345678901234567890123\",\"status\":200}]}",
    "{\"responses\":[{\"id\":\"1\",\"status\":\"200\"}]}",
    "{\"responses\":[{\"id\":\"1\",\"status\":99}]}",
    "{\"responses\":[{\"id\":\"1\",\"status\":600}]}",
    "{\"responses\":[{\"id\":\"1\",\"status\":200.5}]}",
    "{\"responses\":[{\"id\":\"1\",\"status\":200,\"headers\":[]}]}",
    "{\"responses\":[{\"id\":\"a\",\"status\":200},{\"id\":\"A\",\"status\":200}]}",
    "{\"responses\":[{\"id\":\"a\\u0000b\",\"status\":200}]}",
  };
  struct lethe_err err = { 0 };
  struct seen s;
  (void)state;
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    lethe_rc rc = batch(bad[i], &s, &err);
    if(rc != LETHE_E_PROTOCOL)
      fail_msg("reply %zu gave %d, expected a protocol error: %s", i, rc, bad[i]);
    assert_true(err.msg[0] != '\0');
  }
}

/* Every prefix of a good reply is refused cleanly, and so is a reply with any
 * one byte changed to something else. */
static void batch_truncated_and_mangled(void **state)
{
  struct lethe_err err = { 0 };
  struct seen s;
  char buf[sizeof(GOOD)];
  size_t n = strlen(GOOD);
  (void)state;
  for(size_t len = 0; len < n; len++) {
    memset(&s, 0, sizeof(s));
    assert_int_not_equal(graph_batch_parse(GOOD, len, collect, &s, &err), LETHE_OK);
  }
  for(size_t i = 0; i < n; i++) {
    static const char subst[] = "\"{}[],:0x\\\x01\xff";
    for(size_t j = 0; j < sizeof(subst) - 1; j++) {
      memcpy(buf, GOOD, n + 1);
      buf[i] = subst[j];
      memset(&s, 0, sizeof(s));
      lethe_rc rc = graph_batch_parse(buf, n, collect, &s, &err); /* any answer, no crash */
      assert_true(rc == LETHE_OK || err.msg[0]);
    }
  }
}

static void batch_oversized(void **state)
{
  struct lethe_err err = { 0 };
  struct seen s;
  size_t cap = 2000 * 40 + 64, used;
  char *big = malloc(cap);
  (void)state;
  assert_non_null(big);
  used = (size_t)snprintf(big, cap, "{\"responses\":[");
  for(int i = 0; i < 1500; i++)
    used += (size_t)snprintf(big + used, cap - used, "%s{\"id\":\"%d\",\"status\":200}", i ? "," : "", i);
  snprintf(big + used, cap - used, "]}");
  memset(&s, 0, sizeof(s));
  assert_int_equal(graph_batch_parse(big, strlen(big), collect, &s, &err), LETHE_E_PROTOCOL);
  assert_int_equal(s.n, 0);
  free(big);
}

static void batch_envelope(void **state)
{
  struct graph_sub subs[3];
  size_t idx[] = { 2, 0 };
  struct dynbuf out;
  (void)state;
  memset(subs, 0, sizeof(subs));
  subs[0].method = "POST";
  snprintf(subs[0].url, sizeof(subs[0].url), "/users/a/messages/X%%3D/permanentDelete");
  subs[2].method = "DELETE";
  snprintf(subs[2].url, sizeof(subs[2].url), "/drives/b!1/items/01");
  snprintf(subs[2].if_match, sizeof(subs[2].if_match), "\"{AB},3\"");
  db_init(&out, 65536);
  assert_int_equal(graph_batch_envelope(subs, idx, 2, true, GRAPH_REQ_IMMUTABLE, &out), LETHE_OK);
  assert_string_equal(out.mem,
    "{\"requests\":[{\"headers\":{\"If-Match\":\"\\\"{AB},3\\\"\",\"Prefer\":\"IdType=\\\"ImmutableId\\\"\"},"
    "\"id\":\"2\",\"method\":\"DELETE\",\"url\":\"/drives/b!1/items/01\"},"
    "{\"dependsOn\":[\"2\"],\"headers\":{\"Prefer\":\"IdType=\\\"ImmutableId\\\"\"},\"id\":\"0\","
    "\"method\":\"POST\",\"url\":\"/users/a/messages/X%3D/permanentDelete\"}]}");
  db_release(&out);
}

/* ---- token replies ------------------------------------------------------------------ */

static lethe_rc token(long status, const char *body, struct graph_token *t, struct lethe_err *e)
{
  return graph_token_parse(status, body, strlen(body), t, e);
}

static void token_replies(void **state)
{
  struct graph_token *t = calloc(1, sizeof(*t));
  struct lethe_err err = { 0 };
  char *huge;
  (void)state;
  assert_non_null(t);
  assert_int_equal(token(200, "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"abc.def\"}",
                         t, &err), LETHE_OK);
  assert_string_equal(t->value, "abc.def");
  assert_int_equal(t->expires_in, 3599);
  assert_int_equal(token(200, "{\"token_type\":\"bearer\",\"expires_in\":\"60\",\"access_token\":\"x\"}",
                         t, &err), LETHE_OK);
  assert_int_equal(t->expires_in, 60);
  assert_int_equal(token(200, "{\"token_type\":\"Bearer\",\"access_token\":\"x\"}", t, &err),
                   LETHE_E_PROTOCOL);
  assert_int_equal(token(200, "{\"token_type\":\"MAC\",\"expires_in\":1,\"access_token\":\"x\"}", t,
                         &err), LETHE_E_PROTOCOL);
  assert_int_equal(token(200, "{\"token_type\":\"Bearer\",\"expires_in\":1,\"access_token\":\"a b\"}",
                         t, &err), LETHE_E_PROTOCOL);
  assert_int_equal(token(200, "{\"token_type\":\"Bearer\",\"expires_in\":-5,\"access_token\":\"x\"}",
                         t, &err), LETHE_E_PROTOCOL);
  assert_int_equal(token(200, "{\"token_type\":\"Bearer\",", t, &err), LETHE_E_PARSE);
  assert_int_equal(token(401, "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: "
                         "Invalid client secret provided.\\r\\nTrace ID: 1\"}", t, &err),
                   LETHE_E_CONFIG);
  assert_non_null(strstr(err.msg, "AADSTS7000215: Invalid client secret provided."));
  assert_null(strstr(err.msg, "Trace"));
  assert_int_equal(token(502, "<html>bad gateway</html>", t, &err), LETHE_E_PROTOCOL);
  huge = malloc(GRAPH_TOKEN_MAX + 200);
  assert_non_null(huge);
  {
    int head = snprintf(huge, 100, "{\"token_type\":\"Bearer\",\"expires_in\":1,\"access_token\":\"");
    memset(huge + head, 'a', GRAPH_TOKEN_MAX + 1);
    memcpy(huge + head + GRAPH_TOKEN_MAX + 1, "\"}", 3);
  }
  assert_int_equal(token(200, huge, t, &err), LETHE_E_PROTOCOL); /* longer than any token */
  free(huge);
  free(t);
}

/* ---- credentials files --------------------------------------------------------------- */

static lethe_rc creds(const char *text, struct graph_creds *c, struct lethe_err *err)
{
  return graph_creds_parse("/etc/lethe/graph.cred", text, strlen(text), c, err);
}

static void creds_files(void **state)
{
  struct graph_creds *c = calloc(1, sizeof(*c));
  struct lethe_err err = { 0 };
  char *longline;
  (void)state;
  assert_non_null(c);
  assert_int_equal(creds("# app\ntenant = contoso.onmicrosoft.com\nclient-id=0e7c-1\n"
                         "certificate = app.pem\n  private-key = /k/app.key  \r\n; x\n", c, &err),
                   LETHE_OK);
  assert_string_equal(c->tenant, "contoso.onmicrosoft.com");
  assert_string_equal(c->certificate, "/etc/lethe/app.pem");
  assert_string_equal(c->private_key, "/k/app.key");
  assert_false(c->has_secret);
  assert_int_equal(c->alg, GRAPH_ALG_PS256);
  assert_int_equal(creds("tenant=t\nclient-id=c\nclient-secret = a=b~c \nassertion = RS256\n", c,
                         &err), LETHE_OK);
  assert_string_equal(c->secret, "a=b~c");
  assert_int_equal(creds("tenant=t\nclient-id=c\nclient-secret=s\ncertificate=x\nprivate-key=y\n",
                         c, &err), LETHE_E_CONFIG);
  assert_int_equal(creds("tenant=t\nclient-id=c\ncertificate=x\n", c, &err), LETHE_E_CONFIG);
  assert_int_equal(creds("client-id=c\nclient-secret=s\n", c, &err), LETHE_E_CONFIG);
  assert_int_equal(creds("tenant=a/b\nclient-id=c\nclient-secret=s\n", c, &err), LETHE_E_CONFIG);
  assert_int_equal(creds("tenant=t\nclient-id=c\nclient-secret=s\npassword=hunter2\n", c, &err),
                   LETHE_E_CONFIG);
  assert_non_null(strstr(err.msg, "/etc/lethe/graph.cred:4: unknown key 'password'"));
  assert_null(strstr(err.msg, "hunter2"));
  assert_int_equal(creds("tenant=t\ntenant=u\n", c, &err), LETHE_E_CONFIG);
  assert_int_equal(creds("tenant t\n", c, &err), LETHE_E_CONFIG);
  assert_int_equal(creds("tenant=t\nclient-id=c\nclient-secret=s\nassertion=HS256\n", c, &err),
                   LETHE_E_CONFIG);
  longline = malloc(10000);
  assert_non_null(longline);
  memset(longline, 'x', 9999);
  longline[9999] = '\0';
  memcpy(longline, "client-secret=", 14);
  assert_int_equal(creds(longline, c, &err), LETHE_E_CONFIG);
  free(longline);
  for(size_t i = 0; i < sizeof(*c); i++) /* a refused file leaves nothing behind */
    assert_int_equal(((unsigned char *)c)[i], 0);
  free(c);
}

/* ---- identities and URIs ---------------------------------------------------------------- */

static void identities(void **state)
{
  struct graph_ident p;
  char out[256];
  (void)state;
  assert_true(graph_ident_parse("id=AAkAL-_= changekey=CQAA/+=", &p));
  assert_null(p.drive);
  assert_int_equal(p.id_len, 8);
  assert_memory_equal(p.tag, "CQAA/+=", 7);
  assert_true(graph_ident_parse("drive=b!x_1 id=01AB etag=\"{G},3\"", &p));
  assert_memory_equal(p.drive, "b!x_1", 5);
  assert_memory_equal(p.tag, "\"{G},3\"", 7);
  assert_false(graph_ident_parse("id=a changekey=b ", &p));
  assert_false(graph_ident_parse("id=a  changekey=b", &p));
  assert_false(graph_ident_parse("id= changekey=b", &p));
  assert_false(graph_ident_parse("changekey=b id=a", &p));
  assert_false(graph_ident_parse("id=a changekey=b extra=c", &p));
  assert_false(graph_ident_parse("uidvalidity=1 uid=2", &p));
  assert_false(graph_ident_parse("drive=d id=a changekey=b", &p));
  assert_false(graph_ident_parse("id=a\x01 changekey=b", &p));
  assert_false(graph_ident_parse(NULL, &p));
  assert_true(graph_ident_format(out, sizeof(out), NULL, "AB", 2, "CK", 2));
  assert_string_equal(out, "id=AB changekey=CK");
  assert_false(graph_ident_format(out, sizeof(out), NULL, "A B", 3, "CK", 2));
  assert_string_equal(out, "");
  assert_false(graph_ident_format(out, 10, NULL, "ABCDEFGH", 8, "CK", 2));
}

static void sources(void **state)
{
  struct graph_source s;
  struct lethe_err err = { 0 };
  (void)state;
  assert_int_equal(graph_source_parse("graph://cs@example.org/mail/4, Dormant Clients", &s, &err),
                   LETHE_OK);
  assert_int_equal(s.kind, GRAPH_MAIL);
  assert_string_equal(s.mailbox, "cs@example.org");
  assert_string_equal(s.parts[0], "4, Dormant Clients");
  assert_string_equal(s.base, "graph://cs@example.org/mail/4,%20Dormant%20Clients");
  graph_source_release(&s);
  assert_int_equal(graph_source_parse("graph://cs@example.org/mail/Inbox/R%C3%A9clamations/a%2Fb",
                                      &s, &err), LETHE_OK);
  assert_int_equal(s.n_parts, 3);
  assert_string_equal(s.parts[1], "R\xc3\xa9" "clamations");
  assert_string_equal(s.parts[2], "a/b");
  assert_string_equal(s.base_raw, "graph://cs@example.org/mail/Inbox/R\xc3\xa9" "clamations/a/b");
  assert_string_equal(s.base, "graph://cs@example.org/mail/Inbox/R%C3%A9clamations/a%2Fb");
  graph_source_release(&s);
  assert_int_equal(graph_source_parse("graph://drive/example.sharepoint.com/sites/Clients/"
                                      "Documents/Recordings", &s, &err), LETHE_OK);
  assert_int_equal(s.kind, GRAPH_DRIVE);
  assert_string_equal(s.host, "example.sharepoint.com");
  assert_string_equal(s.site, "/sites/Clients");
  assert_string_equal(s.library, "Documents");
  assert_string_equal(s.parts[0], "Recordings");
  assert_string_equal(s.base, "graph://drive/example.sharepoint.com/sites/Clients/Documents/Recordings");
  graph_source_release(&s);
  assert_int_equal(graph_source_parse("graph://drive/cs@example.org", &s, &err), LETHE_OK);
  assert_string_equal(s.user, "cs@example.org");
  assert_int_equal(s.n_parts, 0);
  graph_source_release(&s);
  assert_int_equal(graph_source_parse("graph://cs@example.org/calendar/A/B", &s, &err), LETHE_E_PARSE);
  assert_int_equal(graph_source_parse("graph://cs@example.org/mail", &s, &err), LETHE_E_PARSE);
  assert_int_equal(graph_source_parse("graph://cs@example.org/mail/a//b", &s, &err), LETHE_E_PARSE);
  assert_int_equal(graph_source_parse("graph://cs@example.org/mail/a/", &s, &err), LETHE_E_PARSE);
  assert_int_equal(graph_source_parse("graph://cs@example.org/mail/..", &s, &err), LETHE_E_PARSE);
  assert_int_equal(graph_source_parse("graph://cs@example.org/mail/%zz", &s, &err), LETHE_E_PARSE);
  assert_int_equal(graph_source_parse("graph://cs@example.org/mail/a%00b", &s, &err), LETHE_E_PARSE);
  assert_int_equal(graph_source_parse("graph://c s/mail/x", &s, &err), LETHE_E_PARSE);
  assert_int_equal(graph_source_parse("graph://drive/example.sharepoint.com/Documents", &s, &err),
                   LETHE_E_PARSE);
  assert_int_equal(graph_source_parse("imap://x/y", &s, &err), LETHE_E_PARSE);
  assert_non_null(strstr(err.msg, "imap://x/y"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(json_malformed),
    cmocka_unit_test(json_getters),
    cmocka_unit_test(json_error_text),
    cmocka_unit_test(batch_good),
    cmocka_unit_test(batch_hostile),
    cmocka_unit_test(batch_truncated_and_mangled),
    cmocka_unit_test(batch_oversized),
    cmocka_unit_test(batch_envelope),
    cmocka_unit_test(token_replies),
    cmocka_unit_test(creds_files),
    cmocka_unit_test(identities),
    cmocka_unit_test(sources),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

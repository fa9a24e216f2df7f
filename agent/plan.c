#include "plan.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"
#include "text.h"
#include "uri.h"

/* One entry line is bounded: paths are encoded, reasons are bounded. */
#define LINE_MAX_BYTES (8 * 1024 * 1024)

static const char *const store_names[] = {
  [STORE_FILE] = "file", [STORE_IMAP] = "imap", [STORE_GRAPH] = "graph",
  [STORE_ARCHIVE] = "archive",
};

static const char *const kind_names[] = {
  [ITEM_FILE] = "file", [ITEM_SYMLINK] = "symlink", [ITEM_OTHER] = "other",
  [ITEM_DIRECTORY] = "directory", [ITEM_MESSAGE] = "message",
};

lethe_rc plan_init(struct plan *p, int64_t now, struct lethe_err *err)
{
  char when[ISOTIME_LEN];
  memset(p, 0, sizeof(*p));
  p->now = now;
  db_init(&p->line, LINE_MAX_BYTES);
  p->spool = tmpfile();
  if(!p->spool)
    return err_sys(err, LETHE_E_IO, "cannot create the plan's spool file");
  p->sha = EVP_MD_CTX_new();
  if(!p->sha || !EVP_DigestInit_ex(p->sha, EVP_sha256(), NULL))
    return err_set(err, LETHE_E_NOMEM, "cannot start SHA-256");
  isotime_format(now, when);
  EVP_DigestUpdate(p->sha, PLAN_SCHEMA "\n", sizeof(PLAN_SCHEMA));
  EVP_DigestUpdate(p->sha, when, strlen(when));
  EVP_DigestUpdate(p->sha, "\n", 1);
  return LETHE_OK;
}

lethe_rc plan_begin_rule(struct plan *p, const struct rule *r, struct plan_rule **out)
{
  struct plan_rule *rules = realloc(p->rules, (p->n_rules + 1) * sizeof(*rules));
  struct plan_rule *pr;
  if(!rules)
    return LETHE_E_NOMEM;
  p->rules = rules;
  pr = &rules[p->n_rules++];
  memset(pr, 0, sizeof(*pr));
  pr->rule = r;
  pr->spool_begin = ftell(p->spool);
  pr->spool_end = pr->spool_begin;
  *out = pr;
  return LETHE_OK;
}

static lethe_rc add_string(struct json_object *o, const char *key, const char *value)
{
  struct json_object *s = value ? json_object_new_string(value) : json_object_new_null();
  if(value && !s)
    return LETHE_E_NOMEM;
  return json_object_object_add(o, key, s) ? LETHE_E_NOMEM : LETHE_OK;
}

static lethe_rc add_time(struct json_object *o, const char *key, bool has, int64_t t)
{
  char buf[ISOTIME_LEN];
  if(!has)
    return add_string(o, key, NULL);
  isotime_format(t, buf);
  return add_string(o, key, buf);
}

static lethe_rc add_encoded(struct json_object *o, const char *key, const char *s, size_t n)
{
  struct dynbuf b;
  lethe_rc rc;
  if(!s)
    return add_string(o, key, NULL);
  db_init(&b, LINE_MAX_BYTES);
  rc = uri_encode_path(s, n, &b);
  if(!rc)
    rc = add_string(o, key, db_str(&b));
  db_release(&b);
  return rc;
}

static lethe_rc add_printable(struct json_object *o, const char *key, const char *s)
{
  struct dynbuf b;
  lethe_rc rc;
  if(!s)
    return add_string(o, key, NULL);
  db_init(&b, LINE_MAX_BYTES);
  rc = text_add_printable(&b, s, strlen(s));
  if(!rc)
    rc = add_string(o, key, db_str(&b));
  db_release(&b);
  return rc;
}

static lethe_rc add_clock(struct json_object *o, const struct rule *r, const struct verdict *v)
{
  struct json_object *c = json_object_new_object();
  lethe_rc rc;
  if(!c)
    return LETHE_E_NOMEM;
  rc = add_string(c, "name", clock_name(r->clock));
  if(!rc)
    rc = add_time(c, "value", v->has_clock, v->clock);
  if(!rc && json_object_object_add(o, "clock", c))
    rc = LETHE_E_NOMEM;
  if(rc)
    json_object_put(c);
  return rc;
}

/* The entry object, keys inserted in sorted order so that the text is
 * canonical (json-c keeps insertion order). */
static lethe_rc build_entry(const struct rule *r, const struct item *it, const char *uri,
                            const struct verdict *v, struct json_object *o)
{
  bool grace = r->has_grace && v->has_expires;
  lethe_rc rc = add_string(o, "action", r->action);
  if(!rc)
    rc = add_clock(o, r, v);
  if(!rc)
    rc = add_string(o, "decision", decision_name(v->decision));
  if(!rc)
    rc = add_time(o, "due", grace, v->due);
  if(!rc)
    rc = add_time(o, "expires", v->has_expires, v->expires);
  if(!rc)
    rc = add_printable(o, "hold", v->hold);
  if(!rc)
    rc = add_string(o, "identity", it->identity[0] ? it->identity : NULL);
  if(!rc)
    rc = add_string(o, "kind", kind_names[it->kind]);
  if(!rc)
    rc = add_encoded(o, "path", it->rel, it->rel_len);
  if(!rc)
    rc = add_printable(o, "reason", v->reason);
  if(!rc)
    rc = add_string(o, "rule", r->name);
  if(!rc && json_object_object_add(o, "size", json_object_new_uint64(it->size)))
    rc = LETHE_E_NOMEM;
  if(!rc)
    rc = add_string(o, "store", store_names[it->store]);
  if(!rc)
    rc = add_encoded(o, "subject", it->subject, it->subject_len);
  if(!rc)
    rc = add_string(o, "uri", uri);
  return rc;
}

static void note_oldest(struct plan_rule *pr, const char *uri, const struct verdict *v)
{
  char *copy;
  if(v->decision != DECISION_DELETE || !v->has_clock)
    return;
  if(pr->has_oldest && pr->oldest <= v->clock)
    return;
  copy = strdup(uri);
  if(!copy)
    return; /* the summary loses its example, nothing else */
  free(pr->oldest_uri);
  pr->oldest_uri = copy;
  pr->oldest = v->clock;
  pr->has_oldest = true;
}

lethe_rc plan_add_entry(struct plan *p, struct json_object *entry)
{
  struct plan_rule *pr = &p->rules[p->n_rules - 1];
  struct json_object *v;
  const char *text;
  size_t len;
  enum decision d = DECISION_SKIP;
  uint64_t size = 0;

  if(json_object_object_get_ex(entry, "decision", &v)) {
    for(int i = 0; i < DECISION__COUNT; i++)
      if(!strcmp(json_object_get_string(v), decision_name((enum decision)i)))
        d = (enum decision)i;
  }
  if(json_object_object_get_ex(entry, "size", &v))
    size = json_object_get_uint64(v);
  pr->count[d]++;
  pr->bytes[d] += size;
  text = json_object_to_json_string_length(entry, JSON_C_TO_STRING_PLAIN |
                                           JSON_C_TO_STRING_NOSLASHESCAPE, &len);
  if(!text)
    return LETHE_E_NOMEM;
  if(fwrite(text, 1, len, p->spool) != len || fputc('\n', p->spool) == EOF)
    return LETHE_E_IO;
  EVP_DigestUpdate(p->sha, text, len);
  EVP_DigestUpdate(p->sha, "\n", 1);
  return LETHE_OK;
}

lethe_rc plan_add(struct plan *p, const struct item *it, const char *uri,
                  const struct verdict *v)
{
  struct plan_rule *pr = &p->rules[p->n_rules - 1];
  struct json_object *o;
  lethe_rc rc;

  if(v->decision == DECISION_KEEP) {
    pr->count[DECISION_KEEP]++;
    pr->bytes[DECISION_KEEP] += it->size;
    return LETHE_OK;
  }
  note_oldest(pr, uri, v);
  o = json_object_new_object();
  if(!o)
    return LETHE_E_NOMEM;
  rc = build_entry(pr->rule, it, uri, v, o);
  if(!rc)
    rc = plan_add_entry(p, o);
  json_object_put(o);
  return rc;
}

lethe_rc plan_end_rule(struct plan *p)
{
  struct plan_rule *pr = &p->rules[p->n_rules - 1];
  pr->spool_end = ftell(p->spool);
  return pr->spool_end < 0 ? LETHE_E_IO : LETHE_OK;
}

lethe_rc plan_finish(struct plan *p, struct lethe_err *err)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  static const char hex[] = "0123456789abcdef";
  if(fflush(p->spool))
    return err_sys(err, LETHE_E_IO, "cannot write the plan's spool file");
  if(!EVP_DigestFinal_ex(p->sha, md, &n))
    return err_set(err, LETHE_E_NOMEM, "SHA-256 failed");
  memcpy(p->hash, "sha256:", 7);
  for(unsigned i = 0; i < n; i++) {
    p->hash[7 + 2 * i] = hex[md[i] >> 4];
    p->hash[8 + 2 * i] = hex[md[i] & 15];
  }
  p->hash[7 + 2 * n] = '\0';
  return LETHE_OK;
}

/* Read rule i's lines one at a time into p->line and call fn on each. */
static lethe_rc each_line(struct plan *p, size_t i, lethe_rc (*fn)(void *, const char *, size_t),
                          void *ctx)
{
  const struct plan_rule *pr = &p->rules[i];
  char *buf = NULL;
  size_t cap = 0;
  long pos = pr->spool_begin;
  lethe_rc rc = LETHE_OK;
  if(fseek(p->spool, pos, SEEK_SET))
    return LETHE_E_IO;
  while(!rc && pos < pr->spool_end) {
    ssize_t n = getline(&buf, &cap, p->spool);
    if(n <= 0) {
      rc = LETHE_E_IO;
      break;
    }
    pos += n;
    rc = fn(ctx, buf, (size_t)n - 1);
  }
  free(buf);
  return rc;
}

struct each_ctx {
  plan_entry_fn fn;
  void *ctx;
};

static lethe_rc parse_and_call(void *ctx, const char *line, size_t len)
{
  struct each_ctx *e = ctx;
  struct json_tokener *tok = json_tokener_new();
  struct json_object *o;
  lethe_rc rc;
  if(!tok)
    return LETHE_E_NOMEM;
  o = json_tokener_parse_ex(tok, line, (int)len);
  json_tokener_free(tok);
  if(!o)
    return LETHE_E_PARSE;
  rc = e->fn(e->ctx, o);
  json_object_put(o);
  return rc;
}

lethe_rc plan_each(struct plan *p, size_t i, plan_entry_fn fn, void *ctx)
{
  struct each_ctx e = { fn, ctx };
  return each_line(p, i, parse_and_call, &e);
}

struct copy_ctx {
  FILE *out;
  const char *sep;
  bool *first;
};

static lethe_rc copy_one(void *ctx, const char *line, size_t len)
{
  struct copy_ctx *c = ctx;
  if(!*c->first && fputs(c->sep, c->out) == EOF)
    return LETHE_E_IO;
  *c->first = false;
  return fwrite(line, 1, len, c->out) == len ? LETHE_OK : LETHE_E_IO;
}

lethe_rc plan_copy_lines(struct plan *p, size_t i, FILE *out, const char *sep, bool *first)
{
  struct copy_ctx c = { out, sep, first };
  return each_line(p, i, copy_one, &c);
}

void plan_totals(const struct plan *p, uint64_t count[DECISION__COUNT],
                 uint64_t bytes[DECISION__COUNT])
{
  memset(count, 0, sizeof(uint64_t) * DECISION__COUNT);
  memset(bytes, 0, sizeof(uint64_t) * DECISION__COUNT);
  for(size_t i = 0; i < p->n_rules; i++) {
    for(int d = 0; d < DECISION__COUNT; d++) {
      count[d] += p->rules[i].count[d];
      bytes[d] += p->rules[i].bytes[d];
    }
  }
}

void plan_release(struct plan *p)
{
  for(size_t i = 0; i < p->n_rules; i++) {
    free(p->rules[i].oldest_uri);
    free(p->rules[i].error);
  }
  free(p->rules);
  if(p->spool)
    fclose(p->spool);
  EVP_MD_CTX_free(p->sha);
  db_release(&p->line);
  memset(p, 0, sizeof(*p));
}

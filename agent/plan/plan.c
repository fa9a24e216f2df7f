#include "plan.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isotime.h"
#include "jsonw.h"
#include "text.h"
#include "uri.h"

/* One entry line is bounded: paths are encoded, reasons are bounded. */
#define LINE_MAX_BYTES (8 * 1024 * 1024)

/* The spool can reach gigabytes on a large share: it goes where $TMPDIR
 * says, as an unnamed file (O_TMPFILE) that vanishes with the process. */
static const char *spool_dir(void)
{
  const char *dir = getenv("TMPDIR");
  return dir && *dir == '/' ? dir : "/tmp";
}

static FILE *open_spool(void)
{
  int fd = open(spool_dir(), O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);
  FILE *f;
  if(fd < 0)
    return NULL;
  f = fdopen(fd, "w+");
  if(!f)
    close(fd);
  return f;
}

lethe_rc plan_init(struct plan *p, int64_t now, struct lethe_err *err)
{
  char when[ISOTIME_LEN];
  memset(p, 0, sizeof(*p));
  p->now = now;
  db_init(&p->line, LINE_MAX_BYTES);
  db_init(&p->scratch, LINE_MAX_BYTES);
  p->spool = open_spool();
  if(!p->spool)
    return err_sys(err, LETHE_E_IO, "cannot create the plan's spool file in %s", spool_dir());
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

static void put_time(struct jsonw *w, const char *key, bool has, int64_t t)
{
  char buf[ISOTIME_LEN];
  jsonw_key(w, key);
  if(!has) {
    jsonw_null(w);
    return;
  }
  isotime_format(t, buf);
  jsonw_string(w, buf);
}

/* A string field made of raw bytes, through a scratch buffer: percent-encoded
 * (paths) or made printable UTF-8 (reasons). */
static void put_converted(struct plan *p, struct jsonw *w, const char *key, const char *s,
                          size_t n, bool encode)
{
  jsonw_key(w, key);
  if(!s) {
    jsonw_null(w);
    return;
  }
  db_reset(&p->scratch);
  if(!w->rc)
    w->rc = encode ? uri_encode_path(s, n, &p->scratch) : text_add_printable(&p->scratch, s, n);
  jsonw_string_len(w, db_str(&p->scratch), p->scratch.len);
}

/* The entry as one line of canonical JSON: keys in sorted order, written
 * directly (a json-c object per item cost a third of a large plan's time). */
static lethe_rc build_entry(struct plan *p, const struct rule *r, const struct item *it,
                            const char *uri, size_t path_off, const struct verdict *v)
{
  struct jsonw w;
  db_reset(&p->line);
  jsonw_init(&w, &p->line);
  jsonw_object_begin(&w);
  jsonw_key(&w, "action");
  jsonw_string(&w, r->action);
  jsonw_key(&w, "clock");
  jsonw_object_begin(&w);
  jsonw_key(&w, "name");
  jsonw_string(&w, clock_name(r->clock));
  put_time(&w, "value", v->has_clock, v->clock);
  jsonw_object_end(&w);
  jsonw_key(&w, "decision");
  jsonw_string(&w, decision_name(v->decision));
  put_time(&w, "due", r->has_grace && v->has_expires, v->due);
  put_time(&w, "expires", v->has_expires, v->expires);
  put_converted(p, &w, "hold", v->hold, v->hold ? strlen(v->hold) : 0, false);
  jsonw_key(&w, "identity");
  jsonw_string(&w, it->identity[0] ? it->identity : NULL);
  jsonw_key(&w, "kind");
  jsonw_string(&w, item_kind_name(it->kind));
  if(it->message_id_sha256[0]) {
    /* Messages only: proves which message went without naming it. */
    jsonw_key(&w, "message_id_sha256");
    jsonw_string(&w, it->message_id_sha256);
  }
  jsonw_key(&w, "path");
  jsonw_string(&w, uri + path_off);
  put_converted(p, &w, "reason", v->reason, strlen(v->reason), false);
  jsonw_key(&w, "rule");
  jsonw_string(&w, r->name);
  jsonw_key(&w, "size");
  jsonw_u64(&w, it->size);
  jsonw_key(&w, "store");
  jsonw_string(&w, item_store_name(it->store));
  put_converted(p, &w, "subject", it->subject, it->subject_len, true);
  jsonw_key(&w, "uri");
  jsonw_string(&w, uri);
  jsonw_object_end(&w);
  return w.rc;
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

static void count_entry(struct plan_rule *pr, enum decision d, uint64_t size)
{
  pr->count[d]++;
  pr->bytes[d] += size;
}

static lethe_rc spool_line(struct plan *p, const char *text, size_t len)
{
  if(fwrite(text, 1, len, p->spool) != len || fputc('\n', p->spool) == EOF)
    return LETHE_E_IO;
  EVP_DigestUpdate(p->sha, text, len);
  EVP_DigestUpdate(p->sha, "\n", 1);
  return LETHE_OK;
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
  count_entry(pr, d, size);
  text = json_object_to_json_string_length(entry, JSON_C_TO_STRING_PLAIN |
                                           JSON_C_TO_STRING_NOSLASHESCAPE, &len);
  if(!text)
    return LETHE_E_NOMEM;
  return spool_line(p, text, len);
}

lethe_rc plan_add(struct plan *p, const struct item *it, const char *uri, size_t path_off,
                  const struct verdict *v)
{
  struct plan_rule *pr = &p->rules[p->n_rules - 1];
  lethe_rc rc;

  count_entry(pr, v->decision, it->size);
  if(v->decision == DECISION_KEEP)
    return LETHE_OK;
  note_oldest(pr, uri, v);
  rc = build_entry(p, pr->rule, it, uri, path_off, v);
  if(!rc)
    rc = spool_line(p, p->line.mem, p->line.len);
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
  struct json_tokener *tok;   /* reused: one per line cost a fifth of a report */
};

static lethe_rc parse_and_call(void *ctx, const char *line, size_t len)
{
  struct each_ctx *e = ctx;
  struct json_object *o;
  lethe_rc rc;
  json_tokener_reset(e->tok);
  o = json_tokener_parse_ex(e->tok, line, (int)len);
  if(!o)
    return LETHE_E_PARSE;
  rc = e->fn(e->ctx, o);
  json_object_put(o);
  return rc;
}

lethe_rc plan_each(struct plan *p, size_t i, plan_entry_fn fn, void *ctx)
{
  struct each_ctx e = { fn, ctx, json_tokener_new() };
  lethe_rc rc;
  if(!e.tok)
    return LETHE_E_NOMEM;
  rc = each_line(p, i, parse_and_call, &e);
  json_tokener_free(e.tok);
  return rc;
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
  db_release(&p->scratch);
  memset(p, 0, sizeof(*p));
}

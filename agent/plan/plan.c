#include "plan.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"
#include "jsonw.h"
#include "plan_entry.h"
#include "text.h"
#include "uri.h"

/* One entry line is bounded: paths are encoded, reasons are bounded. */
#define LINE_MAX_BYTES (8 * 1024 * 1024)
/* JSON lines are hashed and spooled in blocks of this size: large enough
 * that hashing and writing cost little per call, small enough to stay in
 * the processor's cache and to fault in few pages. */
#define PENDING_BLOCK (256 * 1024)
/* A field a report converts on its way out (a path decoded, made printable). */
#define RENDER_FIELD_MAX (4 * 1024 * 1024)

lethe_rc plan_init(struct plan *p, int64_t now, struct lethe_err *err)
{
  char when[ISOTIME_LEN];
  lethe_rc rc;
  memset(p, 0, sizeof(*p));
  p->now = now;
  timeline_init(&p->months, now);
  db_init(&p->pending, LINE_MAX_BYTES + PENDING_BLOCK);
  plan_render_bufs_init(&p->rendered);
  for(size_t i = 0; i < PLAN_SCRATCH; i++)
    db_init(&p->scratch[i], LINE_MAX_BYTES);
  /* The spool can reach gigabytes on a large share: $TMPDIR says where. */
  rc = spool_open(&p->spool, err);
  if(rc)
    return rc;
  p->sha = EVP_MD_CTX_new();
  if(!p->sha || !EVP_DigestInit_ex(p->sha, EVP_sha256(), NULL))
    return err_set(err, LETHE_E_NOMEM, "cannot start SHA-256");
  isotime_format(now, when);
  EVP_DigestUpdate(p->sha, PLAN_SCHEMA "\n", sizeof(PLAN_SCHEMA));
  EVP_DigestUpdate(p->sha, when, strlen(when));
  EVP_DigestUpdate(p->sha, "\n", 1);
  return LETHE_OK;
}

void plan_render_bufs_init(struct plan_render_bufs *b)
{
  db_init(&b->out, LINE_MAX_BYTES);
  db_init(&b->a, RENDER_FIELD_MAX);
  db_init(&b->b, RENDER_FIELD_MAX);
}

void plan_render_bufs_release(struct plan_render_bufs *b)
{
  db_release(&b->out);
  db_release(&b->a);
  db_release(&b->b);
}

void plan_render_with(struct plan *p, plan_render_fn render)
{
  p->render = render;
}

void plan_join_lines(struct plan *p)
{
  p->joined = true;
}

/* Hash the pending JSON lines in one block, and spool them unless the
 * spool keeps the rendered form. */
static lethe_rc flush_pending(struct plan *p)
{
  lethe_rc rc = LETHE_OK;
  if(!p->pending.len)
    return LETHE_OK;
  EVP_DigestUpdate(p->sha, p->pending.mem, p->pending.len);
  if(!p->render && !p->joined)
    rc = spool_add(&p->spool, p->pending.mem, p->pending.len);
  db_reset(&p->pending);
  return rc;
}

lethe_rc plan_begin_rule(struct plan *p, const struct rule *r, struct plan_rule **out)
{
  struct plan_rule *rules;
  struct plan_rule *pr;
  lethe_rc rc = flush_pending(p);
  if(rc)
    return rc;
  rules = realloc(p->rules, (p->n_rules + 1) * sizeof(*rules));
  if(!rules)
    return LETHE_E_NOMEM;
  p->rules = rules;
  pr = &rules[p->n_rules++];
  memset(pr, 0, sizeof(*pr));
  pr->rule = r;
  pr->spool_begin = spool_tell(&p->spool);
  pr->spool_end = pr->spool_begin;
  *out = pr;
  return LETHE_OK;
}

/* Raw bytes as a string field: percent-encoded (paths) or made printable
 * UTF-8 (reasons), into buf. NULL stays NULL. */
static const char *convert(struct dynbuf *buf, const char *s, size_t n, bool encode,
                           lethe_rc *rc)
{
  db_reset(buf);
  if(!s || *rc)
    return NULL;
  *rc = encode ? uri_encode_path(s, n, buf) : text_add_printable(buf, s, n);
  return db_str(buf);
}

/* The text of t (NULL when not has): as the policy wrote it, if it did. */
static const char *time_text(bool has, const char *known, int64_t t, char *buf)
{
  if(!has)
    return NULL;
  if(known[0])
    return known;
  isotime_format(t, buf);
  return buf;
}

/* Keep entry e: its JSON line to be hashed (and spooled), or its rendered
 * form spooled. The line is canonical JSON written directly (a json-c object
 * per item cost a third of a large plan's time). */
static lethe_rc keep_entry(struct plan *p, const struct plan_entry *e)
{
  struct jsonw w;
  size_t start = p->pending.len, len;
  lethe_rc rc;
  jsonw_init(&w, &p->pending); /* written in place: no copy of the line */
  plan_entry_write(e, &w);
  rc = w.rc;
  len = p->pending.len - start;
  if(!rc && len > LINE_MAX_BYTES)
    rc = LETHE_E_RANGE;
  if(!rc && p->joined && spool_tell(&p->spool))
    rc = spool_add(&p->spool, ",\n", 2);
  if(!rc && p->joined)
    rc = spool_add(&p->spool, p->pending.mem + start, len);
  if(!rc)
    rc = db_add(&p->pending, "\n", 1);
  if(!rc && p->pending.len >= PENDING_BLOCK)
    rc = flush_pending(p);
  if(rc || !p->render)
    return rc;
  db_reset(&p->rendered.out);
  rc = p->render(e, &p->rendered);
  return rc ? rc : spool_add(&p->spool, p->rendered.out.mem, p->rendered.out.len);
}

/* The entry for item it, decided v, kept. */
static lethe_rc add_item(struct plan *p, const struct rule *r, const struct item *it,
                         const char *uri, size_t path_off, const struct verdict *v)
{
  char clock[ISOTIME_LEN], due[ISOTIME_LEN], expires[ISOTIME_LEN];
  struct plan_entry e = {
    .action = r->action,
    .clock_name = clock_name(r->clock),
    .clock_value = time_text(v->has_clock, v->clock_text, v->clock, clock),
    .decision = v->decision,
    .due = time_text(r->has_grace && v->has_expires, "", v->due, due),
    .expires = time_text(v->has_expires, v->expires_text, v->expires, expires),
    .findings = it->findings,
    .identity = it->identity[0] ? it->identity : NULL,
    .kind = it->kind,
    .message_id_sha256 = it->message_id_sha256[0] ? it->message_id_sha256 : NULL,
    .path = uri + path_off,
    .rule = r->name,
    .size = it->size,
    .store = it->store,
    .uri = uri,
  };
  lethe_rc rc = LETHE_OK;
  e.hold = convert(&p->scratch[0], v->hold, v->hold ? strlen(v->hold) : 0, false, &rc);
  e.reason = convert(&p->scratch[1], v->reason, strlen(v->reason), false, &rc);
  e.subject = convert(&p->scratch[2], it->subject, it->subject_len, true, &rc);
  return rc ? rc : keep_entry(p, &e);
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

lethe_rc plan_add_entry(struct plan *p, const struct plan_entry *e)
{
  count_entry(&p->rules[p->n_rules - 1], e->decision, e->size);
  return keep_entry(p, e);
}

lethe_rc plan_add(struct plan *p, const struct item *it, const char *uri, size_t path_off,
                  const struct verdict *v)
{
  struct plan_rule *pr = &p->rules[p->n_rules - 1];

  count_entry(pr, v->decision, it->size);
  if(v->has_expires && (v->decision == DECISION_KEEP || v->decision == DECISION_GRACE))
    timeline_add(&p->months, &pr->upcoming, v->due, it->size);
  if(v->decision == DECISION_KEEP)
    return LETHE_OK;
  note_oldest(pr, uri, v);
  return add_item(p, pr->rule, it, uri, path_off, v);
}

lethe_rc plan_end_rule(struct plan *p)
{
  struct plan_rule *pr = &p->rules[p->n_rules - 1];
  lethe_rc rc = flush_pending(p);
  pr->spool_end = spool_tell(&p->spool);
  return rc;
}

lethe_rc plan_finish(struct plan *p, struct lethe_err *err)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  static const char hex[] = "0123456789abcdef";
  if(flush_pending(p) || spool_flush(&p->spool))
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

/* Call fn on each of rule i's lines (a plan that keeps them). */
static lethe_rc each_line(struct plan *p, size_t i, spool_line_fn fn, void *ctx)
{
  const struct plan_rule *pr = &p->rules[i];
  if(p->render || p->joined)
    return LETHE_E_USAGE;
  return spool_each_line(&p->spool, pr->spool_begin, pr->spool_end, LINE_MAX_BYTES, fn, ctx);
}

struct each_ctx {
  plan_entry_fn fn;
  void *ctx;
  struct json_tokener *tok;   /* reused: one per line cost a fifth of a report */
};

static lethe_rc parse_and_call(void *ctx, const char *line, size_t len)
{
  struct each_ctx *e = ctx;
  struct plan_entry entry;
  struct json_object *o;
  char why[128];
  lethe_rc rc;
  json_tokener_reset(e->tok);
  o = json_tokener_parse_ex(e->tok, line, (int)len);
  if(!o)
    return LETHE_E_PARSE;
  rc = plan_entry_read(o, &entry, why, sizeof(why));
  if(!rc)
    rc = e->fn(e->ctx, &entry);
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

lethe_rc plan_copy_rendered(struct plan *p, size_t i, FILE *out)
{
  if(!p->render && !p->joined)
    return LETHE_E_USAGE;
  return spool_copy(&p->spool, p->rules[i].spool_begin, p->rules[i].spool_end, out);
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
  spool_close(&p->spool);
  EVP_MD_CTX_free(p->sha);
  db_release(&p->pending);
  plan_render_bufs_release(&p->rendered);
  for(size_t i = 0; i < PLAN_SCRATCH; i++)
    db_release(&p->scratch[i]);
  memset(p, 0, sizeof(*p));
  p->spool.fd = -1;
}

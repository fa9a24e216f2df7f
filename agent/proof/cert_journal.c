/* A journal read for its certificate (see cert_journal.h). */
#include "cert_journal.h"

#include <stdlib.h>
#include <string.h>

#include "strpack.h"

static lethe_rc read_journal(const struct cert_journal *j, journal_record_fn fn, void *ctx,
                             struct lethe_err *err)
{
  if(j->text)
    return journal_parse(j->text, j->len, j->name, fn, ctx, NULL, err);
  return journal_read(j->dirfd, j->name, fn, ctx, NULL, err);
}

/* ---- the run ------------------------------------------------------------- */

static lethe_rc keep(char **slot, const char *s)
{
  free(*slot);
  *slot = s ? strdup(s) : NULL;
  return !s || *slot ? LETHE_OK : LETHE_E_NOMEM;
}

struct run_reader {
  struct cert_run *run;
  char *begin_run;
  bool have_begin;
};

static lethe_rc add_rule(struct cert_run *run, const struct journal_rule *r)
{
  struct journal_rule_copy *v = realloc(run->rules, (run->n_rules + 1) * sizeof(*v));
  if(!v)
    return LETHE_E_NOMEM;
  run->rules = v;
  if(journal_rule_copy(r, &v[run->n_rules]))
    return LETHE_E_NOMEM;
  run->n_rules++;
  return LETHE_OK;
}

static lethe_rc add_approval(struct cert_run *run, const struct journal_approval *a)
{
  struct cert_approval *v = realloc(run->approvals, (run->n_approvals + 1) * sizeof(*v));
  lethe_rc rc;
  if(!v)
    return LETHE_E_NOMEM;
  run->approvals = v;
  v += run->n_approvals++;
  memset(v, 0, sizeof(*v));
  rc = keep(&v->principal, a->principal);
  if(!rc)
    rc = keep(&v->fingerprint, a->fingerprint);
  if(!rc)
    rc = keep(&v->message, a->message);
  if(!rc)
    rc = keep(&v->signature, a->signature);
  return rc ? rc : keep(&v->approved_at, a->approved_at);
}

static lethe_rc on_run_record(void *ctx, const struct journal_record *rec, int line)
{
  struct run_reader *r = ctx;
  struct cert_run *run = r->run;
  lethe_rc rc = LETHE_OK;
  (void)line;
  switch(rec->type) {
  case JOURNAL_BEGIN:
    if(r->have_begin)
      return LETHE_OK; /* the first one counts */
    r->have_begin = true;
    rc = keep(&r->begin_run, rec->begin.run);
    if(!rc)
      rc = keep(&run->plan, rec->begin.plan);
    return rc ? rc : keep(&run->started, rec->begin.started);
  case JOURNAL_END:
    run->ended = true; /* the last one counts */
    rc = keep(&run->finished, rec->end.finished);
    return rc ? rc : keep(&run->status, rec->end.status);
  case JOURNAL_RULE:
    return add_rule(run, &rec->rule);
  case JOURNAL_APPROVAL:
    return add_approval(run, &rec->approval);
  default:
    return LETHE_OK;
  }
}

/* The run id: the "begin" record's, else the journal's file name. */
static lethe_rc run_id(struct cert_run *run, const char *begin_run, const char *name,
                       struct lethe_err *err)
{
  size_t n = strcspn(name, ".");
  if(begin_run && strlen(begin_run) == UUID_TEXT_LEN - 1) {
    memcpy(run->id, begin_run, UUID_TEXT_LEN);
    return LETHE_OK;
  }
  if(n != UUID_TEXT_LEN - 1 || strspn(name, "0123456789abcdef-") < n)
    return err_set(err, LETHE_E_PARSE, "journal %s: no run id", name);
  memcpy(run->id, name, n);
  run->id[n] = '\0';
  return LETHE_OK;
}

lethe_rc cert_run_read(const struct cert_journal *j, struct cert_run *run,
                       struct lethe_err *err)
{
  struct run_reader r = { .run = run };
  lethe_rc rc;
  memset(run, 0, sizeof(*run));
  rc = read_journal(j, on_run_record, &r, err);
  if(!rc)
    rc = run_id(run, r.begin_run, j->name, err);
  run->recovered = run->status && !strcmp(run->status, "recovered");
  free(r.begin_run);
  return rc;
}

void cert_run_release(struct cert_run *run)
{
  for(size_t i = 0; i < run->n_rules; i++)
    journal_rule_release(&run->rules[i]);
  free(run->rules);
  for(size_t i = 0; i < run->n_approvals; i++) {
    free(run->approvals[i].principal);
    free(run->approvals[i].fingerprint);
    free(run->approvals[i].approved_at);
    free(run->approvals[i].message);
    free(run->approvals[i].signature);
  }
  free(run->approvals);
  free(run->plan);
  free(run->started);
  free(run->finished);
  free(run->status);
  memset(run, 0, sizeof(*run));
}

/* ---- the items ----------------------------------------------------------- */

/* An outcome that outlives its line. */
struct outcome {
  struct journal_outcome o;
  char *block;
  bool have;
};

/* An intent (with its outcome once read) or a skip, waiting its turn. */
struct entry {
  struct journal_item it;
  struct outcome out;
  bool skip;
};

struct pairing {
  struct entry *v;
  size_t first, n, cap;       /* waiting: v[first .. first + n) */
  cert_item_fn fn;
  void *ctx;
  struct dynbuf raw, canon;   /* the last detail seen, and its canonical form */
  bool canon_ok;
};

static lethe_rc outcome_copy(const struct journal_outcome *src, struct outcome *dst)
{
  const char **const fields[] = { &dst->o.result, &dst->o.at, &dst->o.method, &dst->o.level,
                                  &dst->o.level_reason, &dst->o.error, &dst->o.detail };
  dst->o = *src;
  dst->have = true;
  return strpack(fields, sizeof(fields) / sizeof(fields[0]), &dst->block);
}

static void entry_release(struct entry *e)
{
  journal_item_release(&e->it);
  free(e->out.block);
  memset(e, 0, sizeof(*e));
}

static lethe_rc push(struct pairing *p, const struct journal_item *it, bool skip)
{
  struct entry *e;
  if(p->first + p->n == p->cap) {
    if(p->first) { /* slide the waiting entries to the front */
      memmove(p->v, p->v + p->first, p->n * sizeof(*p->v));
      p->first = 0;
    }
    else {
      size_t cap = p->cap ? p->cap * 2 : 1024;
      struct entry *v = realloc(p->v, cap * sizeof(*v));
      if(!v)
        return LETHE_E_NOMEM;
      p->v = v;
      p->cap = cap;
    }
  }
  e = &p->v[p->first + p->n];
  memset(e, 0, sizeof(*e));
  e->skip = skip;
  if(journal_item_copy(it, &e->it))
    return LETHE_E_NOMEM;
  p->n++;
  return LETHE_OK;
}

/* The canonical form of a plugin's detail (json-c's text in the journal);
 * NULL when it is not a JSON object. Plugins repeat one detail for many
 * items: the last one is remembered. */
static const char *canonical_detail(struct pairing *p, const char *raw)
{
  struct json_object *o;
  if(!raw)
    return NULL;
  if(p->raw.len && !strcmp(db_str(&p->raw), raw))
    return p->canon_ok ? db_str(&p->canon) : NULL;
  db_reset(&p->raw);
  db_reset(&p->canon);
  p->canon_ok = false;
  if(db_adds(&p->raw, raw))
    db_reset(&p->raw);
  o = json_tokener_parse(raw);
  p->canon_ok = o && json_object_is_type(o, json_type_object) && !canonical_json(o, &p->canon);
  json_object_put(o);
  return p->canon_ok ? db_str(&p->canon) : NULL;
}

/* The result, normalised to deleted, failed, skipped, held. */
static const char *result_of(const struct entry *e)
{
  const char *r = e->skip ? e->it.result : e->out.have ? e->out.o.result : NULL;
  if(!r || (strcmp(r, "deleted") && strcmp(r, "skipped") && strcmp(r, "held")))
    return "failed";
  return r;
}

/* Why an item was not deleted, or what went wrong. */
static void why(const struct entry *e, struct cert_item *c)
{
  const struct outcome *out = &e->out;
  if(!strcmp(c->result, "failed")) {
    c->error = out->have ? out->o.error : NULL;
    if(!c->error)
      c->error = out->have ? "the plugin reported no error text"
                           : "no outcome recorded in the journal";
  }
  else if(strcmp(c->result, "deleted")) {
    c->reason = e->skip ? e->it.reason : out->have ? out->o.error : NULL;
    if(!c->reason)
      c->reason = "no reason recorded";
  }
}

static lethe_rc emit(struct pairing *p, const struct entry *e)
{
  const struct journal_outcome *o = e->out.have ? &e->out.o : NULL;
  struct cert_item c = {
    .uri = e->it.uri, .subject = e->it.subject, .size = e->it.size,
    .clock_name = e->it.has_clock ? e->it.clock_name : NULL,
    .clock_value = e->it.has_clock ? e->it.clock_value : NULL,
    .rule = e->it.rule, .plugin = e->it.action, .kind = item_kind_name(e->it.kind),
    .store = item_store_name(e->it.store), .message_id_sha256 = e->it.message_id_sha256,
  };
  c.result = result_of(e);
  why(e, &c);
  if(o) {
    c.deleted_at = strcmp(c.result, "deleted") ? NULL : o->at;
    c.method = o->method;
    c.level = o->level;
    c.level_reason = o->level_reason;
    c.recovered = o->recovered;
    c.detail = canonical_detail(p, o->detail);
  }
  if(!c.level)
    c.level = "none";
  return p->fn(p->ctx, &c);
}

/* Hand over, in order, the entries at the front that are complete. */
static lethe_rc flush(struct pairing *p, bool all)
{
  lethe_rc rc = LETHE_OK;
  while(!rc && p->n && (all || p->v[p->first].skip || p->v[p->first].out.have)) {
    rc = emit(p, &p->v[p->first]);
    entry_release(&p->v[p->first]);
    p->first++;
    p->n--;
  }
  if(!p->n)
    p->first = 0;
  return rc;
}

/* Outcomes come in the order of their intents: the search starts at the
 * oldest waiting one. A second outcome for an item is ignored. */
static lethe_rc add_outcome(struct pairing *p, const struct journal_outcome *o)
{
  for(size_t i = p->first; i < p->first + p->n; i++) {
    struct entry *e = &p->v[i];
    if(!e->skip && !e->out.have && e->it.seq == o->seq) {
      if(outcome_copy(o, &e->out))
        return LETHE_E_NOMEM;
      return flush(p, false);
    }
  }
  return LETHE_OK;
}

static lethe_rc on_item_record(void *ctx, const struct journal_record *rec, int line)
{
  struct pairing *p = ctx;
  lethe_rc rc;
  (void)line;
  switch(rec->type) {
  case JOURNAL_INTENT:
    return push(p, &rec->item, false);
  case JOURNAL_SKIP:
    rc = push(p, &rec->item, true);
    return rc ? rc : flush(p, false);
  case JOURNAL_OUTCOME:
    return add_outcome(p, &rec->outcome);
  default:
    return LETHE_OK;
  }
}

lethe_rc cert_journal_items(const struct cert_journal *j, cert_item_fn fn, void *ctx,
                            struct lethe_err *err)
{
  struct pairing p = { .fn = fn, .ctx = ctx };
  lethe_rc rc;
  db_init(&p.raw, 1024 * 1024);
  db_init(&p.canon, 1024 * 1024);
  rc = read_journal(j, on_item_record, &p, err);
  if(!rc)
    rc = flush(&p, true);
  if(rc && !err->msg[0])
    err_set(err, rc, "journal %s: %s", j->name, lethe_strerror(rc));
  for(size_t i = p.first; i < p.first + p.n; i++)
    entry_release(&p.v[i]);
  free(p.v);
  db_release(&p.raw);
  db_release(&p.canon);
  return rc;
}

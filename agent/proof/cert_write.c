/* Writing a certificate, lethe-certificate/2 (see cert_write.h). Every key
 * is written in canonical order by hand: each object below lists its
 * members sorted. */
#include "cert_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for one item past CERT_PART_BYTES (a long detail, a long name). */
#define ROOM (CERT_PART_BYTES + CANON_TOKEN_ROOM)
#define CANON_TOKEN_ROOM (8u * 1024 * 1024)

/* A dynbuf with a sticky error: a run of appends checked once. */
struct out {
  struct dynbuf *b;
  lethe_rc rc;
};

static void raw(struct out *o, const char *s)
{
  if(!o->rc)
    o->rc = db_adds(o->b, s);
}

static void str(struct out *o, const char *s)
{
  if(!o->rc)
    o->rc = canon_str(o->b, s);
}

/* ",\"key\":" with the comma unless first. */
static void key(struct out *o, const char *k, bool first)
{
  if(!first)
    raw(o, ",");
  if(!o->rc)
    o->rc = canon_key(o->b, k);
}

static void key_str(struct out *o, const char *k, const char *v, bool first)
{
  key(o, k, first);
  str(o, v);
}

static void key_u64(struct out *o, const char *k, uint64_t v)
{
  key(o, k, false);
  if(!o->rc)
    o->rc = canon_u64(o->b, v);
}

static void key_bool(struct out *o, const char *k, bool v)
{
  key(o, k, false);
  if(!o->rc)
    o->rc = canon_bool(o->b, v);
}

static void columns(struct out *o)
{
  key(o, "columns", false);
  raw(o, "[");
  for(int c = 0; c < CERT_COL__COUNT; c++) {
    if(c)
      raw(o, ",");
    str(o, cert_column_name((enum cert_column)c));
  }
  raw(o, "]");
}

void cert_writer_init(struct cert_writer *w, const char *id, cert_emit_fn emit, void *ctx)
{
  memset(w, 0, sizeof(*w));
  snprintf(w->id, sizeof(w->id), "%s", id);
  w->emit = emit;
  w->ctx = ctx;
  w->part_bytes = CERT_PART_BYTES;
  db_init(&w->rows, ROOM);
  cert_intern_init(&w->groups, ROOM);
  cert_intern_init(&w->details, ROOM);
  db_init(&w->row, CANON_TOKEN_ROOM);
  db_init(&w->group, CANON_TOKEN_ROOM);
  db_init(&w->parts_list, 1024 * 1024);
  db_init(&w->head, 16 * 1024 * 1024);
  db_init(&w->tail, 16 * 1024 * 1024);
  db_init(&w->part_text, 64 * 1024);
}

void cert_writer_release(struct cert_writer *w)
{
  db_release(&w->rows);
  cert_intern_release(&w->groups);
  cert_intern_release(&w->details);
  db_release(&w->row);
  db_release(&w->group);
  db_release(&w->parts_list);
  db_release(&w->head);
  db_release(&w->tail);
  db_release(&w->part_text);
}

/* ---- items --------------------------------------------------------------- */

static void count(struct cert_writer *w, const struct cert_item *it)
{
  w->items++;
  if(!strcmp(it->result, "deleted")) {
    w->deleted++;
    w->bytes_deleted += it->size;
  }
  else if(!strcmp(it->result, "failed")) {
    w->failed++;
  }
  else if(!strcmp(it->result, "held")) {
    w->held++;
  }
  else {
    w->skipped++;
  }
  w->any_recovered |= it->recovered;
}

/* What items share: the group entry, members sorted. */
static lethe_rc render_group(struct cert_writer *w, const struct cert_item *it)
{
  struct out o = { &w->group, LETHE_OK };
  db_reset(&w->group);
  raw(&o, "{");
  key_str(&o, "clock", it->clock_name, true);
  key_str(&o, "kind", it->kind, false);
  key_str(&o, "level", it->level, false);
  key_str(&o, "level_reason", it->level_reason, false);
  key_str(&o, "method", it->method, false);
  key_str(&o, "plugin", it->plugin, false);
  key_bool(&o, "recovered", it->recovered);
  key_str(&o, "rule", it->rule, false);
  key_str(&o, "store", it->store, false);
  raw(&o, "}");
  return o.rc;
}

/* The row, in the order of enum cert_column. */
static lethe_rc render_row(struct cert_writer *w, const struct cert_item *it, size_t group,
                           long detail)
{
  struct out o = { &w->row, LETHE_OK };
  db_reset(&w->row);
  if(db_addf(&w->row, "[%zu,", group))
    return LETHE_E_RANGE;
  str(&o, it->uri);
  raw(&o, ",");
  str(&o, it->result);
  if(!o.rc)
    o.rc = db_addf(&w->row, ",%llu,", (unsigned long long)it->size);
  str(&o, it->subject);
  raw(&o, ",");
  str(&o, it->clock_value);
  raw(&o, ",");
  str(&o, it->deleted_at);
  raw(&o, ",");
  str(&o, it->error);
  raw(&o, ",");
  str(&o, it->reason);
  if(!o.rc)
    o.rc = detail < 0 ? db_adds(&w->row, ",null,") : db_addf(&w->row, ",%ld,", detail);
  str(&o, it->message_id_sha256);
  raw(&o, "]");
  return o.rc;
}

/* A part's text: the three stretches around its tables and rows. */
static lethe_rc part_pieces(struct cert_writer *w, unsigned part, struct cert_file *f)
{
  struct out o = { &w->part_text, LETHE_OK };
  size_t mark[3];
  db_reset(&w->part_text);
  raw(&o, "{");
  key_str(&o, "certificate", w->id, true);
  columns(&o);
  key(&o, "details", false);
  raw(&o, "[");
  mark[0] = w->part_text.len;
  raw(&o, "],\"groups\":[");
  mark[1] = w->part_text.len;
  raw(&o, "],\"items\":[");
  mark[2] = w->part_text.len;
  if(!o.rc)
    o.rc = db_addf(&w->part_text, "],\"part\":%u", part);
  key_str(&o, "schema", CERTIFICATE_PART_SCHEMA, false);
  raw(&o, "}\n");
  if(o.rc)
    return o.rc;
  f->v[0] = (struct iovec){ w->part_text.mem, mark[0] };
  f->v[1] = (struct iovec){ w->details.text.mem, w->details.text.len };
  f->v[2] = (struct iovec){ w->part_text.mem + mark[0], mark[1] - mark[0] };
  f->v[3] = (struct iovec){ w->groups.text.mem, w->groups.text.len };
  f->v[4] = (struct iovec){ w->part_text.mem + mark[1], mark[2] - mark[1] };
  f->v[5] = (struct iovec){ w->rows.mem, w->rows.len };
  f->v[6] = (struct iovec){ w->part_text.mem + mark[2], w->part_text.len - mark[2] };
  f->n = 7;
  return LETHE_OK;
}

/* The current rows and tables become the next part file. */
static lethe_rc emit_part(struct cert_writer *w)
{
  struct cert_file f = { .n = 0 };
  char sha[SHA256_HEX_LEN];
  struct out o = { &w->parts_list, LETHE_OK };
  lethe_rc rc;
  if(w->parts == CERT_PARTS_MAX)
    return LETHE_E_RANGE;
  certificate_part_name(w->id, ++w->parts, f.name, sizeof(f.name));
  rc = part_pieces(w, w->parts, &f);
  if(!rc)
    rc = w->emit(w->ctx, &f, sha);
  if(rc)
    return rc;
  if(w->parts > 1)
    raw(&o, ",");
  raw(&o, "{");
  key_str(&o, "file", f.name, true);
  key_u64(&o, "items", w->n_rows);
  key_str(&o, "sha256", sha, false);
  raw(&o, "}");
  db_reset(&w->rows);
  w->n_rows = 0;
  cert_intern_reset(&w->groups);
  cert_intern_reset(&w->details);
  return o.rc;
}

/* The bytes the current file's rows and tables would take with this item. */
static size_t size_with(const struct cert_writer *w, const char *detail)
{
  size_t n = w->rows.len + (w->n_rows ? 1 : 0) + w->row.len;
  n += cert_intern_size_with(&w->groups, w->group.mem, w->group.len);
  n += detail ? cert_intern_size_with(&w->details, detail, strlen(detail)) : w->details.text.len;
  return n;
}

static long index_for(const struct cert_intern *t, const char *s, size_t n)
{
  long i = cert_intern_find(t, s, n);
  return i >= 0 ? i : (long)t->n;
}

lethe_rc cert_writer_add(struct cert_writer *w, const struct cert_item *it)
{
  const char *d = it->detail;
  size_t g;
  long di = -1;
  lethe_rc rc;
  count(w, it);
  rc = render_group(w, it);
  for(int again = 0; !rc && again < 2; again++) {
    di = d ? index_for(&w->details, d, strlen(d)) : -1;
    rc = render_row(w, it, (size_t)index_for(&w->groups, w->group.mem, w->group.len), di);
    if(rc || !w->n_rows || size_with(w, d) <= w->part_bytes)
      break;
    rc = emit_part(w); /* full: the item starts the next file */
  }
  if(!rc)
    rc = cert_intern_add(&w->groups, w->group.mem, w->group.len, &g);
  if(!rc && d) {
    size_t index;
    rc = cert_intern_add(&w->details, d, strlen(d), &index);
  }
  if(!rc && w->n_rows)
    rc = db_add(&w->rows, ",", 1);
  if(!rc)
    rc = db_add(&w->rows, w->row.mem, w->row.len);
  if(!rc)
    w->n_rows++;
  return rc;
}

lethe_rc cert_writer_finish(struct cert_writer *w)
{
  return w->parts && w->n_rows ? emit_part(w) : LETHE_OK;
}

/* ---- the head ------------------------------------------------------------ */

static void rules(struct out *o, const struct cert_run *run)
{
  key(o, "rules", false);
  raw(o, "[");
  for(size_t i = 0; i < run->n_rules; i++) {
    const struct journal_rule *r = &run->rules[i].rule;
    raw(o, i ? ",{" : "{");
    key_str(o, "action", r->action, true);
    key_str(o, "basis", r->basis, false);
    key_str(o, "clock", r->clock, false);
    key_str(o, "description", r->description, false);
    key_str(o, "method", r->plugin_method, false);
    key_str(o, "name", r->name, false);
    key_str(o, "plugin_version", r->plugin_version, false);
    key_str(o, "retain", r->retain, false);
    key_str(o, "source", r->source, false);
    raw(o, "}");
  }
  raw(o, "]");
}

static void totals(struct out *o, const struct cert_writer *w)
{
  key(o, "totals", false);
  raw(o, "{");
  key(o, "bytes_deleted", true);
  if(!o->rc)
    o->rc = canon_u64(o->b, w->bytes_deleted);
  key_u64(o, "deleted", w->deleted);
  key_u64(o, "failed", w->failed);
  key_u64(o, "held", w->held);
  key_u64(o, "items", w->items);
  key_u64(o, "skipped", w->skipped);
  raw(o, "}");
}

/* Who approved the run's plan (lethe approve), when there were any, with
 * what they signed, so that the certificate alone lets an auditor check
 * each approval with ssh-keygen; a certificate of a run without approvals
 * stays as it was. */
static void approvals(struct out *o, const struct cert_run *run)
{
  if(!run->n_approvals)
    return;
  key(o, "approvals", false);
  raw(o, "[");
  for(size_t i = 0; i < run->n_approvals; i++) {
    const struct cert_approval *a = &run->approvals[i];
    raw(o, i ? ",{" : "{");
    key_str(o, "approved_at", a->approved_at, true);
    key_str(o, "fingerprint", a->fingerprint, false);
    key_str(o, "message", a->message, false);
    key_str(o, "principal", a->principal, false);
    key_str(o, "signature", a->signature, false);
    raw(o, "}");
  }
  raw(o, "]");
}

/* Everything after the rows. */
static lethe_rc head_tail(struct cert_writer *w, const struct cert_head *h)
{
  struct out o = { &w->tail, LETHE_OK };
  db_reset(&w->tail);
  raw(&o, "]");
  key_str(&o, "operator", h->ctx->operator_name, false);
  key(&o, "parts", false);
  raw(&o, "[");
  if(!o.rc)
    o.rc = db_add(&w->tail, w->parts_list.mem, w->parts_list.len);
  raw(&o, "]");
  key_str(&o, "plan_hash", h->run->plan, false);
  key_str(&o, "previous", h->previous, false);
  key_bool(&o, "recovered", h->run->recovered || w->any_recovered);
  rules(&o, h->run);
  key_str(&o, "schema", CERTIFICATE_SCHEMA, false);
  key_str(&o, "started", h->run->started, false);
  key_str(&o, "status", h->run->status, false);
  totals(&o, w);
  raw(&o, "}\n");
  return o.rc;
}

lethe_rc cert_writer_head(struct cert_writer *w, const struct cert_head *h, struct cert_file *f)
{
  struct out o = { &w->head, LETHE_OK };
  size_t mark[2];
  lethe_rc rc;
  db_reset(&w->head);
  raw(&o, "{");
  key_str(&o, "agent_version", h->ctx->agent_version, true);
  approvals(&o, h->run);
  columns(&o);
  key(&o, "details", false);
  raw(&o, "[");
  mark[0] = w->head.len;
  raw(&o, "]");
  key_str(&o, "finished", h->run->finished, false);
  key(&o, "groups", false);
  raw(&o, "[");
  mark[1] = w->head.len;
  raw(&o, "]");
  key_str(&o, "host", h->ctx->host, false);
  key_str(&o, "id", w->id, false);
  key_str(&o, "issued_at", h->issued_at, false);
  key(&o, "items", false);
  raw(&o, "[");
  rc = o.rc ? o.rc : head_tail(w, h);
  if(rc)
    return rc;
  snprintf(f->name, sizeof(f->name), "%s.json", w->id);
  f->v[0] = (struct iovec){ w->head.mem, mark[0] };
  f->v[1] = (struct iovec){ w->details.text.mem, w->details.text.len };
  f->v[2] = (struct iovec){ w->head.mem + mark[0], mark[1] - mark[0] };
  f->v[3] = (struct iovec){ w->groups.text.mem, w->groups.text.len };
  f->v[4] = (struct iovec){ w->head.mem + mark[1], w->head.len - mark[1] };
  f->v[5] = (struct iovec){ w->rows.mem, w->rows.len };
  f->v[6] = (struct iovec){ w->tail.mem, w->tail.len };
  f->n = 7;
  return LETHE_OK;
}

/* Collecting the items each address is to be told of, and sending. */
#include "notify.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "events_column.h"
#include "notice_mail.h"
#include "notice_state.h"
#include "smtp.h"
#include "uri.h"

#define MESSAGE_MAX (128u * 1024 * 1024)

struct recipient {
  const char *addr;           /* the rule's or the events file's */
  struct notice_item *v;
  size_t n, cap;
};

struct notifier {
  const struct config *cfg;
  struct plan *p;
  struct notice_state state;
  struct recipient *to;
  size_t n_to;
  size_t rule_ix;             /* the rule whose entries are being read */
  struct dynbuf key;          /* the entry's events key, decoded */
  struct notify_counts *counts;
};

static struct recipient *recipient(struct notifier *n, const char *addr)
{
  struct recipient *to;
  for(size_t i = 0; i < n->n_to; i++)
    if(!strcasecmp(n->to[i].addr, addr))
      return &n->to[i];
  to = realloc(n->to, (n->n_to + 1) * sizeof(*to));
  if(!to)
    return NULL;
  n->to = to;
  to = &n->to[n->n_to++];
  memset(to, 0, sizeof(*to));
  to->addr = addr;
  return to;
}

static bool listed(const struct strlist *l, const char *addr)
{
  for(size_t i = 0; i < l->n; i++)
    if(!strcasecmp(l->v[i], addr))
      return true;
  return false;
}

/* Add e to addr's message, unless addr was told of it already. */
static lethe_rc consider(struct notifier *n, const char *addr, const struct plan_entry *e)
{
  const struct rule *r = n->p->rules[n->rule_ix].rule;
  struct recipient *to;
  struct notice_item *it;
  if(notice_state_sent(&n->state, r->name, addr, e->due, e->uri)) {
    n->counts->already++;
    return LETHE_OK;
  }
  to = recipient(n, addr);
  if(!to)
    return LETHE_E_NOMEM;
  if(to->n == to->cap) {
    size_t cap = to->cap ? to->cap * 2 : 16;
    it = realloc(to->v, cap * sizeof(*it));
    if(!it)
      return LETHE_E_NOMEM;
    to->v = it;
    to->cap = cap;
  }
  it = &to->v[to->n];
  it->rule_ix = n->rule_ix;
  if(plan_entry_copy(e, &it->e))
    return LETHE_E_NOMEM;
  to->n++;
  return LETHE_OK;
}

/* The subject's owner, looked up as the events clock looks up its date:
 * by the subject, else by the item's path. */
static const char *owner_of(struct notifier *n, const struct rule *r,
                            const struct plan_entry *e)
{
  const char *enc = r->subject && e->subject ? e->subject : e->path;
  db_reset(&n->key);
  if(!r->owners || !enc || uri_decode(enc, &n->key))
    return NULL;
  return events_column_get(r->owners, n->key.mem ? n->key.mem : "", n->key.len);
}

static lethe_rc collect(void *ctx, const struct plan_entry *e)
{
  struct notifier *n = ctx;
  const struct rule *r = n->p->rules[n->rule_ix].rule;
  const char *owner;
  lethe_rc rc = LETHE_OK;
  if(e->decision != DECISION_GRACE || !e->due || !e->uri)
    return LETHE_OK;
  for(size_t i = 0; i < r->notify.n && !rc; i++)
    rc = consider(n, r->notify.v[i], e);
  owner = rc ? NULL : owner_of(n, r, e);
  if(owner && !listed(&r->notify, owner))
    rc = consider(n, owner, e);
  else if(!owner && !rc && !r->notify.n)
    n->counts->unowned++;
  return rc;
}

static lethe_rc record(struct notifier *n, const struct recipient *to, struct lethe_err *err)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < to->n && !rc; i++)
    rc = notice_state_add(&n->state, n->p->rules[to->v[i].rule_ix].rule->name, to->addr,
                          to->v[i].e.due, to->v[i].e.uri, n->p->now);
  if(rc)
    return err_set(err, rc, "cannot record the notices sent to %s: %s", to->addr,
                   lethe_strerror(rc));
  return notice_state_save(&n->state, err);
}

static lethe_rc send_one(struct notifier *n, const struct recipient *to, notify_note_fn note,
                         void *ctx, struct lethe_err *err)
{
  char host[256] = "localhost";
  struct notice_msg m = { .from = n->cfg->smtp.from, .to = to->addr, .p = n->p,
                          .items = to->v, .n = to->n, .host = host };
  struct smtp_server server;
  struct lethe_err e = { 0 };
  struct dynbuf msg;
  bool attached = false;
  lethe_rc rc;
  gethostname(host, sizeof(host) - 1);
  smtp_settings_server(&n->cfg->smtp, &server);
  db_init(&msg, MESSAGE_MAX);
  rc = notice_compose(&m, &msg, &attached, &e);
  if(!rc)
    rc = smtp_send(&server, n->cfg->smtp.from, &to->addr, 1, msg.mem, msg.len, &e);
  db_release(&msg);
  if(note)
    note(ctx, to->addr, to->n, attached, rc ? e.msg : NULL);
  if(rc) {
    n->counts->failed++;
    return LETHE_OK; /* the others still go; this one goes next run */
  }
  n->counts->sent++;
  n->counts->items += to->n;
  return record(n, to, err);
}

static bool notifies(const struct rule *r)
{
  return r->notify.n || r->notify_column;
}

static void release(struct notifier *n)
{
  for(size_t i = 0; i < n->n_to; i++) {
    for(size_t j = 0; j < n->to[i].n; j++)
      plan_entry_release(&n->to[i].v[j].e);
    free(n->to[i].v);
  }
  free(n->to);
  db_release(&n->key);
  notice_state_release(&n->state);
}

lethe_rc notify_send(const struct config *cfg, struct plan *p, notify_note_fn note, void *ctx,
                     struct notify_counts *counts, struct lethe_err *err)
{
  struct notifier n = { .cfg = cfg, .p = p, .counts = counts };
  lethe_rc rc;
  memset(counts, 0, sizeof(*counts));
  err_clear(err);
  db_init(&n.key, 1 << 20);
  rc = notice_state_load(&n.state, cfg->state_dir, p->now, err);
  for(n.rule_ix = 0; n.rule_ix < p->n_rules && !rc; n.rule_ix++) {
    const struct plan_rule *pr = &p->rules[n.rule_ix];
    if(notifies(pr->rule) && !pr->error && pr->count[DECISION_GRACE])
      rc = plan_each(p, n.rule_ix, collect, &n);
  }
  if(rc && !err->msg[0])
    err_set(err, rc, "cannot gather the notices: %s", lethe_strerror(rc));
  for(size_t i = 0; i < n.n_to && !rc; i++)
    rc = send_one(&n, &n.to[i], note, ctx, err);
  release(&n);
  return rc;
}

#include "planner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "fileops.h"
#include "progress.h"
#include "source.h"

/* URIs are bounded so a pathological tree cannot exhaust memory per item. */
#define URI_MAX (1024 * 1024 + 4096)

struct sink_ctx {
  const struct ruleset *rs;
  const struct rule *r;
  struct plan *p;
  struct dynbuf raw;      /* the URI as holds match it */
  struct dynbuf encoded;  /* the URI as reports print it */
  size_t path_off;        /* where the item's path starts in encoded */
  struct claims claims;   /* items earlier rules will delete */
  bool overlaps;          /* another chosen rule's source overlaps this one's */
  size_t rule_index;      /* of the rule being planned, in the plan */
  uint64_t decided;       /* items of this rule decided so far */
};

/* One file, two rules that would delete it: the first in rule order does;
 * the later one says so instead of planning a deletion apply would find done. */
static lethe_rc settle_claim(struct sink_ctx *c, const struct item *it, struct verdict *v)
{
  long owner;
  if(!c->overlaps || (v->decision != DECISION_DELETE && v->decision != DECISION_GRACE))
    return LETHE_OK;
  owner = claims_owner(&c->claims, it->identity);
  if(owner >= 0 && (size_t)owner != c->rule_index) {
    v->decision = DECISION_SKIP;
    snprintf(v->reason, sizeof(v->reason), "also selected by rule %s, which deletes it first",
             c->p->rules[owner].rule->name);
    return LETHE_OK;
  }
  return v->decision == DECISION_DELETE ? claims_add(&c->claims, it->identity,
                                                     (uint32_t)c->rule_index) : LETHE_OK;
}

static lethe_rc add_decided(struct sink_ctx *c, const struct item *it, struct verdict *v)
{
  lethe_rc rc = settle_claim(c, it, v);
  if(rc)
    return rc;
  return plan_add(c->p, it, db_str(&c->encoded), c->path_off, v);
}

static lethe_rc on_item(void *ctx, const struct item *it, const struct subject_info *subj)
{
  struct sink_ctx *c = ctx;
  struct verdict v;
  struct item listed;
  lethe_rc rc = source_of(c->r)->uris(c->r, it, &c->raw, &c->encoded, &c->path_off);
  if(rc)
    return rc;
  policy_decide(c->r, c->rs, it, c->raw.mem, c->raw.len, subj, c->p->now, &v);
  progress_update(++c->decided);
  if(v.decision == DECISION_KEEP || !it->file_id || it->identity[0])
    return add_decided(c, it, &v);
  /* Listed: its identity is written now (see item.file_id). */
  listed = *it;
  file_id_format(it->file_id, listed.identity);
  return add_decided(c, &listed, &v);
}

static bool chosen(const struct strlist *only, const char *name)
{
  if(!only || !only->n)
    return true;
  for(size_t i = 0; i < only->n; i++)
    if(!strcmp(only->v[i], name))
      return true;
  return false;
}

static lethe_rc scan_rule(struct sink_ctx *c, struct plan_rule *pr)
{
  struct scan_stats stats = { 0 };
  struct lethe_err err = { 0 };
  lethe_rc rc;
  c->decided = 0;
  progress_begin("planning", c->r->name, 0);
  rc = source_of(c->r)->scan(c->r, c->p->now, on_item, c, &stats, &err);
  progress_end();
  pr->source_items = stats.source_items;
  if(rc && rc != LETHE_E_NOMEM) {
    pr->error = strdup(err.msg[0] ? err.msg : lethe_strerror(rc));
    return LETHE_E_IO;
  }
  return rc;
}

/* One source inside (or equal to) the other. */
static bool nested(const struct rule *a, const struct rule *b)
{
  size_t na, nb;
  if(!source_of(a)->local || !source_of(b)->local)
    return source_of(a) == source_of(b) && !strcmp(a->source, b->source);
  na = strlen(a->root);
  nb = strlen(b->root);
  if(na > nb)
    return nested(b, a);
  return !strncmp(a->root, b->root, na) && (na == nb || b->root[na] == '/' || na == 1);
}

/* Claims cost memory in proportion to deletions: keep them only for rules
 * that can select the same items as another rule of this run. */
static bool overlaps_other(const struct ruleset *rs, const struct strlist *only,
                           const struct rule *r)
{
  for(size_t i = 0; i < rs->n_rules; i++)
    if(rs->rules[i] != r && chosen(only, rs->rules[i]->name) && nested(r, rs->rules[i]))
      return true;
  return false;
}

lethe_rc planner_run(const struct ruleset *rs, const struct strlist *only, struct plan *p,
                     struct lethe_err *err)
{
  struct sink_ctx c = { .rs = rs, .p = p };
  lethe_rc worst = LETHE_OK, rc = LETHE_OK;

  for(size_t i = 0; only && i < only->n; i++)
    if(!rules_find(rs, only->v[i]))
      return err_set(err, LETHE_E_USAGE, "no rule named '%s'", only->v[i]);
  db_init(&c.raw, URI_MAX);
  db_init(&c.encoded, 3 * URI_MAX);
  for(size_t i = 0; i < rs->n_rules && !rc; i++) {
    struct plan_rule *pr;
    c.r = rs->rules[i];
    if(!chosen(only, c.r->name))
      continue;
    c.rule_index = p->n_rules;
    c.overlaps = overlaps_other(rs, only, c.r);
    rc = plan_begin_rule(p, c.r, &pr);
    if(!rc)
      rc = scan_rule(&c, pr);
    if(rc == LETHE_E_IO) {
      worst = rc;
      rc = LETHE_OK;
    }
    if(!rc)
      rc = plan_end_rule(p);
  }
  db_release(&c.raw);
  db_release(&c.encoded);
  claims_release(&c.claims);
  if(rc)
    return err_set(err, rc, "planning failed: %s", lethe_strerror(rc));
  if(!rc)
    rc = plan_finish(p, err);
  return rc ? rc : worst;
}

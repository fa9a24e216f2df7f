#include "planner.h"

#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "uri.h"

/* URIs are bounded so a pathological tree cannot exhaust memory per item. */
#define URI_MAX (1024 * 1024 + 4096)

struct sink_ctx {
  const struct ruleset *rs;
  const struct rule *r;
  struct plan *p;
  struct dynbuf raw;      /* the URI as holds match it */
  struct dynbuf encoded;  /* the URI as reports print it */
  size_t path_off;        /* where the item's path starts in encoded */
};

/* "file://" + root + "/" + path: raw for hold patterns, percent-encoded for
 * reports (the root as decoded from the rule, so either spelling of the
 * source gives the same URIs). */
static lethe_rc build_uris(struct sink_ctx *c, const struct item *it)
{
  const char *root = c->r->root;
  size_t n = strlen(root);
  lethe_rc rc;
  if(n == 1)
    n = 0; /* the root directory itself: avoid "file:////x" */
  db_reset(&c->raw);
  db_reset(&c->encoded);
  rc = db_add(&c->raw, "file://", 7);
  if(!rc)
    rc = db_add(&c->raw, root, n);
  if(!rc)
    rc = db_add(&c->raw, "/", 1);
  if(!rc)
    rc = db_add(&c->raw, it->rel, it->rel_len);
  if(!rc)
    rc = db_add(&c->encoded, "file://", 7);
  if(!rc)
    rc = uri_encode_path(root, n, &c->encoded);
  if(!rc)
    rc = db_add(&c->encoded, "/", 1);
  c->path_off = c->encoded.len;
  if(!rc)
    rc = uri_encode_path(it->rel, it->rel_len, &c->encoded);
  return rc;
}

static lethe_rc on_item(void *ctx, const struct item *it, const struct subject_info *subj)
{
  struct sink_ctx *c = ctx;
  struct verdict v;
  lethe_rc rc = build_uris(c, it);
  if(rc)
    return rc;
  policy_decide(c->r, c->rs, it, c->raw.mem, c->raw.len, subj, c->p->now, &v);
  return plan_add(c->p, it, db_str(&c->encoded), c->path_off, &v);
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
  if(c->r->kind != SOURCE_FILE) {
    pr->error = strdup("this build cannot scan mailbox sources yet");
    return LETHE_E_IO;
  }
  rc = source_file_scan(c->r, on_item, c, &stats, &err);
  pr->source_items = stats.source_items;
  if(rc && rc != LETHE_E_NOMEM) {
    pr->error = strdup(err.msg[0] ? err.msg : lethe_strerror(rc));
    return LETHE_E_IO;
  }
  return rc;
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
  if(rc)
    return err_set(err, rc, "planning failed: %s", lethe_strerror(rc));
  if(!rc)
    rc = plan_finish(p, err);
  return rc ? rc : worst;
}

/* Approvers files (see approvers.h). */
#include "approvers.h"

#include "rules_review.h"
#include "slurp.h"
#include "sshsig.h"

/* An allowed_signers file of a few hundred people is a few hundred KiB. */
#define APPROVERS_MAX (4u * 1024 * 1024)

lethe_rc approvers_load(const struct rule *r, struct signers *s, struct lethe_err *err)
{
  struct dynbuf text;
  lethe_rc rc;
  db_init(&text, APPROVERS_MAX);
  rc = slurp_file(r->approvers, &text, err);
  if(!rc)
    rc = signers_parse(s, text.mem ? text.mem : "", text.len, r->approvers, err);
  db_release(&text);
  if(rc)
    signers_release(s);
  return rc;
}

/* Keys that may sign approvals (namespaces= may leave some out). */
static unsigned approval_keys(const struct signers *s)
{
  unsigned n = 0;
  for(size_t i = 0; i < s->n; i++)
    n += signers_find(s, s->v[i].key, SSHSIG_NS_APPROVAL) == &s->v[i];
  return n;
}

static void check_rule(const struct rule *r, struct diag *d)
{
  struct signers s = { 0 };
  struct lethe_err err = { 0 };
  unsigned n;
  if(approvers_load(r, &s, &err)) {
    diag_error(d, r->file, r->approvers_line, "[rule %s]: approvers: %s", r->name, err.msg);
    return;
  }
  n = approval_keys(&s);
  if(n < rules_approvals_needed(r))
    diag_error(d, r->file, r->approvers_line, "[rule %s]: approvers %s holds %u Ed25519 key%s "
               "for namespace %s, fewer than the %u approvals the rule needs", r->name,
               r->approvers, n, n == 1 ? "" : "s", SSHSIG_NS_APPROVAL,
               rules_approvals_needed(r));
  signers_release(&s);
}

lethe_rc approvers_check_rules(const struct ruleset *rs, struct diag *d)
{
  unsigned before = d->errors;
  for(size_t i = 0; i < rs->n_rules; i++)
    if(rs->rules[i]->approvers && rs->rules[i]->review_required)
      check_rule(rs->rules[i], d);
  return d->errors > before ? LETHE_E_CONFIG : LETHE_OK;
}

/* Judging a kept plan and its approvals (see approved.h). */
#include "approved.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "approval.h"
#include "approvers.h"
#include "isotime.h"
#include "plan_load.h"
#include "rules_review.h"
#include "slurp.h"
#include "sshsig.h"

struct judge {
  struct approved_plan *out;
  int64_t now;
  struct signers *signers;    /* per count; n == 0 when unreadable */
  lethe_rc oom;
};

static void why(struct judge *j, const char *fmt, ...) PRINTF(2, 3);

static void why(struct judge *j, const char *fmt, ...)
{
  char *s = NULL;
  va_list ap;
  va_start(ap, fmt);
  if(vasprintf(&s, fmt, ap) < 0)
    s = NULL;
  va_end(ap);
  if(!s || strlist_add(&j->out->why, s))
    j->oom = LETHE_E_NOMEM;
  free(s);
}

/* The rules the plan deletes from, each with its approvers. */
static lethe_rc count_rules(struct judge *j)
{
  struct approved_plan *a = j->out;
  a->counts = calloc(a->plan.n_rules + 1, sizeof(*a->counts));
  j->signers = calloc(a->plan.n_rules + 1, sizeof(*j->signers));
  if(!a->counts || !j->signers)
    return LETHE_E_NOMEM;
  for(size_t i = 0; i < a->plan.n_rules; i++) {
    const struct rule *r = a->plan.rules[i].rule;
    struct lethe_err err = { 0 };
    if(!a->plan.rules[i].count[DECISION_DELETE])
      continue;
    a->counts[a->n_counts++] = (struct approved_count){ r, 0, rules_approvals_needed(r) };
    if(!r->review_required)
      why(j, "%s/%s: rule %s does not need review now (no 'review = required'), so a plan "
          "approved for it is not applied", a->dir, APPROVAL_PLAN, r->name);
    else if(!r->approvers)
      why(j, "%s/%s: rule %s names no approvers, so no approval counts for it", a->dir,
          APPROVAL_PLAN, r->name);
    else if(approvers_load(r, &j->signers[a->n_counts - 1], &err))
      why(j, "rule %s: approvers: %s", r->name, err.msg);
  }
  return j->oom;
}

static lethe_rc keep_approval(struct judge *j, const char *principal, const char *fp,
                              int64_t at, const struct dynbuf *msg, const struct dynbuf *sig)
{
  struct approved_plan *a = j->out;
  struct journal_approval *v = realloc(a->approvals, (a->n_approvals + 1) * sizeof(*v));
  char when[ISOTIME_LEN];
  if(!v)
    return LETHE_E_NOMEM;
  a->approvals = v;
  isotime_format(at, when);
  v += a->n_approvals;
  v->principal = strdup(principal);
  v->fingerprint = strdup(fp);
  v->approved_at = strdup(when);
  v->message = strndup(msg->mem, msg->len);
  v->signature = strndup(sig->mem, sig->len);
  a->n_approvals++;
  return v->principal && v->fingerprint && v->approved_at && v->message && v->signature
         ? LETHE_OK : LETHE_E_NOMEM;
}

/* Whether the approval counts for rule c (saying why not). */
static bool counts_for(struct judge *j, size_t c, const char *file, const struct approval *ap,
                       const struct sshsig_key *key, const char *fp, const char **principal)
{
  const struct rule *r = j->out->counts[c].rule;
  const struct signer *s = signers_find(&j->signers[c], key, SSHSIG_NS_APPROVAL);
  char given[ISOTIME_LEN], ended[ISOTIME_LEN], valid[DURATION_TEXT_LEN];
  int64_t until;
  if(!r->review_required || !r->approvers || !approval_covers(ap, r->name))
    return false;
  if(!s) {
    why(j, "%s: signed by %s, a key that is not in approvers %s of rule %s: not counted",
        file, fp, r->approvers, r->name);
    return false;
  }
  if(duration_add(ap->approved_at, &r->approval_valid, &until) || j->now >= until) {
    isotime_format(ap->approved_at, given);
    isotime_format(until, ended);
    duration_format(&r->approval_valid, valid);
    why(j, "%s: the approval by %s (%s) given %s expired %s (approval-valid = %s of rule "
        "%s): not counted", file, s->principals, fp, given, ended, valid, r->name);
    return false;
  }
  *principal = s->principals;
  return true;
}

/* The approval message's checks that do not depend on a rule. */
static bool approval_fits(struct judge *j, const char *file, const struct approval *ap)
{
  char when[ISOTIME_LEN];
  if(strcmp(ap->plan, j->out->plan.hash)) {
    why(j, "%s: approves plan %s, not the plan beside it (%s): refused", file, ap->plan,
        j->out->plan.hash);
    return false;
  }
  if(ap->approved_at > j->now + APPROVAL_CLOCK_SKEW) {
    isotime_format(ap->approved_at, when);
    why(j, "%s: dated %s, in the future: refused", file, when);
    return false;
  }
  return true;
}

/* The texts of one approval file and its signature. */
struct signed_text {
  struct dynbuf msg, sig;
};

static void judge_signed(struct judge *j, const char *file, const char *name,
                         const struct approval *ap, const struct sshsig_key *key,
                         const struct signed_text *t)
{
  char keyid[APPROVAL_KEYID_LEN];
  const char *principal = NULL;
  struct dynbuf fp;
  bool counted = false;
  db_init(&fp, 256);
  if(approval_keyid(key, keyid) || sshsig_fingerprint(key, &fp)) {
    j->oom = LETHE_E_NOMEM;
  }
  else if(strncmp(name, keyid, strlen(keyid)) || strcmp(name + strlen(keyid), APPROVAL_EXT)) {
    why(j, "%s: signed by %s, but named for another key: refused", file, db_str(&fp));
  }
  else if(approval_fits(j, file, ap)) {
    for(size_t c = 0; c < j->out->n_counts; c++)
      if(counts_for(j, c, file, ap, key, db_str(&fp), &principal)) {
        j->out->counts[c].have++;
        counted = true;
      }
    if(counted && keep_approval(j, principal, db_str(&fp), ap->approved_at, &t->msg, &t->sig))
      j->oom = LETHE_E_NOMEM;
  }
  db_release(&fp);
}

static lethe_rc read_pair(const char *file, struct dynbuf *msg, struct dynbuf *sig,
                          struct lethe_err *err)
{
  char *sigpath = NULL;
  lethe_rc rc = slurp_file(file, msg, err);
  if(!rc && asprintf(&sigpath, "%s.sig", file) < 0)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  if(!rc)
    rc = slurp_file(sigpath, sig, err);
  free(sigpath);
  return rc;
}

static void judge_file(struct judge *j, const char *name)
{
  struct signed_text t;
  struct dynbuf *msg = &t.msg, *sig = &t.sig;
  struct lethe_err err = { 0 };
  struct sshsig_key *key = NULL;
  struct approval ap = { .approved_at = 0 };
  char *file = NULL, what[256];
  db_init(msg, 64 * 1024);
  db_init(sig, 16 * 1024);
  if(asprintf(&file, "%s/%s", j->out->dir, name) < 0) {
    j->oom = LETHE_E_NOMEM;
    return;
  }
  if(read_pair(file, msg, sig, &err))
    why(j, "%s", err.msg);
  else if(sshsig_verify(sig->mem, sig->len, SSHSIG_NS_APPROVAL, msg->mem, msg->len, &key, &err))
    why(j, "%s: its signature %s.sig does not verify (%s): refused", file, name, err.msg);
  else if(approval_parse(msg->mem, msg->len, &ap, what, sizeof(what)))
    why(j, "%s: %s: refused", file, what);
  else
    judge_signed(j, file, name, &ap, key, &t);
  approval_release(&ap);
  sshsig_free(key);
  db_release(msg);
  db_release(sig);
  free(file);
}

static bool is_approval(const char *name)
{
  size_t n = strlen(name), e = strlen(APPROVAL_EXT);
  return name[0] != '.' && n > e && !strcmp(name + n - e, APPROVAL_EXT);
}

static int by_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* In the order of their names, so that a certificate lists the same
 * approvals in the same order whatever the directory's. */
static void judge_files(struct judge *j)
{
  DIR *d = opendir(j->out->dir);
  struct strlist names = { 0 };
  struct dirent *e;
  if(!d) {
    why(j, "%s: cannot read: %s", j->out->dir, strerror(errno));
    return;
  }
  while((e = readdir(d)) != NULL && !j->oom)
    if(is_approval(e->d_name) && strlist_add(&names, e->d_name))
      j->oom = LETHE_E_NOMEM;
  closedir(d);
  if(names.n)
    qsort(names.v, names.n, sizeof(*names.v), by_name);
  for(size_t i = 0; i < names.n && !j->oom; i++)
    judge_file(j, names.v[i]);
  strlist_release(&names);
}

/* The verdict, and for each rule short of approvals, why. */
static void decide(struct judge *j)
{
  struct approved_plan *a = j->out;
  a->ready = a->n_counts > 0;
  for(size_t c = 0; c < a->n_counts; c++) {
    const struct approved_count *n = &a->counts[c];
    if(n->have >= n->need && n->rule->review_required && n->rule->approvers)
      continue;
    a->ready = false;
    if(n->rule->review_required && n->rule->approvers)
      why(j, "%s: rule %s has %u of the %u approval%s it needs", a->dir, n->rule->name,
          n->have, n->need, n->need == 1 ? "" : "s");
  }
  if(!a->n_counts)
    why(j, "%s/%s: the plan deletes nothing", a->dir, APPROVAL_PLAN);
}

lethe_rc approved_judge(const char *dir, const struct ruleset *rs, int64_t now,
                        struct approved_plan *out)
{
  struct judge j = { .out = out, .now = now };
  struct lethe_err err = { 0 };
  char *plan = NULL;
  lethe_rc rc;
  memset(out, 0, sizeof(*out));
  out->dir = strdup(dir);
  if(!out->dir || asprintf(&plan, "%s/%s", dir, APPROVAL_PLAN) < 0)
    return LETHE_E_NOMEM;
  rc = plan_load(plan, rs, &out->plan, &err);
  free(plan);
  if(rc == LETHE_E_NOMEM)
    return rc;
  out->loaded = !rc;
  if(rc)
    why(&j, "%s: refused", err.msg);
  rc = out->loaded ? count_rules(&j) : LETHE_OK;
  if(!rc && out->loaded)
    judge_files(&j);
  if(!rc && out->loaded)
    decide(&j);
  for(size_t c = 0; j.signers && c < out->n_counts; c++)
    signers_release(&j.signers[c]);
  free(j.signers);
  return rc ? rc : j.oom;
}

void approved_release(struct approved_plan *a)
{
  for(size_t i = 0; i < a->n_approvals; i++) {
    free((char *)a->approvals[i].principal);
    free((char *)a->approvals[i].fingerprint);
    free((char *)a->approvals[i].approved_at);
    free((char *)a->approvals[i].message);
    free((char *)a->approvals[i].signature);
  }
  free(a->approvals);
  free(a->counts);
  plan_release(&a->plan);
  strlist_release(&a->why);
  free(a->dir);
  memset(a, 0, sizeof(*a));
}

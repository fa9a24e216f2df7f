/* approvers, approvals, approval-valid (see rules_review.h). */
#include "rules_review.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* More approvals than this is a typo, not a policy. */
#define APPROVALS_MAX 100

static void set_approvers(struct rule *r, const char *file, const char *value, int line,
                          struct diag *d, lethe_rc *oom)
{
  if(r->approvers_line) {
    diag_error(d, file, line, "'approvers' given twice");
    return;
  }
  r->approvers_line = line;
  r->approvers = config_resolve(file, value);
  if(!r->approvers)
    *oom = LETHE_E_NOMEM;
}

static void set_approvals(struct rule *r, const char *file, const char *value, int line,
                          struct diag *d)
{
  char *end;
  unsigned long v;
  if(r->approvals_line) {
    diag_error(d, file, line, "'approvals' given twice");
    return;
  }
  r->approvals_line = line;
  errno = 0;
  v = isdigit((unsigned char)value[0]) ? strtoul(value, &end, 10) : 0;
  if(!isdigit((unsigned char)value[0]) || errno || *end || v < 1 || v > APPROVALS_MAX) {
    diag_error(d, file, line, "approvals '%s': expected how many people must approve, "
               "from 1 to %d", value, APPROVALS_MAX);
    return;
  }
  r->approvals = (unsigned)v;
}

static void set_valid(struct rule *r, const char *file, const char *value, int line,
                      struct diag *d)
{
  struct lethe_err err;
  if(r->approval_valid_line) {
    diag_error(d, file, line, "'approval-valid' given twice");
    return;
  }
  r->approval_valid_line = line;
  if(duration_parse(value, &r->approval_valid, &err))
    diag_error(d, file, line, "approval-valid: %s", err.msg);
  else if(!r->approval_valid.count)
    diag_error(d, file, line, "approval-valid '%s': an approval must stand for some time "
               "(such as '14 days')", value);
}

bool rules_review_key(struct rule *r, const char *file, const char *key, const char *value,
                      int line, struct diag *d, lethe_rc *oom)
{
  if(!strcmp(key, "approvers"))
    set_approvers(r, file, value, line, d, oom);
  else if(!strcmp(key, "approvals"))
    set_approvals(r, file, value, line, d);
  else if(!strcmp(key, "approval-valid"))
    set_valid(r, file, value, line, d);
  else
    return false;
  return true;
}

void rules_review_finish(struct rule *r, struct diag *d)
{
  const char *key = r->approvers_line ? "approvers" : r->approvals_line ? "approvals"
                    : "approval-valid";
  int line = r->approvers_line ? r->approvers_line : r->approvals_line
             ? r->approvals_line : r->approval_valid_line;
  if(line && !r->review_required)
    diag_error(d, r->file, line, "[rule %s]: '%s' applies only to a rule with 'review = "
               "required'", r->name, key);
  else if(!r->approvers_line && (r->approvals_line || r->approval_valid_line))
    diag_error(d, r->file, line, "[rule %s]: '%s' needs 'approvers' (an allowed_signers "
               "file of those who may approve)", r->name, key);
  if(!r->approval_valid_line)
    r->approval_valid = (struct duration){ .count = REVIEW_VALID_DAYS, .unit = DURATION_DAYS };
}

unsigned rules_approvals_needed(const struct rule *r)
{
  return r->approvals ? r->approvals : 1;
}

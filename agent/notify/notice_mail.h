/* The message of a notice before deletion: to one address, the items of
 * every rule that newly entered their grace period, in the plain-text
 * body (rule, description, basis; per item the date it may be deleted,
 * its size and path) and as the plan's HTML report, attached when it is
 * at most NOTICE_ATTACH_MAX bytes (the body says when it is not). */
#ifndef LETHE_NOTICE_MAIL_H
#define LETHE_NOTICE_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynbuf.h"
#include "plan.h"
#include "plan_entry.h"

#define NOTICE_ATTACH_MAX (2u * 1024 * 1024)

struct notice_item {
  size_t rule_ix;             /* its rule in the plan */
  struct plan_entry e;        /* a copy (plan_entry_copy) */
};

struct notice_msg {
  const char *from;
  const char *to;
  const struct plan *p;       /* the run's plan: the rules and the instant */
  const struct notice_item *items; /* in the plan's order of rules */
  size_t n;
  const char *host;           /* this machine, named in the signature */
};

/* Append the whole message (mail_compose) to out; *attached says whether
 * the HTML report went with it. */
lethe_rc notice_compose(const struct notice_msg *m, struct dynbuf *out, bool *attached,
                        struct lethe_err *err) WUR;

#endif

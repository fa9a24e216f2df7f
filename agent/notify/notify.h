/* Notices before deletion (notify =, notify-column =; lethe.ini(5)).
 *
 * After lethe run has made its plan, every item in its grace period under
 * a rule that notifies is told to the rule's notify addresses and to its
 * subject's owner (notify-column), unless the state says that address was
 * already told of that item for the same due date. Each address gets one
 * message per run, over every rule. What was sent is recorded only once
 * the server accepted the message, so a failed one goes again next run;
 * and sending comes after the deletions, which never wait for it. */
#ifndef LETHE_NOTIFY_H
#define LETHE_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "plan.h"

struct notify_counts {
  unsigned sent;              /* messages the server accepted */
  unsigned failed;            /* messages that were not sent */
  uint64_t items;             /* item notices in the messages sent */
  uint64_t already;           /* item notices not sent again */
  uint64_t unowned;           /* items of a notify-column rule with no owner */
};

/* Called for each message, sent (error NULL) or not, for the front end to
 * log: to whom, how many items, and what went wrong. */
typedef void (*notify_note_fn)(void *ctx, const char *to, size_t items, bool attached,
                               const char *error);

/* Send what plan p's rules owe. A message that cannot be sent is counted
 * and told to note, and the others still go; the result is an error only
 * when the state cannot be read or written, or memory runs out. */
lethe_rc notify_send(const struct config *cfg, struct plan *p, notify_note_fn note, void *ctx,
                     struct notify_counts *counts, struct lethe_err *err) WUR;

#endif

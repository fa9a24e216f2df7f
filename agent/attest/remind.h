/* Reminders by e-mail: each person whose confirmation is due soon or past
 * gets one reminder per period, and the data protection officer one
 * message listing whoever became overdue (each person once per period).
 * remind_state.h remembers what was sent. */
#ifndef LETHE_REMIND_H
#define LETHE_REMIND_H

#include <stddef.h>
#include <stdint.h>

#include "smtp.h"
#include "standing.h"

struct remind_opts {
  const struct smtp_server *smtp;
  const char *from;              /* the sender's address */
  const char *dpo;               /* the data protection officer's address, or NULL */
  const char *state_dir;
  int64_t now;
};

/* Called for each message sent or failed (for the front end to log): to
 * whom, about which obligation (NULL for the DPO's digest), and the error
 * (NULL when sent). */
typedef void (*remind_note_fn)(void *ctx, const char *to, const struct standing *about,
                               const char *error);

struct remind_counts {
  unsigned sent;
  unsigned failed;
  unsigned already;              /* reminders not sent again this period */
};

/* Send what is due for the n standings. A message that cannot be sent is
 * counted and reported through note, and the others still go; the result
 * is an error only when the state cannot be read or written. */
lethe_rc remind_send(const struct remind_opts *o, const struct standing *v, size_t n,
                     remind_note_fn note, void *ctx, struct remind_counts *counts,
                     struct lethe_err *err) WUR;

#endif

/* What reminders were sent, so that each goes at most once per period.
 *
 * The file (STATE/reminders) holds one line per reminder sent:
 *
 *   KIND TAB EMAIL TAB SCOPE TAB PERIOD TAB SENT_AT LF
 *
 * KIND is "due" (to the person) or "overdue" (to the data protection
 * officer), PERIOD the due date the reminder was about ("never" before a
 * first confirmation without a "since"), SENT_AT an instant. A new
 * confirmation moves the due date, and so starts a new period. The file is
 * rewritten whole (a temporary file, fsync, rename) after each mail sent. */
#ifndef LETHE_REMIND_STATE_H
#define LETHE_REMIND_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "dynbuf.h"

#define REMIND_STATE_FILE "reminders"

struct remind_state {
  char *dir;                  /* the state directory */
  char *path;
  struct dynbuf text;         /* the lines, as read and added */
};

/* Read STATE/reminders (a missing file is an empty state); the directory
 * is created (0700) when missing. */
lethe_rc remind_state_load(struct remind_state *s, const char *state_dir,
                           struct lethe_err *err) WUR;

/* Whether a reminder of kind was sent for (email, scope, period). */
bool remind_state_sent(const struct remind_state *s, const char *kind, const char *email,
                       const char *scope, const char *period);

/* Record one and write the file. */
lethe_rc remind_state_add(struct remind_state *s, const char *kind, const char *email,
                          const char *scope, const char *period, int64_t sent_at,
                          struct lethe_err *err) WUR;

void remind_state_release(struct remind_state *s);

#endif

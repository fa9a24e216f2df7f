/* What notices before deletion were sent, so that each item is notified
 * once per due period: STATE/notices/sent, one line per item per address,
 *
 *   RULE TAB ADDRESS TAB DUE TAB URI TAB SENT_AT LF
 *
 * DUE is when the item may be deleted (expires + grace), URI its
 * percent-encoded URI (no tab or line break), ADDRESS in lower case. A
 * clock that moved gives the item a new DUE, and so a new notice. A line
 * whose DUE has passed is dropped when the file is read: past that date
 * the item is deleted or held, never in grace for that date again.
 *
 * Lines are added in memory and the file rewritten whole (a temporary
 * file, fsync, rename, the directory fsync'd) by notice_state_save, which
 * the caller runs only once the server accepted the message: a notice that
 * failed leaves the file as it was, and goes again next run. */
#ifndef LETHE_NOTICE_STATE_H
#define LETHE_NOTICE_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "strlist.h"

#define NOTICE_STATE_DIR "notices"
#define NOTICE_STATE_FILE "sent"

struct notice_state {
  char *dir;                  /* STATE/notices */
  char *path;                 /* STATE/notices/sent */
  struct strlist lines;       /* without their LF */
  size_t *slots;              /* hash of the lines' keys: index + 1, 0 empty */
  size_t cap;
};

/* Read the file (a missing one is empty), dropping lines due before now;
 * STATE/notices is made (0700) when missing. */
lethe_rc notice_state_load(struct notice_state *s, const char *state_dir, int64_t now,
                           struct lethe_err *err) WUR;

/* Whether rule's item uri, due at due (ISO 8601), was notified to addr. */
bool notice_state_sent(const struct notice_state *s, const char *rule, const char *addr,
                       const char *due, const char *uri);

/* Remember that it was, sent at sent_at (in memory until saved). */
lethe_rc notice_state_add(struct notice_state *s, const char *rule, const char *addr,
                          const char *due, const char *uri, int64_t sent_at) WUR;

/* Write the file atomically. */
lethe_rc notice_state_save(const struct notice_state *s, struct lethe_err *err) WUR;

void notice_state_release(struct notice_state *s);

#endif

/* What lethe.service lets lethe run write, read from the unit file and its
 * drop-ins as systemd would find them, so that lethe check can say which
 * paths every deletion would fail on under the timer ("Read-only file
 * system") and the drop-in line that fixes it.
 *
 * Only what decides writability is read: ProtectSystem=, ProtectHome= and
 * ReadWritePaths= of [Service] (an empty assignment resets the list; a "-"
 * or "+" prefix is dropped; entries with %-specifiers are ignored). */
#ifndef LETHE_UNIT_SANDBOX_H
#define LETHE_UNIT_SANDBOX_H

#include <limits.h>
#include <stdbool.h>

#include "strlist.h"

enum protect_system { PROTECT_SYSTEM_NO, PROTECT_SYSTEM_YES, PROTECT_SYSTEM_FULL,
                      PROTECT_SYSTEM_STRICT };
enum protect_home { PROTECT_HOME_NO, PROTECT_HOME_READ_ONLY, PROTECT_HOME_HIDDEN };

struct unit_sandbox {
  char unit_path[PATH_MAX];   /* the unit file read */
  enum protect_system system;
  enum protect_home home;
  struct strlist rw;          /* ReadWritePaths= */
};

/* Read unit (a name such as "lethe.service") from systemd's unit search
 * path: $SYSTEMD_UNIT_PATH (colon-separated; a trailing colon appends the
 * defaults) or /etc/systemd/system, /run/systemd/system,
 * /usr/local/lib/systemd/system, /lib/systemd/system,
 * /usr/lib/systemd/system; then UNIT.d/\*.conf of each, in name order (the
 * first directory's copy of a name wins). false when the unit is not
 * installed. */
bool unit_sandbox_read(const char *unit, struct unit_sandbox *s);

void unit_sandbox_release(struct unit_sandbox *s);

/* Whether the unit can write at the absolute path; when not, *why says by
 * which setting ("ProtectSystem=strict"). */
bool unit_sandbox_writable(const struct unit_sandbox *s, const char *path, const char **why);

#endif

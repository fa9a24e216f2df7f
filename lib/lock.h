/* The state directory lock: only one lethe that changes anything runs
 * against a state directory at a time. */
#ifndef LETHE_LOCK_H
#define LETHE_LOCK_H

#include <stdbool.h>
#include "err.h"

/* Create the state directory (0700) if needed and take STATE/lock. With
 * wait false, a lock held by another process gives LETHE_E_LOCKED at once,
 * with its pid in the message. Returns the lock fd (keep it open to hold the
 * lock) or -1 with err set. */
int lock_state(const char *state_dir, bool wait, struct lethe_err *err);

/* Release a lock taken by lock_state. */
void lock_release(int fd);

#endif

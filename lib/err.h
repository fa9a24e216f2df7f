/* Error messages that travel with an error code.
 *
 * The core and the sources never print: they return a lethe_rc and leave a
 * message in a struct lethe_err, which the command front end prints with the
 * file, line or item it concerns. */
#ifndef LETHE_ERR_H
#define LETHE_ERR_H

#include <stddef.h>
#include "lethe/error.h"

#define WUR __attribute__((warn_unused_result))
#define PRINTF(a, b) __attribute__((format(printf, a, b)))

struct lethe_err {
  lethe_rc rc;
  char msg[1024];
};

/* Record rc and a printf-style message in err (which may be NULL); return rc
 * so that callers can write `return err_set(err, LETHE_E_PARSE, "...")`. */
lethe_rc err_set(struct lethe_err *err, lethe_rc rc, const char *fmt, ...) PRINTF(3, 4);

/* Like err_set, with ": strerror(errno)" appended. */
lethe_rc err_sys(struct lethe_err *err, lethe_rc rc, const char *fmt, ...) PRINTF(3, 4);

/* Put "prefix: " in front of the message already in err; return err->rc. */
lethe_rc err_prefix(struct lethe_err *err, const char *fmt, ...) PRINTF(2, 3);

/* Clear err to LETHE_OK and an empty message. */
void err_clear(struct lethe_err *err);

#endif

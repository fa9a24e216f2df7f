/* Error messages that travel with an error code, for the archive code.
 *
 * The layout is that of the agent's struct lethe_err (a code and a message of
 * 1024 bytes), kept separate so that lib/archive depends on lethe/error.h
 * only. Nothing here prints: the caller prints the message with the archive
 * it concerns.
 *
 * Entry names are bytes from an untrusted archive. Every name put in a
 * message goes through arc_quote(), so a message is always printable ASCII
 * whatever the archive holds. */
#ifndef LETHE_ARC_ERR_H
#define LETHE_ARC_ERR_H

#include <stddef.h>
#include "lethe/error.h"

#define ARC_WUR __attribute__((warn_unused_result))
#define ARC_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Room for a quoted name in a message: longer names are cut with "...". */
#define ARC_QUOTE_MAX 256

struct arc_err {
  lethe_rc rc;
  char msg[1024];
};

/* Record rc and a printf-style message in err (which may be NULL); return rc
 * so that callers can write `return arc_err_set(err, LETHE_E_PARSE, "...")`. */
lethe_rc arc_err_set(struct arc_err *err, lethe_rc rc, const char *fmt, ...) ARC_PRINTF(3, 4);

/* Like arc_err_set, with ": strerror(errno)" appended. */
lethe_rc arc_err_sys(struct arc_err *err, lethe_rc rc, const char *fmt, ...) ARC_PRINTF(3, 4);

/* Put "prefix: " in front of the message already in err; return err->rc. */
lethe_rc arc_err_prefix(struct arc_err *err, const char *fmt, ...) ARC_PRINTF(2, 3);

/* Clear err to LETHE_OK and an empty message. */
void arc_err_clear(struct arc_err *err);

/* Write the len bytes of s into out (ARC_QUOTE_MAX bytes) as printable ASCII:
 * printable bytes as they are, backslash as "\\", everything else as "\xNN";
 * cut with "..." when it does not fit. Returns out, for use in printf
 * arguments. */
const char *arc_quote(const char *s, size_t len, char out[ARC_QUOTE_MAX]);

#endif

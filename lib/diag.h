/* Collected diagnostics: "FILE:LINE: message" lines gathered while reading
 * configuration and rules, so that one run reports every error, not only the
 * first. */
#ifndef LETHE_DIAG_H
#define LETHE_DIAG_H

#include <stdio.h>
#include "dynbuf.h"

struct diag {
  struct dynbuf text;   /* the lines, each ending in '\n' */
  unsigned errors;
  unsigned warnings;
};

void diag_init(struct diag *d);
void diag_release(struct diag *d);

/* Record an error at file:line (line 0: the file as a whole). */
void diag_error(struct diag *d, const char *file, int line, const char *fmt, ...) PRINTF(4, 5);

/* Record a warning: printed, but does not make the configuration invalid. */
void diag_warn(struct diag *d, const char *file, int line, const char *fmt, ...) PRINTF(4, 5);

/* Write every recorded line to f. */
void diag_print(const struct diag *d, FILE *f);

#endif

/* Messages for the operator, on stderr. Under systemd (stderr is the stream
 * JOURNAL_STREAM names) each line carries a syslog priority prefix such as
 * "<4>", so journald keeps the level; on a terminal, in a pipe or in a file
 * the prefix is "lethe: ". */
#ifndef LETHE_LOG_H
#define LETHE_LOG_H

#include <stdbool.h>
#include <syslog.h>
#include "err.h"

/* Whether stderr is the systemd journal's stream. */
bool log_to_journal(void);

/* Print one line at the given syslog priority (LOG_ERR, LOG_WARNING,
 * LOG_NOTICE, LOG_INFO). */
void log_msg(int priority, const char *fmt, ...) PRINTF(2, 3);

/* Print every line of text (possibly several, each ending in '\n') at the
 * given priority. */
void log_lines(int priority, const char *text);

#endif

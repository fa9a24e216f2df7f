/* Reading INI files with inih, with line numbers and every syntax error.
 *
 * Debian's inih is built without INI_HANDLER_LINENO, so the line number is
 * counted by our own reader, which also checks each line's syntax itself: inih
 * returns only the first bad line, and Lethe must report them all. */
#ifndef LETHE_INIFILE_H
#define LETHE_INIFILE_H

#include "diag.h"

/* Called for each "key = value" (section "" before any section header) and,
 * with key NULL, for each section header. Return 0 to go on. */
typedef void (*inifile_handler)(void *ctx, const char *section, const char *key,
                                const char *value, int line);

/* Parse the file at path. Errors (unreadable file, syntax, overlong lines)
 * go to d as "path:line: ..."; the handler reports its own. Returns
 * LETHE_E_CONFIG if the file could not be read at all. */
lethe_rc inifile_parse(const char *path, inifile_handler fn, void *ctx, struct diag *d) WUR;

#endif

/* contains = and client-list = of a file rule: a file is selected only when
 * the personal-data scanner (agent/scan) finds what the rule asks for in
 * it, so that "spreadsheets outside the 0 folder that hold personal data"
 * is a rule. The scan reads the file through the walk's directory fd, never
 * following a symlink; what it found (counts and redacted samples, never a
 * value) goes with the item into the plan. */
#ifndef LETHE_FILE_CONTENT_H
#define LETHE_FILE_CONTENT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "rules.h"
#include "scan.h"

/* Read the rule's contains and client-list, compile the detectors and load
 * the list (r->store_data); errors at the settings' lines. Nothing when the
 * rule has no contains. */
void file_content_finish(struct rule *r, struct diag *d);

/* Whether the rule selects files by their content. */
bool file_content_wanted(const struct rule *r);

/* Scan name in dirfd for what the rule asks: 1 when found (f filled), 0
 * when not, -1 when the file cannot be read as it should (problem says why
 * and where, n bytes): such a file is listed, not judged. */
int file_content_match(const struct rule *r, int dirfd, const char *name,
                       struct scan_findings *f, char *problem, size_t n);

#endif

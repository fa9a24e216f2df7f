/* Helpers shared by the scanner's cmocka tests. */
#ifndef LETHE_SCAN_TEST_UTIL_H
#define LETHE_SCAN_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include "scan.h"

/* Rules for `contains` (NULL: personal-data) and a client list text (or
 * NULL); the test fails if they cannot be made. */
struct scan_rules *t_rules(const char *contains, const char *clients);

/* Scan text as the file `name` with rules r; the findings go to f and the
 * return code is checked to be LETHE_OK. */
void t_scan(const struct scan_rules *r, const char *name, const char *text,
            struct scan_findings *f);

/* How many values of detector d personal-data rules find in text (as a
 * .txt file). */
uint64_t t_count(const char *text, enum scan_detector d);

/* The redacted sample for detector d in text (static buffer). */
const char *t_sample(const char *text, enum scan_detector d);

/* A fresh temporary directory (static buffer), and removing it. */
const char *t_tmpdir(void);
void t_rmdir(const char *dir);

/* Run a generator script from this folder: python3 SRCDIR/script args... */
void t_python(const char *script, const char *args);

/* Write n bytes to dir/name. */
void t_write(const char *dir, const char *name, const void *p, size_t n);

#endif

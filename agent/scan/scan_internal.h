/* Internals shared by the scanner's files (not part of its API). */
#ifndef LETHE_SCAN_INTERNAL_H
#define LETHE_SCAN_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "scan.h"

#define WUR SCAN_WUR
#define PRINTF(a, b) __attribute__((format(printf, a, b)))

/* The version of the detector set: bump it whenever a detector's behaviour
 * changes, so that the rules hash of an attestation changes too. */
#define SCAN_DETECTORS_VERSION "lethe-scan-detectors/1"

struct clients;

/* The bounds a scan works within (scan_options with defaults filled in). */
struct scan_limits {
  uint64_t max_member;
  uint64_t max_total;
  unsigned max_entries;
  unsigned max_depth;
  unsigned max_pages;
};

struct scan_rules {
  unsigned detectors;
  struct scan_limits lim;
  struct clients *clients;   /* NULL when there is no list or it is empty */
  char hash[65];
};

/* An error message for the caller: write it into err (which may be NULL or
 * 0 bytes long) and return rc, so callers can `return scan_err(...)`. */
lethe_rc scan_err(char *err, size_t errlen, lethe_rc rc, const char *fmt, ...) PRINTF(4, 5);

/* Put printf-style text in front of the message already in err. */
void scan_err_prefix(char *err, size_t errlen, const char *fmt, ...) PRINTF(3, 4);

/* Does the detector set of r include d? */
static inline bool scan_wants(const struct scan_rules *r, enum scan_detector d)
{
  return (r->detectors & SCAN_BIT(d)) != 0;
}

/* Record one value found by detector d: count it and, for the first one,
 * keep its redacted form. p..p+n is the raw match; it is not kept. */
void findings_add(struct scan_findings *f, enum scan_detector d, const unsigned char *p,
                  size_t n);

/* Record n data rows of a table whose header names a person; columns is a
 * short, comma-separated list of the header cells that did (not personal
 * data: "Name, Email"). */
void findings_add_rows(struct scan_findings *f, uint64_t n, const char *columns);

/* Write the redacted form of the raw match p..p+n of detector d into out
 * (always NUL-terminated, cut to outlen). */
void redact(enum scan_detector d, const unsigned char *p, size_t n, char *out, size_t outlen);

#endif

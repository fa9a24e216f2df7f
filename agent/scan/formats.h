/* One entry point per file format. Each scans its input into out and, on
 * error, leaves a message in err that does not name the file (scan_file()
 * puts the name in front) but does name the member or offset. */
#ifndef LETHE_SCAN_FORMATS_H
#define LETHE_SCAN_FORMATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "scan_internal.h"

/* A file to scan: an open regular file (fd >= 0, read from offset 0) or
 * bytes in memory (fd < 0). */
struct scan_input {
  int fd;
  const unsigned char *mem;
  uint64_t size;
  const char *name;
};

/* Plain text, or CSV when csv is set (tsv: tab-separated by name). */
lethe_rc scan_text(const struct scan_rules *r, const struct scan_input *in, bool csv, bool tsv,
                   struct scan_findings *out, char *err, size_t errlen) WUR;

/* A zip container: docx, xlsx, pptx, odt/ods/odp; out->format tells which,
 * or SCAN_FMT_ZIP for a zip that is none of them (then nothing is read). */
lethe_rc scan_office(const struct scan_rules *r, const struct scan_input *in,
                     struct scan_findings *out, char *err, size_t errlen) WUR;

/* A PDF: the text of each page. */
lethe_rc scan_pdf(const struct scan_rules *r, const struct scan_input *in,
                  struct scan_findings *out, char *err, size_t errlen) WUR;

#endif

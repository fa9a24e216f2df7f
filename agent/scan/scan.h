/* The personal-data scanner: does a file hold personal data, and what kind?
 *
 * A scan reads one file (plain text, CSV, docx/xlsx/pptx, odt/ods/odp, PDF)
 * and reports, per detector, how many values it found and one redacted
 * sample of them (`j***@example.org`, `**** **** **** 1234`). The full value
 * of a match never outlives the scan: every buffer that held file text is
 * wiped before it is freed, and the findings hold only counts and redacted
 * samples.
 *
 * Files are streamed in bounded memory: a text file of any size is read in
 * fixed blocks that overlap, so a value straddling two blocks is still seen
 * once. Office files are zip containers whose few text-bearing XML members
 * are parsed as a stream, with the size of each decompressed member and of
 * the whole container bounded (zip bombs), no DTD accepted (billion laughs,
 * external entities), no network and a bounded element depth. Nothing in a
 * document is executed or followed: no macros, links or relationships.
 *
 * Typical use:
 *
 *   struct scan_options opt = SCAN_OPTIONS_INIT;
 *   struct scan_rules *rules;
 *   struct scan_findings f;
 *   char err[512];
 *
 *   rc = scan_detectors_parse("personal-data", &opt.detectors, err, sizeof(err));
 *   if(rc) return rc;
 *   rc = scan_rules_new(&opt, &rules, err, sizeof(err));
 *   if(rc) return rc;
 *   rc = scan_file(rules, dirfd, "minutes.docx", &f, err, sizeof(err));
 *   ... f.hits[SCAN_EMAIL].count, f.hits[SCAN_EMAIL].sample ...
 *   scan_findings_release(&f);
 *   scan_rules_free(rules);
 *
 * A struct scan_rules is read-only once made: several threads may scan with
 * the same rules at once. */
#ifndef LETHE_SCAN_H
#define LETHE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lethe/error.h"

#ifndef SCAN_WUR
#define SCAN_WUR __attribute__((warn_unused_result))
#endif

/* The detectors. The numbering is the order of reports; never renumbered. */
enum scan_detector {
  SCAN_EMAIL,          /* e-mail address */
  SCAN_PHONE,          /* UK national or international (E.164) phone number */
  SCAN_NINO,           /* UK National Insurance number, HMRC prefix rules */
  SCAN_IBAN,           /* IBAN with a valid mod-97 check and country length */
  SCAN_CARD,           /* payment card number: known IIN, length, Luhn */
  SCAN_DOB,            /* a date next to a birth keyword (DOB, born, ...) */
  SCAN_PERSON_COLUMN,  /* a table whose header names a person (Name, Email...) */
  SCAN_CLIENT_NAME,    /* a name from the organisation's client list */
  SCAN_DETECTOR__COUNT
};

/* Bit of detector d in a detector set. */
#define SCAN_BIT(d) (1u << (d))
/* Every detector ("contains = personal-data"). */
#define SCAN_ALL ((1u << SCAN_DETECTOR__COUNT) - 1u)

/* What a scan may use. Zero limits mean the defaults below. */
struct scan_options {
  unsigned detectors;        /* set of SCAN_BIT()s; 0 means SCAN_ALL */
  const char *client_list;   /* path of the client-name list, or NULL */
  const char *client_text;   /* or the list's text itself (tests), or NULL */
  uint64_t max_member;       /* decompressed bytes of one zip member */
  uint64_t max_total;        /* decompressed bytes of one container in all */
  unsigned max_entries;      /* entries in one zip container */
  unsigned max_depth;        /* XML element nesting */
  unsigned max_pages;        /* PDF pages read */
};

#define SCAN_DEFAULT_MAX_MEMBER (256ull << 20)
#define SCAN_DEFAULT_MAX_TOTAL (1024ull << 20)
#define SCAN_DEFAULT_MAX_ENTRIES 10000u
#define SCAN_DEFAULT_MAX_DEPTH 128u
#define SCAN_DEFAULT_MAX_PAGES 10000u
#define SCAN_OPTIONS_INIT { 0, NULL, NULL, 0, 0, 0, 0, 0 }

/* Longest line of a client-name list (bytes, after trimming). */
#define SCAN_CLIENT_NAME_MAX 80

/* Compiled detectors and client list, shared by any number of scans. */
struct scan_rules;

/* What kind of file a scan found, and so whether it read it at all. */
enum scan_format {
  SCAN_FMT_EMPTY,      /* 0 bytes: nothing to scan */
  SCAN_FMT_TEXT,       /* plain text, UTF-8 or Latin-1, any line endings */
  SCAN_FMT_CSV,        /* delimited text (.csv, .tsv) */
  SCAN_FMT_DOCX,
  SCAN_FMT_XLSX,
  SCAN_FMT_PPTX,
  SCAN_FMT_ODF,        /* odt, ods, odp: content.xml */
  SCAN_FMT_PDF,
  SCAN_FMT_ZIP,        /* a zip that is no office document: NOT scanned */
  SCAN_FMT_BINARY,     /* NUL bytes in the first block: NOT scanned */
};

/* One detector's result for one file. */
struct scan_hit {
  uint64_t count;      /* values found (person-column: data rows) */
  char sample[64];     /* the first value, redacted; "" when count is 0 */
};

/* A file's findings. Filled by scan_file() and scan_buffer(). */
struct scan_findings {
  enum scan_format format;
  uint64_t bytes;      /* bytes of text examined (after extraction) */
  struct scan_hit hits[SCAN_DETECTOR__COUNT];
};

/* Parse a rule's `contains` value into a detector set: "personal-data" (all
 * detectors) or a comma-separated list of detector names ("email,iban").
 * LETHE_E_PARSE with a message in err for an unknown name. */
lethe_rc scan_detectors_parse(const char *contains, unsigned *set,
                              char *err, size_t errlen) SCAN_WUR;

/* The detector's name as rules spell it ("email", "person-column"), or NULL
 * for a value out of range. */
const char *scan_detector_name(enum scan_detector d);

/* The format's name ("docx", "text"), for reports. */
const char *scan_format_name(enum scan_format f);

/* Compile the detectors opt selects and load the client list (one name per
 * line, UTF-8, blank lines and lines starting with '#' ignored; a name that
 * is not UTF-8 or longer than SCAN_CLIENT_NAME_MAX is refused with its line
 * number). The list file is opened without following a symlink. On error,
 * *out is NULL and err says what and where. */
lethe_rc scan_rules_new(const struct scan_options *opt, struct scan_rules **out,
                        char *err, size_t errlen) SCAN_WUR;

/* Free rules made by scan_rules_new (NULL is fine). */
void scan_rules_free(struct scan_rules *r);

/* The detector set the rules run. */
unsigned scan_rules_detectors(const struct scan_rules *r);

/* SHA-256 (lowercase hex, NUL-terminated) of the detector set version, the
 * selected detectors and the client list as loaded: what an attestation
 * cites to say which rules a confirmation was made with. */
void scan_rules_hash(const struct scan_rules *r, char hex[65]);

/* Scan the regular file `name` in the directory dirfd (AT_FDCWD works).
 * It is opened with O_NOFOLLOW: a symlink, a fifo or a device is refused
 * with LETHE_E_UNSAFE and never read. The format is found from the content
 * (zip, PDF, NUL bytes) and the name (.csv, .tsv). A corrupt document gives
 * LETHE_E_PARSE, a document over a bound (zip bomb, nesting, pages)
 * LETHE_E_RANGE, XML with a DTD or an encrypted PDF LETHE_E_UNSAFE, a read
 * failure LETHE_E_IO, always with err naming the file and the member or
 * offset; *out then holds what was found before the error (a partial
 * count). *out is always initialised. Thread-safe for distinct out. */
lethe_rc scan_file(const struct scan_rules *r, int dirfd, const char *name,
                   struct scan_findings *out, char *err, size_t errlen) SCAN_WUR;

/* Scan len bytes in memory as if they were the file `name` (which only
 * serves for the format and messages). Same results as scan_file. */
lethe_rc scan_buffer(const struct scan_rules *r, const char *name, const void *data,
                     size_t len, struct scan_findings *out,
                     char *err, size_t errlen) SCAN_WUR;

/* Wipe the findings (samples are redacted, but say what a file held). */
void scan_findings_release(struct scan_findings *f);

/* Total values found over all detectors. */
uint64_t scan_findings_total(const struct scan_findings *f);

#endif

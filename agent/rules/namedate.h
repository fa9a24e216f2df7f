/* Dates written in file names: "backup-2019-03-01.tar.gz", "consent_20190301.pdf",
 * "2019_03_01 minutes.docx". The name clock of a rule reads them. */
#ifndef LETHE_NAMEDATE_H
#define LETHE_NAMEDATE_H

#include <stdbool.h>
#include <stdint.h>

/* Find the first valid calendar date in name, in one of the forms YYYY-MM-DD,
 * YYYY_MM_DD, YYYY.MM.DD or YYYYMMDD, not preceded or followed by another
 * digit (so "x120190301" is no date). Both separators must be the same
 * ("2019-03_01" is no date). The year must be 1900..2999 and the day
 * must exist in its month; a candidate that fails is skipped and the search
 * goes on, so "2019-02-30_2019-03-01" gives 1 March. The name is taken as
 * bytes: any encoding, including invalid UTF-8, is fine. On success store
 * midnight UTC of that date in *out and return true; otherwise return false
 * and leave *out alone. */
bool namedate_find(const char *name, int64_t *out);

#endif

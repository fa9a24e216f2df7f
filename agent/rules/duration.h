/* Retention periods ("180 days", "12 months", "7y") and calendar arithmetic.
 *
 * Months and years are calendar units in UTC: adding one month keeps the day
 * of the month and clamps it to the month's end (31 Jan + 1 month = 28 Feb, or
 * 29 Feb in a leap year); a year is twelve months (29 Feb 2024 + 1 year =
 * 28 Feb 2025). Days are 86400 seconds and weeks seven days: UTC has no DST. */
#ifndef LETHE_DURATION_H
#define LETHE_DURATION_H

#include <stdint.h>
#include "err.h"

enum duration_unit {
  DURATION_DAYS,
  DURATION_WEEKS,
  DURATION_MONTHS,
  DURATION_YEARS,
};

struct duration {
  int64_t count;            /* 0 .. 100000 */
  enum duration_unit unit;
};

/* Room for the longest text duration_format writes. */
#define DURATION_TEXT_LEN 32

/* Parse "180 days", "180 day", "180d", "2 weeks", "2w", "12 months", "12mo",
 * "7 years", "7y", "0" (zero: due at once). Spaces and tabs around and
 * between number and unit are allowed, units are case-insensitive. The units are exactly
 * d/day/days, w/week/weeks, mo/month/months and y/year/years (singular and
 * plural are interchangeable: "1 days" is fine). Only zero may omit the unit
 * ("0" is 0 days); "30" alone is refused. "12m" is refused as ambiguous
 * (minutes or months?), as are negative, fractional, empty and overlong values;
 * the message says what was wrong and what is accepted. A count above 100000
 * gives LETHE_E_RANGE, every other refusal LETHE_E_PARSE; *out is then left
 * alone. */
lethe_rc duration_parse(const char *text, struct duration *out, struct lethe_err *err) WUR;

/* t plus the duration, by the calendar rules above; the time of day is kept.
 * Returns LETHE_E_RANGE, leaving *out alone, if t or the result would lie
 * outside years 1..9999 or d is not a valid duration (count outside
 * 0..100000, unknown unit). */
lethe_rc duration_add(int64_t t, const struct duration *d, int64_t *out) WUR;

/* Write the canonical text ("180 days", "1 month", "7 years", "0 days") into
 * buf, which holds at least DURATION_TEXT_LEN bytes. The unit is kept as
 * given (a zero count in months is "0 months"), so the text parses back to
 * the same duration. */
void duration_format(const struct duration *d, char *buf);

#endif

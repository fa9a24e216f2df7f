/* UTC calendar conversions and ISO 8601 text.
 *
 * Lethe keeps every instant as int64_t seconds since the Unix epoch, UTC.
 * No function here consults the local time zone or the TZ variable. */
#ifndef LETHE_ISOTIME_H
#define LETHE_ISOTIME_H

#include <stdbool.h>
#include <stdint.h>
#include "err.h"

/* Length of "2026-11-22T10:00:00Z" plus its NUL. */
#define ISOTIME_LEN 21
/* Length of "2026-11-22" plus its NUL. */
#define ISODATE_LEN 11

struct civil {
  int year;   /* proleptic Gregorian, e.g. 2026; 1..9999 accepted by the parsers */
  int month;  /* 1..12 */
  int day;    /* 1..days_in_month */
  int hour, minute, second;
};

/* True for Gregorian leap years. */
bool isotime_is_leap(int year);

/* Days in the given month (1..12) of the given year. */
int isotime_days_in_month(int year, int month);

/* Seconds since the epoch of a UTC civil time. The fields must be valid. */
int64_t isotime_from_civil(const struct civil *c);

/* The UTC civil time of an instant. Exact for any instant whose year fits in
 * an int (|t| below about 6.7e16 seconds). */
void isotime_to_civil(int64_t t, struct civil *out);

/* Parse an ISO 8601 instant: "2026-11-22" (midnight UTC), "2026-11-22T10:00Z",
 * "2026-11-22T10:00:00Z", "2026-11-22T10:00:00+01:00", "2026-11-22T10:00:00.123Z"
 * (fraction dropped), and a space instead of the "T". A time without a zone
 * is taken as UTC. As in RFC 3339, "t" and "z" may be lower case; the offset
 * may also be written "+0100", and the fraction may follow a comma. A
 * fraction needs seconds before it; 23:59:60 (leap second) and 24:00 are
 * refused, and so is a zone after a bare date. Anything else, including
 * surrounding white space, or an invalid date (2026-02-30), gives
 * LETHE_E_PARSE with a message naming the text, and leaves *out alone. */
lethe_rc isotime_parse(const char *text, int64_t *out, struct lethe_err *err) WUR;

/* Write "2026-11-22T10:00:00Z" into buf (at least ISOTIME_LEN bytes). An
 * instant outside years 1..9999 is written as the nearest second inside them,
 * so the text always has this shape. */
void isotime_format(int64_t t, char *buf);

/* Write "2026-11-22" into buf (at least ISODATE_LEN bytes), clamped alike. */
void isotime_format_date(int64_t t, char *buf);

#endif

#include "isotime.h"

#include <stddef.h>

/* The range format clamps to: 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z,
 * so that the text always has a four-digit year and fits ISOTIME_LEN. */
#define FIRST_SECOND INT64_C(-62135596800)
#define LAST_SECOND INT64_C(253402300799)

/* How much of a rejected text a message quotes, so that a huge input cannot
 * crowd out the explanation. */
#define QUOTE_MAX 200

bool isotime_is_leap(int year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int isotime_days_in_month(int year, int month)
{
  static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  if(month < 1 || month > 12)
    return 0;
  if(month == 2 && isotime_is_leap(year))
    return 29;
  return days[month - 1];
}

/* Days from 1970-01-01 to the given date, after Howard Hinnant's
 * days_from_civil: shift the year to start in March so that the leap day is
 * the last day of the year, then count 400-year eras of 146097 days. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
  int64_t era, yoe, doy, doe;

  if(m <= 2)
    y--;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;                                  /* 0..399 */
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* 0..146096 */
  return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, struct civil *out)
{
  int64_t era, doe, yoe, doy, mp, y;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;                                        /* 0..146096 */
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  /* 0..399 */
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                 /* 0..365 */
  mp = (5 * doy + 2) / 153;                                      /* 0..11, from March */
  y = yoe + era * 400;
  out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
  out->month = (int)(mp < 10 ? mp + 3 : mp - 9);
  out->year = (int)(y + (out->month <= 2));
}

int64_t isotime_from_civil(const struct civil *c)
{
  int64_t days = days_from_civil(c->year, c->month, c->day);
  return days * 86400 + c->hour * 3600 + c->minute * 60 + c->second;
}

void isotime_to_civil(int64_t t, struct civil *out)
{
  /* Floor division, so that instants before 1970 land on the right day. */
  int64_t days = t / 86400;
  int64_t secs = t % 86400;

  if(secs < 0) {
    secs += 86400;
    days--;
  }
  civil_from_days(days, out);
  out->hour = (int)(secs / 3600);
  out->minute = (int)(secs / 60 % 60);
  out->second = (int)(secs % 60);
}

/* --- parsing ------------------------------------------------------------ */

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* Read exactly n digits at *p into *value and advance *p past them. */
static bool read_digits(const char **p, int n, int *value)
{
  int v = 0;
  int i;

  for(i = 0; i < n; i++) {
    if(!is_digit((*p)[i]))
      return false;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  *value = v;
  return true;
}

static lethe_rc bad_time(struct lethe_err *err, const char *text, const char *why)
{
  return err_set(err, LETHE_E_PARSE,
                 "invalid time \"%.*s\": %s (use e.g. 2026-11-22 or 2026-11-22T10:00:00Z)",
                 QUOTE_MAX, text, why);
}

/* "YYYY-MM-DD", checking that the day exists. */
static lethe_rc parse_date(const char **p, const char *text, struct civil *c,
                           struct lethe_err *err)
{
  if(!read_digits(p, 4, &c->year) || **p != '-')
    return bad_time(err, text, "expected a date as YYYY-MM-DD");
  (*p)++;
  if(!read_digits(p, 2, &c->month) || **p != '-')
    return bad_time(err, text, "expected a date as YYYY-MM-DD");
  (*p)++;
  if(!read_digits(p, 2, &c->day))
    return bad_time(err, text, "expected a date as YYYY-MM-DD");
  if(c->year < 1)
    return bad_time(err, text, "year 0 is not accepted");
  if(c->month < 1 || c->month > 12)
    return bad_time(err, text, "month out of range");
  if(c->day < 1 || c->day > isotime_days_in_month(c->year, c->month))
    return bad_time(err, text, "no such day in that month");
  return LETHE_OK;
}

/* "HH:MM", "HH:MM:SS" or "HH:MM:SS.fff"; the fraction is dropped, since
 * Lethe counts whole seconds. */
static lethe_rc parse_clock(const char **p, const char *text, struct civil *c,
                            struct lethe_err *err)
{
  if(!read_digits(p, 2, &c->hour) || **p != ':')
    return bad_time(err, text, "expected a time as HH:MM or HH:MM:SS");
  (*p)++;
  if(!read_digits(p, 2, &c->minute))
    return bad_time(err, text, "expected a time as HH:MM or HH:MM:SS");
  if(**p == ':') {
    (*p)++;
    if(!read_digits(p, 2, &c->second))
      return bad_time(err, text, "expected seconds as two digits");
    if(**p == '.' || **p == ',') {
      (*p)++;
      if(!is_digit(**p))
        return bad_time(err, text, "expected digits after the decimal point");
      while(is_digit(**p))
        (*p)++;
    }
  }
  /* No leap second: Unix time has no place for 23:59:60. */
  if(c->hour > 23 || c->minute > 59 || c->second > 59)
    return bad_time(err, text, "time of day out of range");
  return LETHE_OK;
}

/* "Z", "+HH:MM", "-HH:MM", "+HHMM" or nothing (UTC); *offset is the number
 * of seconds local time is ahead of UTC. */
static lethe_rc parse_zone(const char **p, const char *text, int64_t *offset,
                           struct lethe_err *err)
{
  int sign, hh, mm;

  *offset = 0;
  if(**p == '\0')
    return LETHE_OK;
  if(**p == 'Z' || **p == 'z') {
    (*p)++;
    return LETHE_OK;
  }
  if(**p != '+' && **p != '-')
    return bad_time(err, text, "unexpected text after the time");
  sign = **p == '-' ? -1 : 1;
  (*p)++;
  if(!read_digits(p, 2, &hh))
    return bad_time(err, text, "expected a zone offset as +HH:MM");
  if(**p == ':')
    (*p)++;
  if(!read_digits(p, 2, &mm))
    return bad_time(err, text, "expected a zone offset as +HH:MM");
  if(hh > 23 || mm > 59)
    return bad_time(err, text, "zone offset out of range");
  *offset = sign * (hh * 3600 + mm * 60);
  return LETHE_OK;
}

lethe_rc isotime_parse(const char *text, int64_t *out, struct lethe_err *err)
{
  struct civil c = { 0 };
  const char *p = text;
  int64_t offset = 0;
  lethe_rc rc;

  if(!text || !*text)
    return err_set(err, LETHE_E_PARSE,
                   "invalid time \"\": empty (use e.g. 2026-11-22 or 2026-11-22T10:00:00Z)");
  rc = parse_date(&p, text, &c, err);
  if(rc)
    return rc;
  if(*p == 'T' || *p == 't' || *p == ' ') {
    p++;
    rc = parse_clock(&p, text, &c, err);
    if(rc)
      return rc;
    rc = parse_zone(&p, text, &offset, err);
    if(rc)
      return rc;
  }
  if(*p != '\0')
    return bad_time(err, text, "unexpected text after the date");
  *out = isotime_from_civil(&c) - offset;
  return LETHE_OK;
}

/* --- formatting --------------------------------------------------------- */

/* Write value as exactly width digits; value is in range by construction. */
static char *put_digits(char *p, int value, int width)
{
  int i;

  for(i = width - 1; i >= 0; i--) {
    p[i] = (char)('0' + value % 10);
    value /= 10;
  }
  return p + width;
}

static void civil_clamped(int64_t t, struct civil *c)
{
  if(t < FIRST_SECOND)
    t = FIRST_SECOND;
  else if(t > LAST_SECOND)
    t = LAST_SECOND;
  isotime_to_civil(t, c);
}

static char *put_date(char *p, const struct civil *c)
{
  p = put_digits(p, c->year, 4);
  *p++ = '-';
  p = put_digits(p, c->month, 2);
  *p++ = '-';
  return put_digits(p, c->day, 2);
}

void isotime_format(int64_t t, char *buf)
{
  struct civil c;
  char *p;

  civil_clamped(t, &c);
  p = put_date(buf, &c);
  *p++ = 'T';
  p = put_digits(p, c.hour, 2);
  *p++ = ':';
  p = put_digits(p, c.minute, 2);
  *p++ = ':';
  p = put_digits(p, c.second, 2);
  *p++ = 'Z';
  *p = '\0';
}

void isotime_format_date(int64_t t, char *buf)
{
  struct civil c;
  char *p;

  civil_clamped(t, &c);
  p = put_date(buf, &c);
  *p = '\0';
}

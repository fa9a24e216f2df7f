#include "duration.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "isotime.h"

#define COUNT_MAX 100000
#define QUOTE_MAX 200
#define ACCEPTED "use e.g. \"180 days\", \"180d\", \"2 weeks\", \"2w\", " \
                 "\"12 months\", \"12mo\", \"7 years\", \"7y\" or \"0\""

struct unit_name {
  const char *name;
  enum duration_unit unit;
};

static const struct unit_name unit_names[] = {
  { "d", DURATION_DAYS },     { "day", DURATION_DAYS },     { "days", DURATION_DAYS },
  { "w", DURATION_WEEKS },    { "week", DURATION_WEEKS },   { "weeks", DURATION_WEEKS },
  { "mo", DURATION_MONTHS },  { "month", DURATION_MONTHS }, { "months", DURATION_MONTHS },
  { "y", DURATION_YEARS },    { "year", DURATION_YEARS },   { "years", DURATION_YEARS },
};

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* ASCII only: a unit is never anything else, and the locale must not matter. */
static bool is_alpha(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char lower(char c)
{
  return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static const char *skip_blanks(const char *p)
{
  while(*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* Does the len bytes at word spell name, ignoring case? */
static bool word_is(const char *word, size_t len, const char *name)
{
  size_t i;

  for(i = 0; i < len; i++) {
    if(name[i] == '\0' || lower(word[i]) != name[i])
      return false;
  }
  return name[len] == '\0';
}

static lethe_rc bad_duration(struct lethe_err *err, lethe_rc rc, const char *text,
                             const char *why)
{
  return err_set(err, rc, "invalid duration \"%.*s\": %s; " ACCEPTED,
                 QUOTE_MAX, text, why);
}

/* Read the decimal count at *p, saturating at COUNT_MAX + 1 so that no
 * length of digits can overflow. */
static int64_t read_count(const char **p)
{
  int64_t v = 0;

  while(is_digit(**p)) {
    if(v <= COUNT_MAX)
      v = v * 10 + (**p - '0');
    (*p)++;
  }
  return v > COUNT_MAX ? COUNT_MAX + 1 : v;
}

static lethe_rc parse_unit(const char *word, size_t len, const char *text,
                           enum duration_unit *unit, struct lethe_err *err)
{
  size_t i;

  for(i = 0; i < sizeof(unit_names) / sizeof(unit_names[0]); i++) {
    if(word_is(word, len, unit_names[i].name)) {
      *unit = unit_names[i].unit;
      return LETHE_OK;
    }
  }
  if(word_is(word, len, "m"))
    return err_set(err, LETHE_E_PARSE,
                   "invalid duration \"%.*s\": \"m\" is ambiguous (minutes or months?); "
                   "write \"mo\" or \"months\", e.g. \"12mo\" or \"12 months\"",
                   QUOTE_MAX, text);
  return bad_duration(err, LETHE_E_PARSE, text,
                      "unknown unit (durations are in days, weeks, months or years)");
}

lethe_rc duration_parse(const char *text, struct duration *out, struct lethe_err *err)
{
  const char *p, *word;
  size_t len;
  int64_t count;
  enum duration_unit unit = DURATION_DAYS;
  lethe_rc rc;

  if(!text)
    text = "";
  p = skip_blanks(text);
  if(*p == '\0')
    return bad_duration(err, LETHE_E_PARSE, text, "empty");
  if(*p == '-')
    return bad_duration(err, LETHE_E_PARSE, text, "negative durations are not allowed");
  if(!is_digit(*p))
    return bad_duration(err, LETHE_E_PARSE, text, "expected a whole number first");
  count = read_count(&p);
  if((*p == '.' || *p == ',') && is_digit(p[1]))
    return bad_duration(err, LETHE_E_PARSE, text, "fractions are not allowed");
  p = skip_blanks(p);
  word = p;
  while(is_alpha(*p))
    p++;
  len = (size_t)(p - word);
  p = skip_blanks(p);
  if(*p != '\0')
    return bad_duration(err, LETHE_E_PARSE, text,
                        len ? "unexpected text after the unit" : "unexpected text after the number");
  if(len) {
    rc = parse_unit(word, len, text, &unit, err);
    if(rc)
      return rc;
  }
  else if(count != 0) {
    /* Only zero means the same in every unit. */
    return bad_duration(err, LETHE_E_PARSE, text, "missing unit");
  }
  if(count > COUNT_MAX)
    return bad_duration(err, LETHE_E_RANGE, text, "too large (at most 100000)");
  out->count = count;
  out->unit = unit;
  return LETHE_OK;
}

/* --- arithmetic --------------------------------------------------------- */

static int64_t first_second(void)
{
  struct civil c = { 1, 1, 1, 0, 0, 0 };
  return isotime_from_civil(&c);
}

static int64_t last_second(void)
{
  struct civil c = { 9999, 12, 31, 23, 59, 59 };
  return isotime_from_civil(&c);
}

static bool in_range(int64_t t)
{
  return t >= first_second() && t <= last_second();
}

/* Add months, keeping the time of day and clamping the day to the end of the
 * target month. */
static lethe_rc add_months(int64_t t, int64_t months, int64_t *out)
{
  struct civil c;
  int64_t index, year;
  int last;

  isotime_to_civil(t, &c);
  index = (int64_t)c.year * 12 + (c.month - 1) + months;
  year = index / 12;
  if(year < 1 || year > 9999)
    return LETHE_E_RANGE;
  c.year = (int)year;
  c.month = (int)(index % 12) + 1;
  last = isotime_days_in_month(c.year, c.month);
  if(c.day > last)
    c.day = last;
  *out = isotime_from_civil(&c);
  return LETHE_OK;
}

lethe_rc duration_add(int64_t t, const struct duration *d, int64_t *out)
{
  int64_t r;

  if(d->count < 0 || d->count > COUNT_MAX || !in_range(t))
    return LETHE_E_RANGE;
  switch(d->unit) {
  case DURATION_DAYS:
    r = t + d->count * 86400;
    break;
  case DURATION_WEEKS:
    r = t + d->count * 7 * 86400;
    break;
  case DURATION_MONTHS:
    return add_months(t, d->count, out);
  case DURATION_YEARS:
    return add_months(t, d->count * 12, out);
  default:
    return LETHE_E_RANGE;
  }
  if(!in_range(r))
    return LETHE_E_RANGE;
  *out = r;
  return LETHE_OK;
}

void duration_format(const struct duration *d, char *buf)
{
  static const char *const singular[] = { "day", "week", "month", "year" };
  const char *name;
  unsigned u = (unsigned)d->unit;

  if(u >= sizeof(singular) / sizeof(singular[0])) {
    snprintf(buf, DURATION_TEXT_LEN, "invalid duration");
    return;
  }
  name = singular[u];
  snprintf(buf, DURATION_TEXT_LEN, "%" PRId64 " %s%s", d->count, name,
           d->count == 1 ? "" : "s");
}

#include "namedate.h"

#include <stddef.h>

#include "isotime.h"

/* Names are bytes, not text: compare against ASCII digits only, never with
 * isdigit(), which is undefined for negative chars and follows the locale. */
static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

static size_t digit_run(const char *p)
{
  size_t n = 0;

  while(is_digit(p[n]))
    n++;
  return n;
}

static int number(const char *p, size_t n)
{
  int v = 0;
  size_t i;

  for(i = 0; i < n; i++)
    v = v * 10 + (p[i] - '0');
  return v;
}

static bool is_separator(char c)
{
  return c == '-' || c == '_' || c == '.';
}

/* Is there a date written at p, which starts a run of digits? On a match,
 * fill in the date. Both forms stand alone: the caller guarantees no digit
 * before p, and here no digit may follow the day. */
static bool date_at(const char *p, struct civil *c)
{
  size_t run = digit_run(p);
  char sep;

  if(run == 8) {
    c->year = number(p, 4);
    c->month = number(p + 4, 2);
    c->day = number(p + 6, 2);
    return true;
  }
  if(run != 4 || !is_separator(p[4]))
    return false;
  sep = p[4];
  /* "2019-03_01" mixes separators, so it is not read as a date. */
  if(digit_run(p + 5) != 2 || p[7] != sep || digit_run(p + 8) != 2)
    return false;
  c->year = number(p, 4);
  c->month = number(p + 5, 2);
  c->day = number(p + 8, 2);
  return true;
}

static bool date_valid(const struct civil *c)
{
  if(c->year < 1900 || c->year > 2999 || c->month < 1 || c->month > 12)
    return false;
  return c->day >= 1 && c->day <= isotime_days_in_month(c->year, c->month);
}

bool namedate_find(const char *name, int64_t *out)
{
  struct civil c = { 0 };
  size_t i;

  if(!name)
    return false;
  for(i = 0; name[i]; i++) {
    if(!is_digit(name[i]) || (i > 0 && is_digit(name[i - 1])))
      continue;
    if(date_at(name + i, &c) && date_valid(&c)) {
      *out = isotime_from_civil(&c);
      return true;
    }
  }
  return false;
}

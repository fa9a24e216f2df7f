/* Dates of birth: a date (12/03/1985, 12-03-85, 1985-03-12, 12 March 1985,
 * 12th Mar 1985, March 12, 1985) with a birth keyword (DOB, D.O.B., date of
 * birth, birth date, birthdate, born) at most KW_BEFORE bytes before it or
 * KW_AFTER bytes after it. A date alone is not personal data. */
#include "detect.h"

#include <string.h>

#define KW_BEFORE 48
#define KW_AFTER 24

static const char *const months[] = {
  "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
};
static const char *const month_tails[] = {
  "uary", "ruary", "ch", "il", "", "e", "y", "ust", "tember", "ober", "ember", "ember",
};

static bool lower_eq(const struct view *v, size_t i, const char *s)
{
  size_t k;
  for(k = 0; s[k]; k++) {
    int c = vat(v, (ssize_t)(i + k));
    if(c_upper(c))
      c += 'a' - 'A';
    if(c != s[k])
      return false;
  }
  return true;
}

/* A month name at i ("Mar", "March", "Sept", "Sept."): its number (1-12)
 * and end, or 0. */
static int month_at(const struct view *v, size_t i, size_t *end)
{
  int k;
  for(k = 0; k < 12; k++) {
    size_t e = i + 3;
    if(!lower_eq(v, i, months[k]))
      continue;
    if(lower_eq(v, e, month_tails[k]))
      e += strlen(month_tails[k]);
    else if(k == 8 && lower_eq(v, e, "t"))
      e++;
    if(c_alpha(vat(v, (ssize_t)e)))
      return 0;
    if(vat(v, (ssize_t)e) == '.')
      e++;
    *end = e;
    return k + 1;
  }
  return 0;
}

/* 1 to max digits at i: their value, end in *end; -1 if none. */
static int number_at(const struct view *v, size_t i, int max, size_t *end)
{
  int n = 0, k = 0;
  while(k < max && c_digit(vat(v, (ssize_t)(i + (size_t)k))))
    n = n * 10 + (v->p[i + (size_t)k++] - '0');
  if(!k || c_digit(vat(v, (ssize_t)(i + (size_t)k))))
    return -1;
  *end = i + (size_t)k;
  return n;
}

static bool year_ok(int y, size_t digits)
{
  return digits == 2 || (y >= 1900 && y <= 2100);
}

/* 12/03/1985, 12-03-85, 12.03.1985 (either order of day and month) and
 * 1985-03-12. */
static bool numeric_date(const struct view *v, size_t d, size_t *end)
{
  size_t e1 = 0, e2 = 0, e3 = 0;
  int a = number_at(v, d, 4, &e1), b, c, sep = vat(v, (ssize_t)e1);
  if(a < 0 || (sep != '/' && sep != '-' && sep != '.'))
    return false;
  b = number_at(v, e1 + 1, 2, &e2);
  if(b < 1 || vat(v, (ssize_t)e2) != sep)
    return false;
  if(e1 - d == 4) {
    c = number_at(v, e2 + 1, 2, &e3);
    if(!year_ok(a, 4) || b > 12 || c < 1 || c > 31)
      return false;
  } else {
    c = number_at(v, e2 + 1, 4, &e3);
    if(e1 - d > 2 || a < 1 || a > 31 || b > 31 || (a > 12 && b > 12) || c < 0 ||
       (e3 - e2 - 1 != 4 && e3 - e2 - 1 != 2) || !year_ok(c, e3 - e2 - 1))
      return false;
  }
  *end = e3;
  return true;
}

/* 12 March 1985, 12th Mar. 1985 */
static bool day_month_year(const struct view *v, size_t d, size_t *end)
{
  size_t e, y;
  int day = number_at(v, d, 2, &e), year;
  if(day < 1 || day > 31)
    return false;
  if(lower_eq(v, e, "st") || lower_eq(v, e, "nd") || lower_eq(v, e, "rd") || lower_eq(v, e, "th"))
    e += 2;
  if(vat(v, (ssize_t)e) != ' ' || !month_at(v, e + 1, &e) || vat(v, (ssize_t)e) != ' ')
    return false;
  year = number_at(v, e + 1, 4, &y);
  if(y - e - 1 != 4 || !year_ok(year, 4))
    return false;
  *end = y;
  return true;
}

/* March 12, 1985: the month name ends one space before d. */
static bool month_day_year(const struct view *v, size_t d, size_t *start, size_t *end)
{
  size_t s, e, y;
  int day, year;
  if(vat(v, (ssize_t)d - 1) != ' ')
    return false;
  for(s = d - 1; s > 0 && d - 1 - s < 10 && c_alpha(vat(v, (ssize_t)s - 1)); s--)
    ;
  if(s == d - 1 || v_word(v, (ssize_t)s - 1) || !month_at(v, s, &e) || e != d - 1)
    return false;
  day = number_at(v, d, 2, &e);
  if(day < 1 || day > 31)
    return false;
  if(lower_eq(v, e, "st") || lower_eq(v, e, "nd") || lower_eq(v, e, "rd") || lower_eq(v, e, "th"))
    e += 2;
  if(vat(v, (ssize_t)e) == ',')
    e++;
  if(vat(v, (ssize_t)e) != ' ')
    return false;
  year = number_at(v, e + 1, 4, &y);
  if(y - e - 1 != 4 || !year_ok(year, 4))
    return false;
  *start = s;
  *end = y;
  return true;
}

/* Is there a digit (or, with nl, a line break) in [a, b)? */
static bool digit_between(const struct view *v, ssize_t a, ssize_t b, bool nl)
{
  for(; a < b; a++)
    if(c_digit(vat(v, a)) || (nl && (vat(v, a) == '\n' || vat(v, a) == '\r')))
      return true;
  return false;
}

static bool date_at(const struct view *v, size_t d, size_t *s, size_t *e);

/* May the keyword at [i, i+n) belong to the date at s after it? Not when it
 * is in brackets just after a number ("1942 (DOB)\n2002-06-01": it is the
 * first date's), nor with a digit between. */
static bool keyword_before_ok(const struct view *v, ssize_t i, ssize_t n, ssize_t s)
{
  ssize_t j = i - 1;
  while(vat(v, j) == ' ' && j > i - 3)
    j--;
  if(vat(v, j) == '(') {
    for(j--; vat(v, j) == ' ' && j > i - 6; j--)
      ;
    if(c_digit(vat(v, j)))
      return false;
  }
  return !digit_between(v, i + n, s, false);
}

/* May the keyword at [i, i+n) belong to a date before it? Only on the same
 * line, with no digit between, and with no date of its own just after it
 * ("... on 01/09/2016.\nDOB: 24.7.2004": the keyword is the second's). */
static bool keyword_after_ok(const struct view *v, ssize_t e, ssize_t i, ssize_t n)
{
  ssize_t k;
  size_t ds, de;
  if(digit_between(v, e, i, true))
    return false;
  for(k = e; k < i && (vat(v, k) == ' ' || vat(v, k) == '('); k++)
    ;
  if(k == i && vat(v, i - 1) == '(')   /* "12/03/1985 (DOB)": the date's, whatever follows */
    return true;
  for(k = i + n; k < i + n + KW_AFTER && !c_digit(vat(v, k)) && vat(v, k) != '\n' &&
              vat(v, k) != '\r'; k++)
    ;
  return !(c_digit(vat(v, k)) && date_at(v, (size_t)k, &ds, &de));
}

/* Does a birth keyword start in [lo, hi), on word boundaries, with no digit
 * between it and the date (which starts at s or ends at e)? So in "DOB:
 * 12/03/1985, joined 01/09/2020" the keyword belongs to the first date only.
 * (A keyword may sit at most KW_AFTER + KW_AFTER bytes after the date's
 * end; SCAN_AHEAD covers it.) */
static bool keyword_in(const struct view *v, ssize_t lo, ssize_t hi, ssize_t s, ssize_t e)
{
  static const char *const kw[] = { "dob", "d.o.b", "date of birth", "birth date",
                                    "birthdate", "born", "date-of-birth" };
  ssize_t i;
  size_t k;
  if(lo < 0)
    lo = 0;
  for(i = lo; i < hi; i++) {
    if(c_alpha(vat(v, i - 1)) || !c_alpha(vat(v, i)))
      continue;
    for(k = 0; k < sizeof(kw) / sizeof(kw[0]); k++) {
      ssize_t n = (ssize_t)strlen(kw[k]);
      if(!lower_eq(v, (size_t)i, kw[k]) || c_alpha(vat(v, i + n)))
        continue;
      if(i < s ? keyword_before_ok(v, i, n, s) : keyword_after_ok(v, e, i, n))
        return true;
    }
  }
  return false;
}

/* A date in any of the forms whose first digit run starts at d. */
static bool date_at(const struct view *v, size_t d, size_t *s, size_t *e)
{
  *s = d;
  return numeric_date(v, d, e) || day_month_year(v, d, e) || month_day_year(v, d, s, e);
}

bool detect_dob(const struct view *v, size_t d, struct match *m)
{
  size_t s, e;
  if(!date_at(v, d, &s, &e))
    return false;
  if(!num_end_ok(v, e))
    return false;
  if(!keyword_in(v, (ssize_t)s - KW_BEFORE, (ssize_t)s, (ssize_t)s, (ssize_t)e) &&
     !keyword_in(v, (ssize_t)e, (ssize_t)e + KW_AFTER, (ssize_t)s, (ssize_t)e))
    return false;
  m->start = s;
  m->end = e;
  return true;
}

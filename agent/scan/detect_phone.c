/* Phone numbers: UK national forms (07700 900123, 020 7946 0958,
 * (020) 7946 0958) and international ones (+44 7700 900123, 0044 ...,
 * +1 415 555 2671) within E.164's bounds. Digit runs that merely could be
 * phone numbers are not: a national number needs a UK prefix and length, an
 * international one a '+' or "00" and 8 to 15 digits. */
#include "detect.h"

#include <string.h>

#define E164_MIN 8
#define E164_MAX 15

/* UK national number, leading 0 included. */
static bool uk_national_ok(const unsigned char *dig, size_t n)
{
  if(dig[0] != 0)
    return false;
  if(n == 11)
    return dig[1] == 1 || dig[1] == 2 || dig[1] == 3 || dig[1] == 5 || dig[1] >= 7;
  if(n == 10)
    return dig[1] == 1 || (dig[1] == 8 && dig[2] == 0 && dig[3] == 0);
  return false;
}

/* Digits after '+' or "00": country code first. */
static bool international_ok(const unsigned char *dig, size_t n)
{
  if(n < E164_MIN || n > E164_MAX || dig[0] == 0)
    return false;
  if(dig[0] == 4 && dig[1] == 4)   /* UK: 9 or 10 digits, no trunk 0 */
    return (n == 11 || n == 12) && dig[2] != 0;
  return true;
}

/* Groups have two digits or more, but for the country code and the group
 * after it (+33 1 23 45 67 89) in international numbers. */
static bool groups_ok(const struct groups *g, unsigned n, unsigned first_free)
{
  unsigned i;
  for(i = first_free; i < n; i++) {
    size_t len = g->cum[i] - (i ? g->cum[i - 1] : 0);
    if(len < 2)
      return false;
  }
  return n <= 5 || (n <= 7 && first_free);
}

/* Try the longest prefix of whole groups that is a valid number. */
static bool best_prefix(const struct view *v, const struct groups *g, bool intl,
                        unsigned first_free, size_t *end)
{
  unsigned n;
  for(n = g->n; n >= 1; n--) {
    size_t nd = g->cum[n - 1];
    bool ok;
    if(!groups_ok(g, n, first_free) || !num_end_ok(v, g->end[n - 1]))
      continue;
    if(intl)
      ok = international_ok(g->dig, nd);
    else if(nd > 2 && g->dig[0] == 0 && g->dig[1] == 0)
      ok = international_ok(g->dig + 2, nd - 2);
    else
      ok = uk_national_ok(g->dig, nd);
    if(ok) {
      *end = g->end[n - 1];
      return true;
    }
  }
  return false;
}

/* "(020) 7946 0958": the area code in brackets, then groups. */
static bool bracketed(const struct view *v, size_t d, struct match *m)
{
  struct groups a, b;
  size_t i, end;
  bool ok = false;

  collect_groups(v, d, "", true, &a);
  i = a.end[0];
  if(a.n != 1 || vat(v, (ssize_t)i) != ')' || a.dig[0] != 0)
    goto out;
  i++;
  if(vat(v, (ssize_t)i) == ' ')
    i++;
  collect_groups(v, i, " -", false, &b);
  if(!b.n || a.ndig + b.ndig > GROUP_DIGITS)
    goto out;
  memcpy(a.dig + a.ndig, b.dig, b.ndig);
  end = b.end[b.n - 1];
  ok = groups_ok(&b, b.n, 0) && num_end_ok(v, end) && uk_national_ok(a.dig, a.ndig + b.ndig);
  if(ok) {
    m->start = d - 1;
    m->end = end;
  }
out:
  explicit_bzero(&a, sizeof(a));
  explicit_bzero(&b, sizeof(b));
  return ok;
}

/* "+44 (0)20 7946 0958": a trunk 0 in brackets after the country code,
 * which is not dialled and so not counted. */
static bool trunk_zero(const struct view *v, size_t d, struct match *m)
{
  struct groups a, b;
  size_t i, end;
  bool ok = false;

  collect_groups(v, d, "", true, &a);
  i = a.end[0];
  if(vat(v, (ssize_t)i) == ' ')
    i++;
  if(a.n != 1 || a.ndig > 3 || vat(v, (ssize_t)i) != '(' || vat(v, (ssize_t)i + 1) != '0' ||
     vat(v, (ssize_t)i + 2) != ')')
    goto out;
  i += 3;
  if(vat(v, (ssize_t)i) == ' ')
    i++;
  collect_groups(v, i, " -", false, &b);
  if(!b.n || a.ndig + b.ndig > GROUP_DIGITS)
    goto out;
  memcpy(a.dig + a.ndig, b.dig, b.ndig);
  end = b.end[b.n - 1];
  ok = groups_ok(&b, b.n, 0) && num_end_ok(v, end) && international_ok(a.dig, a.ndig + b.ndig);
  if(ok) {
    m->start = d - 1;
    m->end = end;
  }
out:
  explicit_bzero(&a, sizeof(a));
  explicit_bzero(&b, sizeof(b));
  return ok;
}

bool detect_phone(const struct view *v, size_t d, struct match *m)
{
  struct groups g;
  int prev = vat(v, (ssize_t)d - 1);
  bool intl = prev == '+', ok;
  size_t end;

  if(prev == '(')
    return !v_word(v, (ssize_t)d - 2) && bracketed(v, d, m);
  if(intl && (v_word(v, (ssize_t)d - 2) || vat(v, (ssize_t)d - 2) == '+'))
    return false;
  if(intl && trunk_zero(v, d, m))
    return true;
  collect_groups(v, d, " -", false, &g);
  ok = g.n && best_prefix(v, &g, intl, intl ? 2 : 0, &end);
  explicit_bzero(&g, sizeof(g));
  if(!ok)
    return false;
  m->start = intl ? d - 1 : d;
  m->end = end;
  return true;
}

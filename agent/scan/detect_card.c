/* Payment card numbers: 13 to 19 digits, whole or in groups joined by one
 * kind of separator (4111 1111 1111 1111, 3782-822463-10005), with a known
 * issuer prefix for the length, and a valid Luhn check digit. */
#include "detect.h"

#include <string.h>

#define CARD_MIN 13
#define CARD_MAX 19

/* Issuer identification ranges: prefixes of `digits` digits in [lo, hi],
 * valid for lengths [min, max]. */
struct iin {
  unsigned digits, lo, hi, min, max;
};

static const struct iin iins[] = {
  { 1, 4, 4, 13, 19 },          /* Visa */
  { 2, 51, 55, 16, 16 },        /* Mastercard */
  { 4, 2221, 2720, 16, 16 },    /* Mastercard 2-series */
  { 2, 34, 34, 15, 15 },        /* American Express */
  { 2, 37, 37, 15, 15 },
  { 4, 6011, 6011, 16, 19 },    /* Discover */
  { 3, 644, 649, 16, 19 },
  { 2, 65, 65, 16, 19 },
  { 3, 300, 305, 14, 19 },      /* Diners Club */
  { 2, 36, 36, 14, 19 },
  { 2, 38, 39, 14, 19 },
  { 4, 3528, 3589, 16, 19 },    /* JCB */
  { 2, 62, 62, 16, 19 },        /* UnionPay */
  { 2, 50, 50, 13, 19 },        /* Maestro */
  { 2, 56, 58, 13, 19 },
  { 2, 67, 67, 13, 19 },
};

static bool iin_ok(const unsigned char *dig, size_t n)
{
  size_t i;
  for(i = 0; i < sizeof(iins) / sizeof(iins[0]); i++) {
    const struct iin *k = &iins[i];
    unsigned p = 0, j;
    for(j = 0; j < k->digits; j++)
      p = p * 10 + dig[j];
    if(p >= k->lo && p <= k->hi && n >= k->min && n <= k->max)
      return true;
  }
  return false;
}

bool luhn_ok(const unsigned char *dig, size_t n)
{
  unsigned sum = 0;
  size_t i;
  for(i = 0; i < n; i++) {
    unsigned d = dig[n - 1 - i];
    if(i & 1) {
      d *= 2;
      if(d > 9)
        d -= 9;
    }
    sum += d;
  }
  return sum % 10 == 0;
}

/* Group shapes cards are printed in: the first group has 4 digits, the
 * others 3 to 6 (4-4-4-4, 4-6-5, 4-4-4-4-3). */
static bool shape_ok(const struct groups *g, unsigned n)
{
  unsigned i;
  if(n == 1)
    return true;
  if(g->cum[0] != 4)
    return false;
  for(i = 1; i < n; i++) {
    size_t len = g->cum[i] - g->cum[i - 1];
    if(len < 3 || len > 6)
      return false;
  }
  return true;
}

bool detect_card(const struct view *v, size_t d, struct match *m)
{
  struct groups g;
  unsigned n;
  bool ok = false;

  collect_groups(v, d, " -", true, &g);
  for(n = g.n; n >= 1 && !ok; n--) {
    size_t nd = g.cum[n - 1];
    if(nd < CARD_MIN || nd > CARD_MAX || !shape_ok(&g, n) || !num_end_ok(v, g.end[n - 1]))
      continue;
    ok = iin_ok(g.dig, nd) && luhn_ok(g.dig, nd);
    if(ok) {
      m->start = d;
      m->end = g.end[n - 1];
    }
  }
  explicit_bzero(&g, sizeof(g));
  return ok;
}

/* IBANs: country code, two check digits and the national part, whole or in
 * groups of four (GB82 WEST 1234 5698 7654 32), of exactly the country's
 * length and passing the ISO 13616 mod-97 check. */
#include "detect.h"

#include <string.h>

#define IBAN_MAX 34

struct country {
  char cc[3];
  unsigned len;
};

/* The SEPA countries and territories, and a few neighbours. */
static const struct country countries[] = {
  { "AD", 24 }, { "AE", 23 }, { "AL", 28 }, { "AT", 20 }, { "BA", 20 }, { "BE", 16 },
  { "BG", 22 }, { "CH", 21 }, { "CY", 28 }, { "CZ", 24 }, { "DE", 22 }, { "DK", 18 },
  { "EE", 20 }, { "ES", 24 }, { "FI", 18 }, { "FO", 18 }, { "FR", 27 }, { "GB", 22 },
  { "GI", 23 }, { "GL", 18 }, { "GR", 27 }, { "HR", 21 }, { "HU", 28 }, { "IE", 22 },
  { "IL", 23 }, { "IS", 26 }, { "IT", 27 }, { "LI", 21 }, { "LT", 20 }, { "LU", 20 },
  { "LV", 21 }, { "MC", 27 }, { "MD", 24 }, { "ME", 22 }, { "MK", 19 }, { "MT", 31 },
  { "NL", 18 }, { "NO", 15 }, { "PL", 28 }, { "PT", 25 }, { "RO", 24 }, { "RS", 22 },
  { "SA", 24 }, { "SE", 24 }, { "SI", 19 }, { "SK", 24 }, { "SM", 27 }, { "TR", 26 },
  { "UA", 29 }, { "VA", 22 }, { "XK", 20 },
};

unsigned iban_length(int c0, int c1)
{
  size_t i;
  for(i = 0; i < sizeof(countries) / sizeof(countries[0]); i++)
    if(countries[i].cc[0] == c0 && countries[i].cc[1] == c1)
      return countries[i].len;
  return 0;
}

/* ISO 7064 mod 97-10 over the rearranged IBAN (first four moved to the end,
 * letters as 10..35). */
static bool mod97_ok(const char *s, size_t n)
{
  unsigned r = 0;
  size_t k;
  for(k = 0; k < n; k++) {
    char c = s[(k + 4) % n];
    if(c >= '0' && c <= '9')
      r = (r * 10 + (unsigned)(c - '0')) % 97;
    else
      r = (r * 100 + (unsigned)(c - 'A' + 10)) % 97;
  }
  return r == 1;
}

/* Copy the IBAN's characters from t on, skipping the single spaces between
 * groups of four; return the view offset past the last one, or 0. */
static size_t gather(const struct view *v, size_t t, unsigned len, char *out)
{
  size_t i = t;
  unsigned n = 0;
  while(n < len) {
    int c = vat(v, (ssize_t)i);
    if(c == ' ' && n % 4 == 0 && n && (c_upper(vat(v, (ssize_t)i + 1)) ||
                                       c_digit(vat(v, (ssize_t)i + 1)))) {
      i++;
      continue;
    }
    if(!c_upper(c) && !c_digit(c))
      return 0;
    out[n++] = (char)c;
    i++;
  }
  return i;
}

bool detect_iban(const struct view *v, size_t t, struct match *m)
{
  char s[IBAN_MAX];
  unsigned len = iban_length(vat(v, (ssize_t)t), vat(v, (ssize_t)t + 1));
  size_t e;
  bool ok;

  if(!len || v_word(v, (ssize_t)t - 1) || !c_digit(vat(v, (ssize_t)t + 2)) ||
     !c_digit(vat(v, (ssize_t)t + 3)))
    return false;
  e = gather(v, t, len, s);
  ok = e && !v_word(v, (ssize_t)e) && mod97_ok(s, len);
  explicit_bzero(s, sizeof(s));
  if(!ok)
    return false;
  m->start = t;
  m->end = e;
  return true;
}

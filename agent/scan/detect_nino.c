/* UK National Insurance numbers: two prefix letters, six digits and a
 * suffix A-D, written whole (AB123456C) or spaced (AB 12 34 56 C). HMRC
 * never allocates a first letter D, F, I, Q, U or V, a second letter D, F,
 * I, O, Q, U or V, nor the prefixes BG, GB, KN, NK, NT, TN and ZZ. */
#include "detect.h"

#include <string.h>

static bool prefix_ok(int a, int b)
{
  static const char *const unallocated[] = { "BG", "GB", "KN", "NK", "NT", "TN", "ZZ" };
  size_t i;
  if(!c_upper(a) || !c_upper(b) || strchr("DFIQUV", a) || strchr("DFIOQUV", b))
    return false;
  for(i = 0; i < sizeof(unallocated) / sizeof(unallocated[0]); i++)
    if(unallocated[i][0] == a && unallocated[i][1] == b)
      return false;
  return true;
}

bool detect_nino(const struct view *v, size_t t, struct match *m)
{
  size_t i = t + 2;
  int pair;

  if(v_word(v, (ssize_t)t - 1) || !prefix_ok(vat(v, (ssize_t)t), vat(v, (ssize_t)t + 1)))
    return false;
  for(pair = 0; pair < 3; pair++) {
    if(vat(v, (ssize_t)i) == ' ')
      i++;
    if(!c_digit(vat(v, (ssize_t)i)) || !c_digit(vat(v, (ssize_t)i + 1)))
      return false;
    i += 2;
  }
  if(vat(v, (ssize_t)i) == ' ')
    i++;
  if(vat(v, (ssize_t)i) < 'A' || vat(v, (ssize_t)i) > 'D' || v_word(v, (ssize_t)i + 1))
    return false;
  m->start = t;
  m->end = i + 1;
  return true;
}

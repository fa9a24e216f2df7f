/* What the numeric detectors share: digit groups and the end boundary. */
#include "detect.h"

#include <string.h>

bool num_end_ok(const struct view *v, size_t e)
{
  int c = vat(v, (ssize_t)e);
  if(v_word(v, (ssize_t)e) || c == '@')
    return false;
  /* "07700 900123.5": the number goes on (but "...,2019" is a CSV field) */
  if(c == '.' && c_digit(vat(v, (ssize_t)e + 1)))
    return false;
  return true;
}

static size_t digit_run(const struct view *v, size_t i, struct groups *g)
{
  while(c_digit(vat(v, (ssize_t)i))) {
    if(g->ndig == GROUP_DIGITS)
      return 0;
    g->dig[g->ndig++] = (unsigned char)(v->p[i] - '0');
    i++;
  }
  return i;
}

void collect_groups(const struct view *v, size_t d, const char *seps, bool same,
                    struct groups *g)
{
  size_t i = d;
  memset(g, 0, sizeof(*g));
  for(;;) {
    size_t save = g->ndig;
    size_t e = digit_run(v, i, g);
    int c;
    if(!e) {
      g->ndig = save;
      return;
    }
    g->end[g->n] = e;
    g->cum[g->n] = g->ndig;
    g->n++;
    c = vat(v, (ssize_t)e);
    if(g->n == GROUPS_MAX || c <= 0 || !strchr(seps, c) || !c_digit(vat(v, (ssize_t)e + 1)))
      return;
    if(same && g->sep && c != g->sep)
      return;
    g->sep = c;
    i = e + 1;
  }
}

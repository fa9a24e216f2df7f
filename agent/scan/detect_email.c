/* E-mail addresses: local@domain.tld, found from the '@'. */
#include "detect.h"

#include <string.h>

#define LOCAL_MAX 64
#define DOMAIN_MAX 253
#define LABEL_MAX 63

static bool local_char(int c)
{
  return c_alnum(c) || (c > 0 && strchr("._%+-'", c) != NULL);
}

static bool label_char(int c)
{
  return c_alnum(c) || c == '-';
}

/* Start of the local part ending just before at, or at itself if none. */
static size_t local_start(const struct view *v, size_t at)
{
  size_t s = at;
  while(s > 0 && at - s <= LOCAL_MAX && local_char(vat(v, (ssize_t)s - 1)))
    s--;
  if(at - s > LOCAL_MAX)
    return at;
  while(s < at && strchr(".'-", v->p[s]))
    s++;
  return s;
}

static bool local_ok(const struct view *v, size_t s, size_t at)
{
  size_t i;
  if(s == at || v->p[at - 1] == '.')
    return false;
  for(i = s + 1; i < at; i++)
    if(v->p[i] == '.' && v->p[i - 1] == '.')
      return false;
  return true;
}

/* Parse labels after the '@'; *tld_alpha tells if the last label is all
 * letters. Returns the end of the domain, or 0. */
static size_t domain_end(const struct view *v, size_t i, unsigned *labels, bool *tld_alpha)
{
  size_t start = i;
  *labels = 0;
  for(;;) {
    size_t l = i;
    bool alpha = true;
    while(label_char(vat(v, (ssize_t)i)) && i - l <= LABEL_MAX) {
      alpha = alpha && c_alpha(v->p[i]);
      i++;
    }
    if(i == l || i - l > LABEL_MAX || v->p[l] == '-' || v->p[i - 1] == '-')
      return 0;
    (*labels)++;
    *tld_alpha = alpha && i - l >= 2;
    if(i - start > DOMAIN_MAX)
      return 0;
    if(vat(v, (ssize_t)i) != '.' || !label_char(vat(v, (ssize_t)i + 1)))
      return i;
    i++;
  }
}

bool detect_email(const struct view *v, size_t at, struct match *m)
{
  size_t s = local_start(v, at), e;
  unsigned labels;
  bool tld_alpha = false;

  if(!local_ok(v, s, at) || v_word(v, (ssize_t)s - 1) || vat(v, (ssize_t)s - 1) == '@')
    return false;
  e = domain_end(v, at + 1, &labels, &tld_alpha);
  if(!e || labels < 2 || !tld_alpha)
    return false;
  if(v_word(v, (ssize_t)e) || vat(v, (ssize_t)e) == '@')
    return false;
  m->start = s;
  m->end = e;
  return true;
}

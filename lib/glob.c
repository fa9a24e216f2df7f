#include "glob.h"

#include <string.h>

/* Room for the pattern in a message; err->msg is 1024 bytes. */
#define QUOTE_MAX 400

/* No position: a backtrack point that is not set. */
#define NO_POS ((size_t)-1)

/* Where to resume when the pattern fails: pattern index p, path index s. */
struct resume {
  size_t p;
  size_t s;
};

/* Length of the separator at pat[i]: 1 for "/", 2 for "\/" (an escaped
 * slash can only match the slash that separates names, so it is one too),
 * 0 for anything else. pat[i] must be the start of a token. */
static size_t sep_len(const char *pat, size_t plen, size_t i)
{
  if(i < plen && pat[i] == '/')
    return 1;
  if(i + 1 < plen && pat[i] == '\\' && pat[i + 1] == '/')
    return 2;
  return 0;
}

/* Is the token at pat[p] a "**" that forms a whole path component? Any '/'
 * before it is a separator: classes cannot hold one and "\/" is one. */
static bool is_dstar(const char *pat, size_t plen, size_t p)
{
  if(p + 1 >= plen || pat[p] != '*' || pat[p + 1] != '*')
    return false;
  if(p > 0 && pat[p - 1] != '/')
    return false;
  return p + 2 == plen || sep_len(pat, plen, p + 2) > 0;
}

/* Index just past the ']' closing the class that opens at pat[p], or 0 if
 * there is none. A class never reaches over a '/': it belongs to one name,
 * and stopping there keeps every '/' of a pattern a separator. */
static size_t class_end(const char *pat, size_t plen, size_t p)
{
  size_t i = p + 1;

  if(i < plen && (pat[i] == '!' || pat[i] == '^'))
    i++;
  if(i < plen && pat[i] == ']')
    i++; /* as in fnmatch, a ']' right after the '[' is a member */
  while(i < plen) {
    if(pat[i] == ']')
      return i + 1;
    if(pat[i] == '/')
      return 0;
    if(pat[i] == '\\') {
      if(i + 1 >= plen || pat[i + 1] == '/')
        return 0;
      i++;
    }
    i++;
  }
  return 0;
}

/* Index of the first member of the class opening at pat[p]. */
static size_t class_body(const char *pat, size_t p)
{
  return (pat[p + 1] == '!' || pat[p + 1] == '^') ? p + 2 : p + 1;
}

/* Read one class member at pat[*i] (a byte or an escaped byte) into *lo and
 * *hi, or a range "a-z" into both; close is the index of the closing ']'. */
static void class_item(const char *pat, size_t close, size_t *i,
                       unsigned char *lo, unsigned char *hi)
{
  if(pat[*i] == '\\')
    (*i)++;
  *lo = (unsigned char)pat[*i];
  *hi = *lo;
  (*i)++;
  /* A '-' just before the ']' is a member, not a range. */
  if(*i + 1 < close && pat[*i] == '-') {
    (*i)++;
    if(pat[*i] == '\\')
      (*i)++;
    *hi = (unsigned char)pat[*i];
    (*i)++;
  }
}

/* Does the class pat[p..end) match byte c? Never for '/', even negated:
 * a class stands for part of one name. */
static bool class_match(const char *pat, size_t p, size_t end, unsigned char c)
{
  bool negated = pat[p + 1] == '!' || pat[p + 1] == '^';
  size_t i = class_body(pat, p);
  unsigned char lo, hi;
  bool found = false;

  if(c == '/')
    return false;
  while(i < end - 1) {
    class_item(pat, end - 1, &i, &lo, &hi);
    if(lo <= c && c <= hi)
      found = true;
  }
  return found != negated;
}

/* Match byte c against the single-byte token at pat[*p] (anything but '*');
 * on success move *p past the token. Malformed tokens, which glob_check
 * refuses, match themselves literally so that nothing here can fail. */
static bool step(const char *pat, size_t plen, size_t *p, unsigned char c)
{
  size_t i = *p;
  size_t next = i + 1;
  size_t end = pat[i] == '[' ? class_end(pat, plen, i) : 0;
  bool ok;

  if(pat[i] == '?') {
    ok = c != '/';
  } else if(end > 0) {
    next = end;
    ok = class_match(pat, i, end, c);
  } else if(pat[i] == '\\' && i + 1 < plen) {
    next = i + 2;
    ok = c == (unsigned char)pat[i + 1];
  } else {
    ok = c == (unsigned char)pat[i];
  }
  if(ok)
    *p = next;
  return ok;
}

/* After a failure, move to the next candidate alignment: first let the
 * last '*' take one more byte of its name, then let the last "**" take one
 * more directory. False when neither can: the match has failed.
 *
 * Only the last of each is kept, as in the classic wildcard matcher: a later
 * "*" can absorb whatever an earlier one in the same name could, and a later
 * "**" whatever an earlier "**" could, so retrying earlier ones never helps.
 * Each path byte is thus revisited at most once per pattern token. */
static bool backtrack(const char *str, size_t slen, struct resume *star,
                      struct resume *dstar, size_t *p, size_t *s)
{
  const char *slash;

  if(star->p != NO_POS && star->s < slen && str[star->s] != '/') {
    star->s++;
    *p = star->p;
    *s = star->s;
    return true;
  }
  if(dstar->p == NO_POS)
    return false;
  slash = memchr(str + dstar->s, '/', slen - dstar->s);
  if(!slash)
    return false;
  dstar->s = (size_t)(slash - str) + 1;
  star->p = NO_POS;
  *p = dstar->p;
  *s = dstar->s;
  return true;
}

/* Match pat[0..plen) against the whole of str[0..slen). */
static bool match_range(const char *pat, size_t plen, const char *str, size_t slen)
{
  struct resume star = { NO_POS, 0 };
  struct resume dstar = { NO_POS, 0 };
  size_t p = 0;
  size_t s = 0;

  for(;;) {
    if(p < plen && is_dstar(pat, plen, p)) {
      /* s is at the start of a name here, as p is: a trailing "**" takes
       * the rest, a "** /" resumes at each later name in turn. */
      if(p + 2 == plen)
        return true;
      p += 2 + sep_len(pat, plen, p + 2);
      dstar.p = p;
      dstar.s = s;
      star.p = NO_POS;
      continue;
    }
    if(p < plen && pat[p] == '*') {
      p++;
      star.p = p;
      star.s = s;
      continue;
    }
    if(p == plen && s == slen)
      return true;
    if(p < plen && s < slen && step(pat, plen, &p, (unsigned char)str[s])) {
      /* Past a '/', the '*' of the name before is fixed: both the pattern
       * and the path resume at the same next name however it matched. */
      if(str[s] == '/')
        star.p = NO_POS;
      s++;
      continue;
    }
    if(!backtrack(str, slen, &star, &dstar, &p, &s))
      return false;
  }
}

bool glob_match(const char *pattern, const char *path, size_t len)
{
  size_t plen = strlen(pattern);
  /* "*" and plain characters, the commonest last name of a select
   * ("*.mp4"): a compare of the end instead of backtracking over the name. */
  if(plen && pattern[0] == '*' && !pattern[1 + strcspn(pattern + 1, "*?[\\/")]) {
    size_t k = plen - 1;
    return len >= k && !memcmp(path + len - k, pattern + 1, k) && !memchr(path, '/', len - k);
  }
  return match_range(pattern, plen, path, len);
}

/* End of the pattern component starting at pat[i]: the index of the
 * separator after it, or plen. */
static size_t component_end(const char *pat, size_t plen, size_t i)
{
  while(i < plen && sep_len(pat, plen, i) == 0) {
    if(pat[i] == '\\' && i + 1 < plen)
      i++;
    i++;
  }
  return i;
}

const char *glob_last_name(const char *pattern)
{
  size_t plen = strlen(pattern);
  size_t start = 0;
  size_t i = 0;

  /* Components end at separators only: a class never holds a '/' (see
   * class_end), so stepping over escapes is enough to find them. */
  while(i < plen) {
    size_t sep = sep_len(pattern, plen, i);
    if(sep) {
      i += sep;
      start = i;
    }
    else {
      i = component_end(pattern, plen, i);
    }
  }
  return pattern + start;
}

bool glob_could_match_below(const char *pattern, const char *dir, size_t len)
{
  size_t plen = strlen(pattern);
  size_t p = 0;
  size_t d = 0;

  if(len == 0)
    return true;
  /* Each name of dir must match the pattern component in its place; a
   * "**" met on the way can reach anything below. */
  for(;;) {
    size_t pend = component_end(pattern, plen, p);
    const char *slash = memchr(dir + d, '/', len - d);
    size_t dend = slash ? (size_t)(slash - dir) : len;

    if(is_dstar(pattern, plen, p))
      return true;
    if(!match_range(pattern + p, pend - p, dir + d, dend - d))
      return false;
    if(pend == plen)
      return false; /* the pattern ends at dir itself: nothing below */
    p = pend + sep_len(pattern, plen, pend);
    if(dend == len)
      return true; /* the pattern goes on below dir */
    d = dend + 1;
  }
}

static lethe_rc bad_glob(struct lethe_err *err, const char *pattern,
                         const char *why, size_t at)
{
  return err_set(err, LETHE_E_PARSE, "invalid glob \"%.*s\" at character %zu: %s",
                 QUOTE_MAX, pattern, at + 1, why);
}

/* Check the members of the class pat[p..end): no reversed range, which
 * would silently match nothing, and no POSIX "[:alpha:]", which is not
 * supported and would otherwise be read as a set of letters. */
static lethe_rc check_class(const char *pat, size_t p, size_t end,
                            struct lethe_err *err)
{
  size_t i = class_body(pat, p);
  unsigned char lo, hi;

  while(i < end - 1) {
    size_t at = i;

    if(pat[i] == '[' && pat[i + 1] == ':')
      return bad_glob(err, pat, "POSIX classes like \"[:alpha:]\" are not "
                      "supported (write \"\\[\" for a literal \"[\")", i);
    class_item(pat, end - 1, &i, &lo, &hi);
    if(lo > hi)
      return bad_glob(err, pat, "reversed range in \"[...]\"", at);
  }
  return LETHE_OK;
}

/* Check the run of '*' starting at pat[i]; set *next past it. */
static lethe_rc check_stars(const char *pat, size_t plen, size_t i, size_t *next,
                            struct lethe_err *err)
{
  size_t n = 0;

  while(i + n < plen && pat[i + n] == '*')
    n++;
  *next = i + n;
  if(n == 1 || (n == 2 && is_dstar(pat, plen, i)))
    return LETHE_OK;
  return bad_glob(err, pat, "\"**\" must be a whole path component "
                  "(as in \"a/**/b\"), not part of a name", i);
}

lethe_rc glob_check(const char *pattern, struct lethe_err *err)
{
  size_t plen = strlen(pattern);
  size_t i = 0;
  lethe_rc rc;

  if(plen == 0)
    return err_set(err, LETHE_E_PARSE, "invalid glob \"\": the pattern is empty");
  while(i < plen) {
    if(pattern[i] == '\\') {
      if(i + 1 == plen)
        return bad_glob(err, pattern, "a trailing \"\\\" escapes nothing", i);
      i += 2;
    } else if(pattern[i] == '[') {
      size_t end = class_end(pattern, plen, i);
      if(end == 0)
        return bad_glob(err, pattern, "\"[\" without a closing \"]\" in the "
                        "same name", i);
      rc = check_class(pattern, i, end, err);
      if(rc)
        return rc;
      i = end;
    } else if(pattern[i] == '*') {
      rc = check_stars(pattern, plen, i, &i, err);
      if(rc)
        return rc;
    } else {
      i++;
    }
  }
  return LETHE_OK;
}

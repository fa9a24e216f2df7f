/* Finding triggers fast and handing them to the detectors.
 *
 * Most text holds no digit and no '@' for long stretches, so the scan for
 * the next one is vectorised (SSE2) and everything else happens only at a
 * trigger. A digit run is examined once, at its first digit; what precedes
 * it decides which detectors apply: two capital letters (NINO, IBAN), a
 * '+' or '(' (phone), or a non-word character (card, phone, date). */
#include "text.h"
#include "detect.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static size_t next_trigger(const unsigned char *p, size_t i, size_t end)
{
#ifdef __SSE2__
  const __m128i at = _mm_set1_epi8('@');
  const __m128i shift = _mm_set1_epi8(0x50);   /* '0'..'9' -> -128..-119 */
  const __m128i lim = _mm_set1_epi8(-118);
  while(i + 16 <= end) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
    __m128i d = _mm_cmplt_epi8(_mm_add_epi8(v, shift), lim);
    int mask = _mm_movemask_epi8(_mm_or_si128(d, _mm_cmpeq_epi8(v, at)));
    if(mask)
      return i + (size_t)__builtin_ctz((unsigned)mask);
    i += 16;
  }
#endif
  while(i < end && p[i] != '@' && !c_digit(p[i]))
    i++;
  return i;
}

struct ctx {
  const struct scan_rules *r;
  struct scan_findings *out;
  const struct view *v;
};

static bool found(struct ctx *c, enum scan_detector d, const struct match *m)
{
  findings_add(c->out, d, c->v->p + m->start, m->end - m->start);
  return true;
}

/* NINO or IBAN at the capitals before the run at d; *end past it. */
static bool letters_first(struct ctx *c, size_t d, size_t *end)
{
  const struct view *v = c->v;
  bool spaced = vat(v, (ssize_t)d - 1) == ' ';
  size_t t = d - (spaced ? 3 : 2);
  struct match m;
  if(d < (spaced ? 3u : 2u) || !c_upper(vat(v, (ssize_t)t)) || !c_upper(vat(v, (ssize_t)t + 1)))
    return false;
  if(scan_wants(c->r, SCAN_NINO) && detect_nino(v, t, &m) && found(c, SCAN_NINO, &m)) {
    *end = m.end;
    return true;
  }
  if(!spaced && scan_wants(c->r, SCAN_IBAN) && detect_iban(v, t, &m) && found(c, SCAN_IBAN, &m)) {
    *end = m.end;
    return true;
  }
  return false;
}

/* Card, phone, date at a run of `run` digits starting at d. */
static bool numeric(struct ctx *c, size_t d, size_t run, size_t *end)
{
  const struct view *v = c->v;
  int prev = vat(v, (ssize_t)d - 1), next = vat(v, (ssize_t)(d + run));
  bool grouped = next == ' ' || next == '-';
  struct match m;
  bool hit = false;
  if(scan_wants(c->r, SCAN_CARD) && (run >= 13 || (run == 4 && grouped)) && v->p[d] >= '2' &&
     v->p[d] <= '6' && detect_card(v, d, &m))
    hit = found(c, SCAN_CARD, &m);
  else if(scan_wants(c->r, SCAN_PHONE) && (v->p[d] == '0' || prev == '+' || prev == '(') &&
          detect_phone(v, d, &m))
    hit = found(c, SCAN_PHONE, &m);
  else if(scan_wants(c->r, SCAN_DOB) && (run <= 2 || run == 4) && detect_dob(v, d, &m))
    hit = found(c, SCAN_DOB, &m);
  if(hit)
    *end = m.end;
  return hit;
}

/* The digit run at d (its first digit): returns where to look next. */
static size_t digit_run(struct ctx *c, size_t d)
{
  const struct view *v = c->v;
  size_t run = 0, end;
  int prev = vat(v, (ssize_t)d - 1);
  while(d + run < v->len && c_digit(v->p[d + run]))
    run++;
  if(c_upper(prev) || (prev == ' ' && c_upper(vat(v, (ssize_t)d - 2)))) {
    if(letters_first(c, d, &end))
      return end;
  }
  if(v_word(v, (ssize_t)d - 1))
    return d + run;
  if(prev > 0 && strchr(".-/:", prev) && c_digit(vat(v, (ssize_t)d - 2)))
    return d + run;    /* the tail of a number already examined ("," ends CSV fields) */
  if(numeric(c, d, run, &end))
    return end;
  return d + run;
}

static const unsigned numeric_set = SCAN_BIT(SCAN_PHONE) | SCAN_BIT(SCAN_NINO) |
                                    SCAN_BIT(SCAN_IBAN) | SCAN_BIT(SCAN_CARD) | SCAN_BIT(SCAN_DOB);

size_t text_triggers(const struct scan_rules *r, struct scan_findings *out,
                     const struct view *v, size_t from, size_t limit)
{
  struct ctx c = { r, out, v };
  bool email = scan_wants(r, SCAN_EMAIL), digits = (r->detectors & numeric_set) != 0;
  size_t i = from;
  for(;;) {
    struct match m;
    i = next_trigger(v->p, i, limit);
    if(i >= limit)
      break;
    if(v->p[i] == '@') {
      if(email && detect_email(v, i, &m) && found(&c, SCAN_EMAIL, &m))
        i = m.end > i ? m.end : i + 1;
      else
        i++;
    } else if(!digits || c_digit(vat(v, (ssize_t)i - 1))) {
      i++;
    } else {
      i = digit_run(&c, i);
    }
  }
  return i;
}

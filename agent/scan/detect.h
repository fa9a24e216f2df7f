/* The detectors: each recognises one kind of value at a trigger position.
 *
 * The text scanner (text.c) finds triggers cheaply: an '@' for e-mail, the
 * first digit of a digit run for the others. A detector then looks around the
 * trigger inside a view of the text, which always holds enough bytes before
 * (SCAN_BEHIND) and after (SCAN_AHEAD) a trigger for any value and its
 * context, and says whether a value is there and where it starts and ends.
 * Detectors are pure functions of the bytes they see: no state, no
 * allocation, so any thread may call them. */
#ifndef LETHE_SCAN_DETECT_H
#define LETHE_SCAN_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Bytes of context kept before a trigger and guaranteed after it. Every
 * detector reads at most this far either side of its trigger. */
#define SCAN_BEHIND 128
#define SCAN_AHEAD 512

/* A window of text. Bytes outside [0, len) read as -1 (a boundary). */
struct view {
  const unsigned char *p;
  size_t len;
};

/* Where a value was found: [start, end) in the view. */
struct match {
  size_t start;
  size_t end;
};

static inline int vat(const struct view *v, ssize_t i)
{
  return i >= 0 && (size_t)i < v->len ? v->p[i] : -1;
}

static inline bool c_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool c_upper(int c) { return c >= 'A' && c <= 'Z'; }
static inline bool c_lower(int c) { return c >= 'a' && c <= 'z'; }
static inline bool c_alpha(int c) { return c_upper(c) || c_lower(c); }
static inline bool c_alnum(int c) { return c_alpha(c) || c_digit(c); }

/* Is a word character (ASCII letter, digit, '_', or any non-ASCII byte)
 * at i? Detectors need a non-word on both sides of a value. */
static inline bool v_word(const struct view *v, ssize_t i)
{
  int c = vat(v, i);
  return c_alnum(c) || c == '_' || c >= 0x80;
}

/* May a numeric value end just before e? Not when a word, an '@' or the
 * rest of a decimal number ("123.45") follows. A comma ends a value: in a
 * CSV file "07700 900123,2019" is two fields. */
bool num_end_ok(const struct view *v, size_t e);

/* Digit groups joined by single separators, as in "4111 1111 1111 1111"
 * or "020 7946-0958". Up to GROUPS_MAX groups and GROUP_DIGITS digits. */
#define GROUPS_MAX 8
#define GROUP_DIGITS 24
struct groups {
  unsigned char dig[GROUP_DIGITS];  /* digit values, 0..9 */
  size_t ndig;
  unsigned n;                       /* groups found */
  size_t end[GROUPS_MAX];           /* view offset just past group i */
  size_t cum[GROUPS_MAX];           /* digits in groups 0..i */
  int sep;                          /* the separator used, or 0 */
};

/* Collect the groups starting at the digit at d. Groups are joined by one
 * separator byte from seps (the same one throughout when `same`); collection
 * stops at anything else or when a group would overflow. Callers must wipe
 * g->dig (explicit_bzero) once done: it holds the value. */
void collect_groups(const struct view *v, size_t d, const char *seps, bool same,
                    struct groups *g);

/* e-mail address around the '@' at `at`. */
bool detect_email(const struct view *v, size_t at, struct match *m);

/* A phone number whose digit run starts at d (a '+' or '(' just before it
 * belongs to the number). */
bool detect_phone(const struct view *v, size_t d, struct match *m);

/* A payment card number whose digit run starts at d. */
bool detect_card(const struct view *v, size_t d, struct match *m);

/* A date whose first digit run starts at d (or a month name just before
 * it), with a birth keyword close by. */
bool detect_dob(const struct view *v, size_t d, struct match *m);

/* A National Insurance number starting at the letter pair at t. */
bool detect_nino(const struct view *v, size_t t, struct match *m);

/* An IBAN starting at the country code at t. */
bool detect_iban(const struct view *v, size_t t, struct match *m);

/* The IBAN length for a country code ("GB" -> 22), 0 if not known. */
unsigned iban_length(int c0, int c1);

/* Luhn check over n digits (values 0..9). */
bool luhn_ok(const unsigned char *dig, size_t n);

#endif

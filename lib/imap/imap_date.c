#include "imap_date.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "isotime.h"

#define DATE_MAX 998   /* RFC 5322's line limit bounds any sensible Date: */
#define MAX_TOKENS 12

static const char *const months[] = {
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static int month_of(const char *p, size_t n)
{
  for(int i = 0; i < 12; i++)
    if(n == 3 && !strncasecmp(p, months[i], 3))
      return i + 1;
  return 0;
}

/* Digits at p[0..n) as a number; -1 unless there are 1 to 9 digits only. */
static long digits(const char *p, size_t n)
{
  long v = 0;
  if(!n || n > 9)
    return -1;
  for(size_t i = 0; i < n; i++) {
    if(!isdigit((unsigned char)p[i]))
      return -1;
    v = v * 10 + (p[i] - '0');
  }
  return v;
}

/* "+hhmm" / "-hhmm" in seconds east of UTC, or false. */
static bool numeric_zone(const char *p, size_t n, long *off)
{
  long v;
  if(n != 5 || (p[0] != '+' && p[0] != '-'))
    return false;
  v = digits(p + 1, 4);
  if(v < 0 || v % 100 > 59)
    return false;
  *off = (v / 100 * 3600 + v % 100 * 60) * (p[0] == '-' ? -1 : 1);
  return true;
}

/* "hh:mm:ss" (or "hh:mm" when seconds_optional) into c. */
static bool clock_time(const char *p, size_t n, bool seconds_optional, struct civil *c)
{
  long h, m, s = 0;
  if(n == 5 && seconds_optional && p[2] == ':') {
    h = digits(p, 2);
    m = digits(p + 3, 2);
  }
  else if(n == 8 && p[2] == ':' && p[5] == ':') {
    h = digits(p, 2);
    m = digits(p + 3, 2);
    s = digits(p + 6, 2);
  }
  else {
    return false;
  }
  if(h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60)
    return false;
  c->hour = (int)h;
  c->minute = (int)m;
  c->second = s == 60 ? 59 : (int)s; /* a leap second counts as the second before */
  return true;
}

static bool valid_day(const struct civil *c)
{
  return c->year >= 1 && c->year <= 9999 && c->month >= 1 && c->month <= 12 && c->day >= 1 &&
         c->day <= isotime_days_in_month(c->year, c->month);
}

lethe_rc imap_date_internal(const char *s, size_t len, int64_t *out, struct lethe_err *err)
{
  struct civil c = { 0 };
  long day = -1, year = -1, off = 0;
  const char *p = s;
  size_t daylen = len == 26 ? 2 : 1;
  bool ok = len == 25 || len == 26;

  /* "dd-Mon-yyyy hh:mm:ss +zzzz": dd may be " d" (RFC 3501) or "d" */
  if(ok && len == 26 && s[0] == ' ')
    p++, daylen = 1;
  if(ok) {
    day = digits(p, daylen);
    p += daylen;
    ok = day > 0 && p[0] == '-' && (c.month = month_of(p + 1, 3)) && p[4] == '-' &&
         (year = digits(p + 5, 4)) > 0 && p[9] == ' ' && clock_time(p + 10, 8, false, &c) &&
         p[18] == ' ' && numeric_zone(p + 19, 5, &off);
  }
  if(!ok)
    return err_set(err, LETHE_E_PARSE, "INTERNALDATE \"%.*s\" is not dd-Mon-yyyy hh:mm:ss "
                   "+zzzz", (int)(len > 40 ? 40 : len), s);
  c.day = (int)day;
  c.year = (int)year;
  if(!valid_day(&c))
    return err_set(err, LETHE_E_PARSE, "INTERNALDATE \"%.*s\" is not a valid date",
                   (int)(len > 40 ? 40 : len), s);
  *out = isotime_from_civil(&c) - off;
  return LETHE_OK;
}

/* Copy s into buf with comments, CR, LF, tabs and commas made spaces. */
static bool flatten(const char *s, size_t len, char *buf)
{
  int depth = 0;
  for(size_t i = 0; i < len; i++) {
    char ch = s[i];
    if(ch == '\\' && depth && i + 1 < len) {
      buf[i] = ' ';
      buf[++i] = ' ';
      continue;
    }
    if(ch == '(')
      depth++;
    buf[i] = depth || ch == '\r' || ch == '\n' || ch == '\t' || ch == ',' ? ' ' : ch;
    if(ch == ')' && --depth < 0)
      return false;
  }
  buf[len] = '\0';
  return depth == 0;
}

struct word {
  const char *p;
  size_t n;
};

static size_t split(char *buf, struct word *w, size_t max)
{
  size_t n = 0;
  for(char *p = buf; *p && n < max;) {
    while(*p == ' ')
      p++;
    if(!*p)
      break;
    w[n].p = p;
    while(*p && *p != ' ')
      p++;
    w[n].n = (size_t)(p - w[n].p);
    n++;
  }
  return n;
}

/* The obsolete named zones, and military letters (taken as +0000). */
static bool named_zone(const struct word *w, long *off)
{
  static const struct { const char *name; int hours; } zones[] = {
    { "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 }, { "EST", -5 }, { "EDT", -4 },
    { "CST", -6 }, { "CDT", -5 }, { "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 },
  };
  for(size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
    if(w->n == strlen(zones[i].name) && !strncasecmp(w->p, zones[i].name, w->n)) {
      *off = zones[i].hours * 3600L;
      return true;
    }
  }
  if(w->n == 1 && isalpha((unsigned char)w->p[0]) && toupper((unsigned char)w->p[0]) != 'J') {
    *off = 0;
    return true;
  }
  return false;
}

static long full_year(const struct word *w)
{
  long y = digits(w->p, w->n);
  if(y < 0 || w->n < 2)
    return -1;
  if(w->n == 2)
    return y < 50 ? 2000 + y : 1900 + y;
  if(w->n == 3)
    return 1900 + y;
  return y;
}

lethe_rc imap_date_rfc5322(const char *s, size_t len, int64_t *out, struct lethe_err *err)
{
  char buf[DATE_MAX + 1];
  struct word w[MAX_TOKENS];
  struct civil c = { 0 };
  size_t n, i = 0;
  long day, year, off = 0;
  int shown = (int)(len > 60 ? 60 : len);

  if(len > DATE_MAX || !flatten(s, len, buf))
    return err_set(err, LETHE_E_PARSE, "Date: header \"%.*s\" is malformed", shown, s);
  n = split(buf, w, MAX_TOKENS);
  if(n && isalpha((unsigned char)w[0].p[0]) && !month_of(w[0].p, w[0].n))
    i = 1; /* the day of the week, which says nothing the date does not */
  if(n - i < 5)
    return err_set(err, LETHE_E_PARSE, "Date: header \"%.*s\" lacks a date, time or zone",
                   shown, s);
  day = digits(w[i].p, w[i].n);
  c.month = month_of(w[i + 1].p, w[i + 1].n);
  year = full_year(&w[i + 2]);
  if(day < 1 || w[i].n > 2 || !c.month || year < 1 ||
     !clock_time(w[i + 3].p, w[i + 3].n, true, &c) ||
     (!numeric_zone(w[i + 4].p, w[i + 4].n, &off) && !named_zone(&w[i + 4], &off)))
    return err_set(err, LETHE_E_PARSE, "Date: header \"%.*s\" is not day month year "
                   "hh:mm[:ss] zone", shown, s);
  c.day = (int)day;
  c.year = (int)year;
  if(!valid_day(&c))
    return err_set(err, LETHE_E_PARSE, "Date: header \"%.*s\" is not a valid date", shown, s);
  *out = isotime_from_civil(&c) - off;
  return LETHE_OK;
}

static bool is_wsp(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Append value v[0..n) unfolded (CR and LF dropped), trimmed. */
static lethe_rc add_unfolded(const char *v, size_t n, struct dynbuf *out)
{
  lethe_rc rc = LETHE_OK;
  while(n && is_wsp(*v))
    v++, n--;
  while(n && is_wsp(v[n - 1]))
    n--;
  for(size_t i = 0; i < n && !rc; i++)
    if(v[i] != '\r' && v[i] != '\n')
      rc = db_add(out, &v[i], 1);
  return rc;
}

lethe_rc imap_header_field(const char *hdr, size_t len, const char *name, struct dynbuf *out)
{
  size_t nl = strlen(name);
  const char *p = hdr, *end = hdr + len;
  while(p < end && *p != '\r' && *p != '\n') {
    const char *line_end = p, *colon;
    /* a field runs until a line break not followed by white space */
    for(;;) {
      const char *lf = memchr(line_end, '\n', (size_t)(end - line_end));
      line_end = lf ? lf + 1 : end;
      if(line_end >= end || (*line_end != ' ' && *line_end != '\t'))
        break;
    }
    colon = memchr(p, ':', (size_t)(line_end - p));
    if(colon && (size_t)(colon - p) == nl && !strncasecmp(p, name, nl))
      return add_unfolded(colon + 1, (size_t)(line_end - colon - 1), out);
    p = line_end;
  }
  return LETHE_E_NOTFOUND;
}

bool imap_message_id_sha256(const char *hdr, size_t len, struct dynbuf *scratch, char hex[65])
{
  static const char digits[] = "0123456789abcdef";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  hex[0] = '\0';
  db_reset(scratch);
  if(!hdr || imap_header_field(hdr, len, "Message-ID", scratch) || !scratch->len ||
     !EVP_Digest(scratch->mem, scratch->len, md, &n, EVP_sha256(), NULL) || n != 32)
    return false;
  for(unsigned i = 0; i < n; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 15];
  }
  hex[64] = '\0';
  return true;
}

void imap_date_asctime(int64_t t, char *buf)
{
  static const char *const days[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
  struct civil c;
  int64_t d = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  isotime_to_civil(t, &c);
  snprintf(buf, 25, "%s %s %2d %02d:%02d:%02d %04d", days[((d % 7) + 7) % 7],
           months[c.month - 1], c.day, c.hour, c.minute, c.second, c.year);
}

/* Redacted samples: enough shape to tell a person what was found, never
 * enough to recover the value. */
#include "scan_internal.h"

#include <stdio.h>
#include <string.h>

struct out {
  char *p;
  size_t n, cap;
};

static void put(struct out *o, char c)
{
  if(o->n + 1 < o->cap)
    o->p[o->n++] = c;
  o->p[o->n] = '\0';
}

static void puts_(struct out *o, const char *s)
{
  while(*s)
    put(o, *s++);
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool is_alnum(unsigned char c)
{
  return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static size_t count_digits(const unsigned char *p, size_t n)
{
  size_t i, k = 0;
  for(i = 0; i < n; i++)
    k += is_digit(p[i]);
  return k;
}

/* j***@example.org */
static void email(struct out *o, const unsigned char *p, size_t n)
{
  const unsigned char *at = memchr(p, '@', n);
  size_t i;
  put(o, (char)p[0]);
  puts_(o, "***");
  for(i = at ? (size_t)(at - p) : n; i < n; i++)
    put(o, (char)p[i]);
}

/* 07*** ***123: the first two and last three digits, separators kept */
static void phone(struct out *o, const unsigned char *p, size_t n)
{
  size_t total = count_digits(p, n), k = 0, i;
  for(i = 0; i < n; i++) {
    if(!is_digit(p[i])) {
      put(o, (char)p[i]);
      continue;
    }
    put(o, k < 2 || k + 3 >= total ? (char)p[i] : '*');
    k++;
  }
}

/* AB ** ** ** C */
static void nino(struct out *o, const unsigned char *p, size_t n)
{
  put(o, (char)p[0]);
  put(o, (char)p[1]);
  puts_(o, " ** ** ** ");
  put(o, (char)p[n - 1]);
}

/* The alphanumerics of p, masked but for the first `head` and last `tail`,
 * in groups of four. */
static void grouped(struct out *o, const unsigned char *p, size_t n, size_t head, size_t tail)
{
  size_t total = 0, k = 0, i;
  for(i = 0; i < n; i++)
    total += is_alnum(p[i]);
  for(i = 0; i < n; i++) {
    if(!is_alnum(p[i]))
      continue;
    if(k && k % 4 == 0)
      put(o, ' ');
    put(o, k < head || k + tail >= total ? (char)p[i] : '*');
    k++;
  }
}

/* Dates keep only their year, as in two stars, a slash, two stars, a slash
 * and 1985. */
static void date(struct out *o, const unsigned char *p, size_t n)
{
  size_t i, run = 0, start = 0, best = 0, best_start = 0;
  for(i = 0; i <= n; i++) {
    if(i < n && is_digit(p[i])) {
      if(!run++)
        start = i;
      continue;
    }
    if(run == 4 || (run == 2 && best != 4 && i == n))
      best = run, best_start = start;
    run = 0;
  }
  puts_(o, "**/**/");
  for(i = 0; i < best; i++)
    put(o, (char)p[best_start + i]);
}

/* A*** L***: the first letter of each word */
static void name(struct out *o, const unsigned char *p, size_t n)
{
  size_t i;
  bool in_word = false;
  for(i = 0; i < n; i++) {
    bool space = p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n';
    if(space) {
      if(in_word)
        put(o, ' ');
      in_word = false;
    } else if(!in_word) {
      put(o, (char)p[i]);
      while(i + 1 < n && (p[i + 1] & 0xC0) == 0x80)   /* a whole UTF-8 letter */
        put(o, (char)p[++i]);
      puts_(o, "***");
      in_word = true;
    }
  }
}

void redact(enum scan_detector d, const unsigned char *p, size_t n, char *outbuf, size_t outlen)
{
  struct out o = { outbuf, 0, outlen };
  if(!outlen)
    return;
  outbuf[0] = '\0';
  if(!n)
    return;
  switch(d) {
  case SCAN_EMAIL: email(&o, p, n); break;
  case SCAN_PHONE: phone(&o, p, n); break;
  case SCAN_NINO: nino(&o, p, n); break;
  case SCAN_IBAN: grouped(&o, p, n, 2, 4); break;
  case SCAN_CARD: grouped(&o, p, n, 0, 4); break;
  case SCAN_DOB: date(&o, p, n); break;
  case SCAN_CLIENT_NAME: name(&o, p, n); break;
  default: puts_(&o, "***"); break;
  }
}

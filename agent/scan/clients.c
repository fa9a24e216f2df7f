/* The client-name list: loading, canonical form and the PCRE2 pattern. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "clients.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define LIST_MAX (16u << 20)

struct clients {
  pcre2_code *re;          /* anchored: tried only where a name may start */
  bool jit;
  /* Prefilter: the first two bytes of each name, case-folded (fold()),
   * as a bitmap over byte pairs. */
  uint64_t pairs[65536 / 64];
  char *canon;        /* sorted names, each + '\n' */
  size_t canon_len;
};

struct clients_match {
  pcre2_match_data *md;
};

static lethe_rc read_list(const char *path, char **out, char *err, size_t errlen)
{
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  size_t len = 0, cap = 65536;
  char *buf;
  if(fd < 0)
    return scan_err(err, errlen, errno == ELOOP ? LETHE_E_UNSAFE : LETHE_E_IO,
                    "client list %s: %s", path, errno == ELOOP ? "is a symlink" : strerror(errno));
  buf = malloc(cap + 1);
  while(buf) {
    ssize_t n = read(fd, buf + len, cap - len);
    if(n <= 0) {
      if(n < 0) {
        free(buf);
        close(fd);
        return scan_err(err, errlen, LETHE_E_IO, "client list %s: %s", path, strerror(errno));
      }
      break;
    }
    len += (size_t)n;
    if(len == cap) {
      char *bigger = cap >= LIST_MAX ? NULL : realloc(buf, cap * 2 + 1);
      if(!bigger) {
        free(buf);
        close(fd);
        return scan_err(err, errlen, LETHE_E_RANGE, "client list %s: over 16 MiB", path);
      }
      buf = bigger;
      cap *= 2;
    }
  }
  close(fd);
  if(!buf)
    return LETHE_E_NOMEM;
  buf[len] = '\0';
  *out = buf;
  return LETHE_OK;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Split text into trimmed names (pointers into text, which is modified). */
static lethe_rc split(char *text, char ***names, size_t *n, char *err, size_t errlen)
{
  size_t cap = 0, line = 0;
  char *p = text, **v = NULL;
  *n = 0;
  while(*p) {
    char *e = p + strcspn(p, "\n"), *next = *e ? e + 1 : e;
    line++;
    *e = '\0';
    while(*p == ' ' || *p == '\t')
      p++;
    while(e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
      *--e = '\0';
    if(*p && *p != '#') {
      if(e - p > SCAN_CLIENT_NAME_MAX) {
        free(v);
        return scan_err(err, errlen, LETHE_E_RANGE, "client list line %zu: name over %d bytes",
                        line, SCAN_CLIENT_NAME_MAX);
      }
      if(*n == cap) {
        char **bigger = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));
        if(!bigger) {
          free(v);
          return LETHE_E_NOMEM;
        }
        v = bigger;
      }
      v[(*n)++] = p;
    }
    p = next;
  }
  *names = v;
  return LETHE_OK;
}

/* ASCII letters to lower case; every non-ASCII byte to 0x80, as the case
 * variants of a non-ASCII letter are all non-ASCII. */
static unsigned fold(unsigned char b)
{
  if(b >= 0x80)
    return 0x80;
  return b >= 'A' && b <= 'Z' ? b | 0x20u : b;
}

static void set_pair(struct clients *c, unsigned a, unsigned b)
{
  unsigned k = a << 8 | b;
  c->pairs[k / 64] |= 1ull << (k % 64);
}

static bool pair_hit(const struct clients *c, unsigned a, unsigned b)
{
  unsigned k = fold((unsigned char)a) << 8 | fold((unsigned char)b);
  return (c->pairs[k / 64] >> (k % 64)) & 1;
}

/* The pairs a name may start with: a blank second byte stands for any
 * white space (\s), a one-byte name for anything. */
static void add_prefix(struct clients *c, const char *name)
{
  unsigned a = fold((unsigned char)name[0]), b;
  const char *ws = " \t\n\r\f\v";
  if(!name[1] || name[1] == ' ' || name[1] == '\t') {
    for(b = 0; b < 256; b++)
      if(!name[1] || strchr(ws, (int)b))
        set_pair(c, a, fold((unsigned char)b));
    return;
  }
  set_pair(c, a, fold((unsigned char)name[1]));
}

/* Append name to the pattern: ASCII punctuation escaped, blanks as \s{1,3}. */
static char *put_name(char *o, const char *name)
{
  const unsigned char *p = (const unsigned char *)name;
  while(*p) {
    if(*p == ' ' || *p == '\t') {
      while(*p == ' ' || *p == '\t')
        p++;
      memcpy(o, "\\s{1,3}", 7);
      o += 7;
      continue;
    }
    if(*p < 0x80 && !((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')))
      *o++ = '\\';
    *o++ = (char)*p++;
  }
  return o;
}

static const char head[] = "(?<![\\p{L}\\p{N}_])(?:";
static const char tail[] = ")(?![\\p{L}\\p{N}_])";

static lethe_rc compile(struct clients *c, char **names, size_t n, char *err, size_t errlen)
{
  size_t i, size = sizeof(head) + sizeof(tail);
  char *pat, *o;
  int code;
  PCRE2_SIZE off;
  for(i = 0; i < n; i++)
    size += strlen(names[i]) * 7 + 1;
  o = pat = malloc(size);
  if(!pat)
    return LETHE_E_NOMEM;
  memcpy(o, head, sizeof(head) - 1);
  o += sizeof(head) - 1;
  for(i = 0; i < n; i++) {
    if(i)
      *o++ = '|';
    o = put_name(o, names[i]);
  }
  memcpy(o, tail, sizeof(tail));
  for(i = 0; i < n; i++)
    add_prefix(c, names[i]);
  c->re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                        PCRE2_UTF | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF | PCRE2_ANCHORED,
                        &code, &off, NULL);
  free(pat);
  if(!c->re) {
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(code, msg, sizeof(msg));
    return scan_err(err, errlen, LETHE_E_CONFIG, "client list: %s", (char *)msg);
  }
  c->jit = pcre2_jit_compile(c->re, PCRE2_JIT_COMPLETE) == 0;
  return LETHE_OK;
}

/* Sort, drop duplicates, check UTF-8; build the canonical text. */
static lethe_rc canonical(struct clients *c, char **names, size_t *n, char *err, size_t errlen)
{
  size_t i, k = 0, size = 0;
  char *o;
  qsort(names, *n, sizeof(*names), cmp_str);
  for(i = 0; i < *n; i++) {
    size_t len = strlen(names[i]);
    if(utf8_valid((const unsigned char *)names[i], len) != len)
      return scan_err(err, errlen, LETHE_E_PARSE, "client list: \"%s\" is not UTF-8", names[i]);
    if(k && !strcmp(names[k - 1], names[i]))
      continue;
    names[k++] = names[i];
    size += len + 1;
  }
  *n = k;
  o = c->canon = malloc(size + 1);
  if(!o)
    return LETHE_E_NOMEM;
  for(i = 0; i < k; i++) {
    size_t len = strlen(names[i]);
    memcpy(o, names[i], len);
    o[len] = '\n';
    o += len + 1;
  }
  *o = '\0';
  c->canon_len = size;
  return LETHE_OK;
}

static lethe_rc build(char *text, struct clients **out, char *err, size_t errlen)
{
  char **names = NULL;
  size_t n = 0;
  struct clients *c;
  lethe_rc rc = split(text, &names, &n, err, errlen);
  if(rc || !n) {
    free(names);
    return rc;
  }
  c = calloc(1, sizeof(*c));
  rc = c ? canonical(c, names, &n, err, errlen) : LETHE_E_NOMEM;
  if(!rc)
    rc = compile(c, names, n, err, errlen);
  free(names);
  if(rc) {
    clients_free(c);
    return rc;
  }
  *out = c;
  return LETHE_OK;
}

lethe_rc clients_load(const char *path, const char *text, struct clients **out,
                      char *err, size_t errlen)
{
  char *copy = NULL;
  lethe_rc rc;
  *out = NULL;
  if(path) {
    rc = read_list(path, &copy, err, errlen);
    if(rc)
      return rc;
  } else {
    copy = strdup(text ? text : "");
    if(!copy)
      return LETHE_E_NOMEM;
  }
  rc = build(copy, out, err, errlen);
  explicit_bzero(copy, strlen(copy));
  free(copy);
  return rc;
}

void clients_free(struct clients *c)
{
  if(!c)
    return;
  pcre2_code_free(c->re);
  if(c->canon)
    explicit_bzero(c->canon, c->canon_len);
  free(c->canon);
  free(c);
}

const char *clients_canonical(const struct clients *c, size_t *len)
{
  *len = c ? c->canon_len : 0;
  return c ? c->canon : "";
}

lethe_rc clients_match_new(const struct clients *c, struct clients_match **out)
{
  struct clients_match *m = calloc(1, sizeof(*m));
  if(m)
    m->md = pcre2_match_data_create_from_pattern(c->re, NULL);
  if(!m || !m->md) {
    free(m);
    return LETHE_E_NOMEM;
  }
  *out = m;
  return LETHE_OK;
}

void clients_match_free(struct clients_match *m)
{
  if(!m)
    return;
  pcre2_match_data_free(m->md);
  free(m);
}

static bool ascii_word(unsigned char b)
{
  return (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') || b == '_';
}

/* Try the anchored pattern at i. */
static bool match_at(const struct clients *c, struct clients_match *m, const unsigned char *s,
                     size_t len, size_t i, size_t *ms, size_t *me)
{
  PCRE2_SIZE *ov;
  int rc;
  if(c->jit)
    rc = pcre2_jit_match(c->re, s, len, i, 0, m->md, NULL);
  else
    rc = pcre2_match(c->re, s, len, i, 0, m->md, NULL);
  if(rc <= 0)
    return false;
  ov = pcre2_get_ovector_pointer(m->md);
  *ms = ov[0];
  *me = ov[1];
  return ov[1] > ov[0];
}

#ifdef __SSE2__
/* Bit i set when v[i] is an ASCII word byte (letter, digit, '_') or, in
 * *cont, a UTF-8 continuation byte. */
static unsigned word_mask(__m128i v, unsigned *cont)
{
  __m128i d = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(0x50)), _mm_set1_epi8(-118));
  __m128i l = _mm_or_si128(v, _mm_set1_epi8(0x20));
  l = _mm_cmplt_epi8(_mm_add_epi8(l, _mm_set1_epi8(0x1F)), _mm_set1_epi8(-128 + 26));
  d = _mm_or_si128(_mm_or_si128(d, l), _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
  *cont = (unsigned)_mm_movemask_epi8(
    _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8((char)0xC0)), _mm_set1_epi8((char)0x80)));
  return (unsigned)_mm_movemask_epi8(d);
}

/* Skip 16 bytes at a time to the positions that follow a non-word byte. */
static size_t next_start(const unsigned char *s, size_t i, size_t end)
{
  while(i + 16 <= end && i) {
    unsigned cont, w = word_mask(_mm_loadu_si128((const __m128i *)(const void *)(s + i)), &cont);
    unsigned prev = (w << 1 | ascii_word(s[i - 1])) & 0xFFFFu;
    unsigned cand = ~prev & ~cont & 0xFFFFu;
    if(cand)
      return i + (size_t)__builtin_ctz(cand);
    i += 16;
  }
  return i;
}
#else
static size_t next_start(const unsigned char *s, size_t i, size_t end)
{
  (void)s;
  (void)end;
  return i;
}
#endif

/* Where a name may start: not inside an ASCII word, not on a UTF-8
 * continuation byte, and on a pair of bytes some name starts with. The
 * pattern's own look-behind then decides on the Unicode word boundary. */
bool clients_find(const struct clients *c, struct clients_match *m, const unsigned char *s,
                  size_t len, size_t from, size_t *ms, size_t *me)
{
  size_t i = from;
  while(i + 1 < len) {
    i = next_start(s, i, len - 1);
    if(i + 1 >= len)
      break;
    if((!i || !ascii_word(s[i - 1])) && (s[i] & 0xC0) != 0x80 && pair_hit(c, s[i], s[i + 1]) &&
       match_at(c, m, s, len, i, ms, me))
      return true;
    i++;
  }
  return i + 1 == len && !(i && ascii_word(s[i - 1])) && match_at(c, m, s, len, i, ms, me);
}

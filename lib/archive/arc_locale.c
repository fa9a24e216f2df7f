#include "arc_locale.h"

#include <locale.h>
#include <pthread.h>
#include <stddef.h>

static locale_t utf8_locale;
static locale_t c_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

/* Made once, freed when the program ends or the plugin holding this code
 * is unloaded: by then no thread uses them, since every arc_locale_enter()
 * is paired with an arc_locale_leave() around a call. */
static void make_locale(void)
{
  utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
  c_locale = newlocale(LC_CTYPE_MASK, "C", (locale_t)0);
}

__attribute__((destructor)) static void free_locales(void)
{
  if(utf8_locale)
    freelocale(utf8_locale);
  if(c_locale)
    freelocale(c_locale);
  utf8_locale = c_locale = (locale_t)0;
}

void *arc_locale_enter(void)
{
  pthread_once(&utf8_once, make_locale);
  if(!utf8_locale)
    return NULL;
  return uselocale(utf8_locale);
}

void arc_locale_leave(void *prev)
{
  if(prev)
    uselocale((locale_t)prev);
}

void *arc_locale_enter_c(void)
{
  pthread_once(&utf8_once, make_locale);
  if(!c_locale)
    return NULL;
  return uselocale(c_locale);
}

/* Length of the UTF-8 sequence starting with byte c and the least code
 * point it may encode; 0 for a byte that cannot start one. */
static size_t seq_len(unsigned char c, unsigned long *min)
{
  if(c < 0x80) {
    *min = 0;
    return 1;
  }
  if(c >= 0xc2 && c <= 0xdf) {
    *min = 0x80;
    return 2;
  }
  if(c >= 0xe0 && c <= 0xef) {
    *min = 0x800;
    return 3;
  }
  if(c >= 0xf0 && c <= 0xf4) {
    *min = 0x10000;
    return 4;
  }
  return 0;
}

bool arc_utf8_valid(const char *s, size_t len)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while(i < len) {
    unsigned long min, cp;
    size_t n = seq_len(p[i], &min);
    if(n == 0 || n > len - i)
      return false;
    cp = n == 1 ? p[i] : p[i] & (0x7f >> n);
    for(size_t k = 1; k < n; k++) {
      if((p[i + k] & 0xc0) != 0x80)
        return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if(cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n;
  }
  return true;
}

/* The progress line (see progress.h). */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define NS 1000000000LL
#define FIRST_AFTER_NS (NS / 2)  /* a quick pass shows nothing */
#define EVERY_NS (NS / 5)
#define CHECK_EVERY 16           /* items between looks at the clock */
#define NAME_SHOWN 40            /* bytes of a rule's name on the line */

static struct {
  bool on, always, active, shown;
  char verb[16], name[NAME_SHOWN + 1];
  uint64_t total, done, checked;
  int64_t start, last;
} pg;

static int64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

void progress_setup(enum progress_mode mode)
{
  pg.always = mode == PROGRESS_ALWAYS;
  pg.on = pg.always || (mode == PROGRESS_AUTO && isatty(STDERR_FILENO) && !log_to_journal());
}

bool progress_enabled(void)
{
  return pg.on;
}

/* A name cut at a character boundary, so the line never ends mid-UTF-8. */
static void copy_name(const char *name)
{
  size_t n = strlen(name);
  if(n > NAME_SHOWN) {
    n = NAME_SHOWN;
    while(n && ((unsigned char)name[n] & 0xc0) == 0x80)
      n--;
  }
  memcpy(pg.name, name, n);
  pg.name[n] = '\0';
}

void progress_begin(const char *verb, const char *name, uint64_t total)
{
  progress_end();
  if(!pg.on)
    return;
  snprintf(pg.verb, sizeof(pg.verb), "%s", verb);
  copy_name(name ? name : "");
  pg.total = total;
  pg.done = pg.checked = 0;
  pg.start = now_ns();
  pg.last = 0;
  pg.active = true;
}

/* "1,234,567" */
static void grouped(uint64_t n, char *buf, size_t size)
{
  char digits[24];
  int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n), o = 0;
  for(int i = 0; i < len && (size_t)o + 2 < size; i++) {
    if(i && (len - i) % 3 == 0)
      buf[o++] = ',';
    buf[o++] = digits[i];
  }
  buf[o] = '\0';
}

static void draw(int64_t t)
{
  char done[32], total[32], rate[32];
  double secs = (double)(t - pg.start) / NS;
  grouped(pg.done, done, sizeof(done));
  fprintf(stderr, "\rlethe: %s %s: %s", pg.verb, pg.name, done);
  if(pg.total) {
    grouped(pg.total, total, sizeof(total));
    fprintf(stderr, " of %s item%s (%llu%%)", total, pg.total == 1 ? "" : "s",
            (unsigned long long)(pg.done >= pg.total ? 100 : pg.done * 100 / pg.total));
  }
  else {
    fputs(pg.done == 1 ? " item" : " items", stderr);
  }
  if(secs >= 0.5) { /* a rate over less is noise */
    grouped((uint64_t)((double)pg.done / secs), rate, sizeof(rate));
    fprintf(stderr, ", %s/s", rate);
  }
  fputs("\033[K", stderr);
  fflush(stderr);
  pg.shown = true;
  pg.last = t;
}

void progress_update(uint64_t done)
{
  int64_t t;
  if(!pg.active || done <= pg.done)
    return;
  pg.done = done;
  if(done - pg.checked < CHECK_EVERY && !pg.always)
    return;
  pg.checked = done;
  t = now_ns();
  if((!pg.always && t - pg.start < FIRST_AFTER_NS) || (pg.last && t - pg.last < EVERY_NS))
    return;
  draw(t);
}

void progress_clear(void)
{
  if(!pg.shown)
    return;
  fputs("\r\033[K", stderr);
  fflush(stderr);
  pg.shown = false;
}

void progress_end(void)
{
  progress_clear();
  pg.active = false;
}

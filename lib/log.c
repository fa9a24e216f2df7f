#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "progress.h"

/* Whether stderr is the journal's stream: JOURNAL_STREAM holds "DEV:INODE"
 * of the stream systemd connected, and is inherited by every child, so it
 * counts only while stderr is still that stream (sd-daemon's rule, see
 * systemd.exec(5)), not once a script has redirected it to a file. */
bool log_to_journal(void)
{
  static int known = -1;
  const char *v = getenv("JOURNAL_STREAM");
  unsigned long long dev, ino;
  struct stat st;
  int used = 0;
  if(known < 0)
    known = v && sscanf(v, "%llu:%llu%n", &dev, &ino, &used) == 2 && !v[used] &&
            !fstat(STDERR_FILENO, &st) && (unsigned long long)st.st_dev == dev &&
            (unsigned long long)st.st_ino == ino;
  return known == 1;
}

static void prefix(int priority)
{
  progress_clear(); /* a message never lands in the middle of the line */
  if(log_to_journal())
    fprintf(stderr, "<%d>", priority);
  else
    fputs("lethe: ", stderr);
}

void log_msg(int priority, const char *fmt, ...)
{
  va_list ap;
  prefix(priority);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

void log_lines(int priority, const char *text)
{
  while(*text) {
    const char *nl = strchr(text, '\n');
    size_t n = nl ? (size_t)(nl - text) : strlen(text);
    prefix(priority);
    fwrite(text, 1, n, stderr);
    fputc('\n', stderr);
    text += n + (nl != NULL);
  }
}

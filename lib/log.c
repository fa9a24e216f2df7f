#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void prefix(int priority)
{
  const char *journal = getenv("JOURNAL_STREAM");
  if(journal && *journal)
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

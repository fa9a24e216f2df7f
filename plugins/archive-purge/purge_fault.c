/* Fault points for crash tests (see purge.h). */
#include "purge.h"

#ifdef LETHE_FAULT_INJECTION
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void purge_fault_point(const char *where)
{
  static long calls;
  const char *at = getenv("LETHE_TEST_KILL_AT");
  char *end;
  long n;
  if(!at || !*at)
    return;
  n = strtol(at, &end, 10);
  if(*end || n <= 0)
    return;
  if(++calls == n) {
    fprintf(stderr, "purge_fault_point: killed at %ld (%s)\n", n, where);
    fflush(stderr);
    raise(SIGKILL);
  }
}
#else
void purge_fault_point(const char *where)
{
  (void)where;
}
#endif

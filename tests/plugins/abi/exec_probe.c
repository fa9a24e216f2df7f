/* A command for the exec plugin's tests that reports what it was started
 * with: exec_probe OUTFILE writes
 *   fd N TARGET      for every open descriptor (not the one listing them)
 *   cwd DIR
 *   blocked SIGNALS  the signal mask ("none" when empty)
 *   ignored SIGNALS  signals whose disposition is SIG_IGN ("none")
 * and exits 0. */
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_MAX 8192

__attribute__((format(printf, 3, 4)))
static void add(char *out, size_t *len, const char *fmt, ...)
{
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(out + *len, OUT_MAX - *len, fmt, ap);
  va_end(ap);
  if(n > 0 && (size_t)n < OUT_MAX - *len)
    *len += (size_t)n;
}

static void list_fds(char *out, size_t *len)
{
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  if(!d)
    exit(1);
  while((e = readdir(d)) != NULL) {
    char path[300], target[PATH_MAX];
    ssize_t n;
    if(e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
      continue;
    snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
    n = readlink(path, target, sizeof(target) - 1);
    target[n < 0 ? 0 : n] = '\0';
    add(out, len, "fd %s %s\n", e->d_name, target);
  }
  closedir(d);
}

static void list_signals(char *out, size_t *len)
{
  sigset_t mask;
  char blocked[512] = "", ignored[512] = "";
  sigprocmask(SIG_SETMASK, NULL, &mask);
  for(int sig = 1; sig < NSIG; sig++) {
    struct sigaction sa;
    char num[16];
    snprintf(num, sizeof(num), " %d", sig);
    if(sigismember(&mask, sig) == 1)
      strncat(blocked, num, sizeof(blocked) - strlen(blocked) - 1);
    if(sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
      strncat(ignored, num, sizeof(ignored) - strlen(ignored) - 1);
  }
  add(out, len, "blocked%s\n", blocked[0] ? blocked : " none");
  add(out, len, "ignored%s\n", ignored[0] ? ignored : " none");
}

int main(int argc, char **argv)
{
  static char out[OUT_MAX];
  char cwd[PATH_MAX];
  size_t len = 0;
  FILE *f;
  if(argc != 2)
    return 2;
  list_fds(out, &len); /* before opening anything */
  add(out, &len, "cwd %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
  list_signals(out, &len);
  f = fopen(argv[1], "w");
  if(!f || fwrite(out, 1, len, f) != len || fclose(f))
    return 1;
  return 0;
}

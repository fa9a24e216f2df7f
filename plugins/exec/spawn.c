/* Run one command with input, a stderr tail and a time limit; see spawn.h.
 *
 * The parent polls three things at once: the stderr pipe (kept draining so
 * the command never blocks on a full pipe), the stdin pipe (written without
 * blocking, so a command that never reads cannot stall us past the time
 * limit) and a pidfd that becomes readable when the command exits. Exit is
 * observed with WNOWAIT, so the command stays a zombie - and its process
 * group id stays reserved - until its leftovers have been killed; only then
 * is it reaped. Without pidfd_open (Linux < 5.3) the loop polls every 50 ms. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawn.h"

#define POLL_FALLBACK_MS 50

struct sup {
  pid_t pid;
  int pidfd;
  int in_fd;                  /* write end of the command's stdin, or -1 */
  int err_fd;                 /* read end of the command's stderr, or -1 */
  const char *in;
  size_t in_len;
  size_t in_off;
  struct spawn_result *res;
};

static int64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
  if(*fd >= 0)
    close(*fd);
  *fd = -1;
}

static void not_started(struct spawn_result *res, const char *what, int e)
{
  res->end = SPAWN_NOT_STARTED;
  res->what = what;
  res->err = e;
}

/* Move fd to 3 or above (close-on-exec), so the child's dup2 onto 0, 1 and
 * 2 can never clobber another of its descriptors. */
static int fd_above_stdio(int fd)
{
  int nfd;
  if(fd < 0 || fd > 2)
    return fd;
  nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  close(fd);
  return nfd;
}

static int set_nonblock(int fd)
{
  int fl = fcntl(fd, F_GETFL);
  if(fl < 0)
    return -1;
  return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if(fd >= 0) {
    int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0); /* pidfd_open sets it already; be sure */
    close(fd);
    return nfd;
  }
#else
  (void)pid;
#endif
  return -1;
}

/* In the child between fork and execve: async-signal-safe calls only. */
static void close_from(int lowfd, int keep, long maxfd)
{
  if(keep > lowfd) {
    if(close_range((unsigned)lowfd, (unsigned)keep - 1, 0) != 0)
      for(int fd = lowfd; fd < keep; fd++)
        close(fd);
    lowfd = keep + 1;
  }
  if(close_range((unsigned)lowfd, ~0U, 0) != 0)
    for(long fd = lowfd; fd < maxfd; fd++)
      close((int)fd);
}

__attribute__((noreturn))
static void child(const struct spawn_spec *spec, const int fds[3], int report_fd, long maxfd)
{
  struct sigaction dfl;
  sigset_t none;
  int e;
  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  for(int sig = 1; sig < NSIG; sig++)
    (void)sigaction(sig, &dfl, NULL); /* ignored signals would stay ignored */
  sigemptyset(&none);
  (void)sigprocmask(SIG_SETMASK, &none, NULL);
  (void)setsid();
  for(int i = 0; i < 3; i++) {
    if(dup2(fds[i], i) < 0)
      goto fail;
  }
  if(chdir("/") != 0)
    goto fail;
  close_from(3, report_fd, maxfd); /* report_fd is close-on-exec */
  execve(spec->argv[0], spec->argv, spec->envp);
fail:
  e = errno;
  (void)!write(report_fd, &e, sizeof(e));
  _exit(127);
}

static void tail_add(struct spawn_result *res, const char *p, size_t n)
{
  const size_t cap = sizeof(res->tail);
  if(n >= cap) {
    res->tail_cut = res->tail_cut || n > cap || res->tail_len > 0;
    memcpy(res->tail, p + n - cap, cap);
    res->tail_len = cap;
    return;
  }
  if(res->tail_len + n > cap) {
    size_t drop = res->tail_len + n - cap;
    memmove(res->tail, res->tail + drop, res->tail_len - drop);
    res->tail_len -= drop;
    res->tail_cut = true;
  }
  memcpy(res->tail + res->tail_len, p, n);
  res->tail_len += n;
}

/* Read what the command has written to stderr so far; close at end. */
static void read_stderr(struct sup *s)
{
  char buf[4096];
  while(s->err_fd >= 0) {
    ssize_t n = read(s->err_fd, buf, sizeof(buf));
    if(n > 0)
      tail_add(s->res, buf, (size_t)n);
    else if(n < 0 && errno == EINTR)
      continue;
    else if(n < 0 && errno == EAGAIN)
      return;
    else
      close_fd(&s->err_fd);
  }
}

/* Write more of the input; close when done or when the command stopped
 * reading (EPIPE: not an error, a command may ignore its stdin). */
static void write_stdin(struct sup *s)
{
  while(s->in_fd >= 0 && s->in_off < s->in_len) {
    ssize_t n = write(s->in_fd, s->in + s->in_off, s->in_len - s->in_off);
    if(n > 0)
      s->in_off += (size_t)n;
    else if(n < 0 && errno == EINTR)
      continue;
    else if(n < 0 && errno == EAGAIN)
      return;
    else
      break;
  }
  close_fd(&s->in_fd);
}

static bool has_exited(struct sup *s)
{
  siginfo_t si;
  memset(&si, 0, sizeof(si));
  if(waitid(P_PID, (id_t)s->pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
    return errno != EINTR; /* ECHILD: someone else reaped it; stop waiting */
  return si.si_pid == s->pid;
}

static void signal_group(pid_t pid, int sig)
{
  (void)kill(-pid, sig);
  (void)kill(pid, sig); /* in case it had not reached setsid() */
}

static void poll_once(struct sup *s, int64_t wait_ms)
{
  struct pollfd pfd[3];
  nfds_t n = 0;
  int ierr = -1, iin = -1;
  if(s->err_fd >= 0) {
    ierr = (int)n;
    pfd[n++] = (struct pollfd){ .fd = s->err_fd, .events = POLLIN };
  }
  if(s->in_fd >= 0) {
    iin = (int)n;
    pfd[n++] = (struct pollfd){ .fd = s->in_fd, .events = POLLOUT };
  }
  if(s->pidfd >= 0)
    pfd[n++] = (struct pollfd){ .fd = s->pidfd, .events = POLLIN };
  else if(wait_ms < 0 || wait_ms > POLL_FALLBACK_MS)
    wait_ms = POLL_FALLBACK_MS;
  if(wait_ms > INT32_MAX)
    wait_ms = INT32_MAX;
  if(poll(pfd, n, (int)wait_ms) <= 0)
    return;
  if(ierr >= 0 && pfd[ierr].revents)
    read_stderr(s);
  if(iin >= 0 && pfd[iin].revents)
    write_stdin(s);
}

/* Wait for the command to exit (without reaping it), enforcing the limit. */
static void supervise(const struct spawn_spec *spec, struct sup *s)
{
  int64_t deadline = now_ms() + spec->timeout_ms;
  int phase = 0; /* 0 running, 1 SIGTERM sent, 2 SIGKILL sent */
  write_stdin(s);
  while(!has_exited(s)) {
    int64_t now = now_ms();
    if(phase < 2 && now >= deadline) {
      phase++;
      s->res->end = SPAWN_TIMED_OUT;
      s->res->sig_sent = phase == 1 ? SIGTERM : SIGKILL;
      signal_group(s->pid, s->res->sig_sent);
      deadline = now + spec->grace_ms;
      continue;
    }
    poll_once(s, phase == 2 ? -1 : deadline - now);
  }
}

static void reap(struct sup *s)
{
  int st;
  pid_t r;
  do
    r = waitpid(s->pid, &st, 0);
  while(r < 0 && errno == EINTR);
  if(r != s->pid) {
    not_started(s->res, "waitid", errno);
    return;
  }
  if(s->res->end == SPAWN_TIMED_OUT)
    s->res->status = WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st);
  else if(WIFSIGNALED(st)) {
    s->res->end = SPAWN_SIGNALED;
    s->res->status = WTERMSIG(st);
  }
  else {
    s->res->end = SPAWN_EXITED;
    s->res->status = WEXITSTATUS(st);
  }
}

/* After fork: learn whether execve worked (EOF on the report pipe) or why
 * not (the child's errno). */
static bool exec_failed(int report_fd, int *e)
{
  ssize_t n;
  do
    n = read(report_fd, e, sizeof(*e));
  while(n < 0 && errno == EINTR);
  return n == (ssize_t)sizeof(*e);
}

/* The pipes: in[0]/err[1]/devnull go to the child, in[1]/err[0] stay. */
struct pipes {
  int in[2];
  int err[2];
  int devnull;
  int report[2];
};

static void pipes_close(struct pipes *p)
{
  for(int i = 0; i < 2; i++) {
    close_fd(&p->in[i]);
    close_fd(&p->err[i]);
    close_fd(&p->report[i]);
  }
  close_fd(&p->devnull);
}

static const char *pipes_open(struct pipes *p)
{
  int *all[] = { &p->in[0], &p->in[1], &p->err[0], &p->err[1], &p->devnull,
                 &p->report[0], &p->report[1] };
  if(pipe2(p->in, O_CLOEXEC) || pipe2(p->err, O_CLOEXEC) || pipe2(p->report, O_CLOEXEC))
    return "pipe";
  p->devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if(p->devnull < 0)
    return "open /dev/null";
  for(size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
    *all[i] = fd_above_stdio(*all[i]);
    if(*all[i] < 0)
      return "fcntl";
  }
  /* Only our ends: O_NONBLOCK belongs to the open file description, which
   * the child's ends do not share. */
  if(set_nonblock(p->in[1]) || set_nonblock(p->err[0]))
    return "fcntl";
  return NULL;
}

/* Block SIGPIPE in this thread; afterwards discard one we caused. */
struct sigpipe_guard {
  sigset_t old;
  bool was_pending;
};

static void sigpipe_block(struct sigpipe_guard *g)
{
  sigset_t set, pending;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  sigemptyset(&pending);
  sigpending(&pending);
  g->was_pending = sigismember(&pending, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, &g->old);
}

static void sigpipe_restore(struct sigpipe_guard *g)
{
  sigset_t set, pending;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  sigemptyset(&pending);
  sigpending(&pending);
  if(!g->was_pending && sigismember(&pending, SIGPIPE)) {
    const struct timespec zero = { 0, 0 };
    (void)sigtimedwait(&set, NULL, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

static void run_child(const struct spawn_spec *spec, struct pipes *p, struct spawn_result *res)
{
  long maxfd = sysconf(_SC_OPEN_MAX);
  const int fds[3] = { p->in[0], p->devnull, p->err[1] };
  struct sup s = { .pidfd = -1, .in_fd = -1, .err_fd = -1, .in = spec->input,
                   .in_len = spec->input_len, .res = res };
  int e = 0;
  if(maxfd < 0 || maxfd > 65536)
    maxfd = 65536;
  s.pid = fork();
  if(s.pid < 0) {
    not_started(res, "fork", errno);
    return;
  }
  if(s.pid == 0)
    child(spec, fds, p->report[1], maxfd);
  close_fd(&p->in[0]);
  close_fd(&p->err[1]);
  close_fd(&p->devnull);
  close_fd(&p->report[1]);
  s.in_fd = p->in[1];
  s.err_fd = p->err[0];
  p->in[1] = p->err[0] = -1;
  if(exec_failed(p->report[0], &e))
    not_started(res, "execve", e);
  else {
    s.pidfd = open_pidfd(s.pid);
    supervise(spec, &s);
    read_stderr(&s); /* what it wrote before exiting is all in the pipe */
    signal_group(s.pid, SIGKILL); /* leftovers; the zombie keeps the group id ours */
  }
  close_fd(&s.in_fd);
  close_fd(&s.err_fd);
  close_fd(&s.pidfd);
  if(e) {
    int st;
    while(waitpid(s.pid, &st, 0) < 0 && errno == EINTR)
      ;
    return;
  }
  reap(&s);
}

void spawn_run(const struct spawn_spec *spec, struct spawn_result *res)
{
  struct pipes p = { { -1, -1 }, { -1, -1 }, -1, { -1, -1 } };
  struct sigpipe_guard guard;
  const char *what;
  memset(res, 0, sizeof(*res));
  sigpipe_block(&guard);
  what = pipes_open(&p);
  if(what)
    not_started(res, what, errno);
  else
    run_child(spec, &p, res);
  pipes_close(&p);
  sigpipe_restore(&guard);
}

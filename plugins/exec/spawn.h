/* Run one command under supervision: input on its stdin, stdout discarded,
 * the end of its stderr kept, a time limit enforced on its whole process
 * group. */
#ifndef EXEC_SPAWN_H
#define EXEC_SPAWN_H

#include <stdbool.h>
#include <stddef.h>

#define SPAWN_TAIL_MAX 512

struct spawn_spec {
  char *const *argv;          /* argv[0] is the absolute path executed */
  char *const *envp;          /* the command's whole environment */
  const char *input;          /* written to the command's stdin, then closed */
  size_t input_len;
  long timeout_ms;            /* then SIGTERM to the process group ... */
  long grace_ms;              /* ... and SIGKILL this much later */
};

enum spawn_end {
  SPAWN_EXITED = 0,           /* status is the exit status */
  SPAWN_SIGNALED = 1,         /* status is the signal that killed it */
  SPAWN_TIMED_OUT = 2,        /* sig_sent says how it was stopped */
  SPAWN_NOT_STARTED = 3,      /* what and err say which step failed */
};

struct spawn_result {
  enum spawn_end end;
  int status;
  int sig_sent;               /* SPAWN_TIMED_OUT: SIGTERM, or SIGKILL after the grace */
  const char *what;           /* SPAWN_NOT_STARTED: "pipe", "fork", "execve", ... */
  int err;                    /* SPAWN_NOT_STARTED: errno */
  char tail[SPAWN_TAIL_MAX];  /* the last bytes the command wrote to stderr */
  size_t tail_len;
  bool tail_cut;              /* it wrote more than tail holds */
};

/* Run spec->argv[0] and wait for it, filling res (which needs no
 * initialisation).
 *
 * The child gets: stdin a pipe carrying spec->input, stdout /dev/null,
 * stderr a pipe read by the caller, no other open file descriptor, default
 * signal dispositions and an empty signal mask, a new session (so its
 * process group can be signalled as a whole), "/" as working directory, and
 * exactly spec->envp. When the command exits, anything it left running in
 * its process group is killed, so no stray process outlives the call.
 *
 * SIGPIPE raised by writing to a command that does not read its stdin is
 * blocked in the calling thread and discarded. SIGCHLD must not be ignored
 * nor reaped by a handler elsewhere in the process, or the exit status is
 * lost (the call then reports SPAWN_NOT_STARTED with what = "waitid").
 */
void spawn_run(const struct spawn_spec *spec, struct spawn_result *res);

#endif

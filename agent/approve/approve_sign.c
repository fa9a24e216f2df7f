/* Signing an approval (see approve_sign.h). A reviewer's own key is an
 * OpenSSH key more often than not, often with a passphrase or in an agent:
 * ssh-keygen knows how to use all of those, as git does for gpg.format=ssh,
 * so lethe asks it rather than read such keys itself. */
#include "approve_sign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileops.h"

/* An armored signature is about 300 bytes; a long one is not ssh-keygen's. */
#define SIG_MAX (16u * 1024)

static lethe_rc sign_in_process(struct sshsig_key *key, const void *msg, size_t len,
                                struct dynbuf *sig, struct lethe_err *err)
{
  return sshsig_sign(key, SSHSIG_NS_APPROVAL, msg, len, sig, err);
}

static lethe_rc read_all(int fd, struct dynbuf *out)
{
  char buf[4096];
  for(;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if(n < 0 && errno == EINTR)
      continue;
    if(n < 0)
      return LETHE_E_IO;
    if(!n)
      return LETHE_OK;
    if(db_add(out, buf, (size_t)n))
      return LETHE_E_RANGE;
  }
}

static void child(int in[2], int out[2], const char *key_path)
{
  char *argv[] = { "ssh-keygen", "-q", "-Y", "sign", "-n", SSHSIG_NS_APPROVAL, "-f",
                   (char *)key_path, NULL };
  if(dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0)
    _exit(127);
  close(in[0]);
  close(in[1]);
  close(out[0]);
  close(out[1]);
  execvp(argv[0], argv);
  _exit(127);
}

/* Run ssh-keygen -Y sign with msg on its standard input; its standard
 * output is the signature. The message is small: it fits in the pipe, so
 * writing it all before reading cannot deadlock. */
static lethe_rc sign_with_ssh_keygen(const char *key_path, const void *msg, size_t len,
                                     struct dynbuf *sig, struct lethe_err *err)
{
  int in[2], out[2], status = 0;
  lethe_rc rc, rc2;
  pid_t pid;
  if(pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
    return err_sys(err, LETHE_E_IO, "pipe");
  pid = fork();
  if(pid < 0) {
    rc = err_sys(err, LETHE_E_IO, "fork");
    close(in[0]);
    close(in[1]);
    close(out[0]);
    close(out[1]);
    return rc;
  }
  if(!pid)
    child(in, out, key_path);
  close(in[0]);
  close(out[1]);
  signal(SIGPIPE, SIG_IGN);
  rc = fileops_write_all(in[1], msg, len);
  close(in[1]);
  rc2 = read_all(out[0], sig);
  close(out[0]);
  while(waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if(WIFEXITED(status) && WEXITSTATUS(status) == 127)
    return err_set(err, LETHE_E_IO, "%s: cannot run ssh-keygen to sign with it (is "
                   "openssh-client installed?)", key_path);
  if(!WIFEXITED(status) || WEXITSTATUS(status) || rc || rc2)
    return err_set(err, LETHE_E_IO, "%s: ssh-keygen -Y sign failed (its message is above); "
                   "nothing was approved", key_path);
  return LETHE_OK;
}

/* Whether path holds a key lethe reads itself (PEM, from lethe keygen
 * --user): it starts so. Only the first line is read, and wiped. Anything
 * else (an OpenSSH key, KEY.pub, a key of another user approving through
 * sudo) is ssh-keygen's to read; a file that cannot be opened is left to
 * sshsig_load, which says why. */
static bool is_lethe_key(const char *path)
{
  static const char pem[] = "-----BEGIN PRIVATE KEY-----";
  char head[sizeof(pem) - 1];
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  ssize_t n;
  bool yes;
  if(fd < 0)
    return true;
  n = read(fd, head, sizeof(head));
  close(fd);
  yes = n == (ssize_t)sizeof(head) && !memcmp(head, pem, sizeof(head));
  explicit_bzero(head, sizeof(head));
  return yes;
}

lethe_rc approve_sign(const char *key_path, const void *msg, size_t len, struct dynbuf *sig,
                      struct sshsig_key **signer, struct lethe_err *err)
{
  struct sshsig_key *key = NULL;
  lethe_rc rc = is_lethe_key(key_path) ? sshsig_load(key_path, &key, err) : LETHE_E_PARSE;
  db_init(sig, SIG_MAX);
  if(!rc)
    rc = sign_in_process(key, msg, len, sig, err);
  else if(rc == LETHE_E_PARSE)
    rc = sign_with_ssh_keygen(key_path, msg, len, sig, err);
  sshsig_free(key);
  if(rc)
    return rc;
  rc = sshsig_verify(sig->mem, sig->len, SSHSIG_NS_APPROVAL, msg, len, signer, err);
  if(rc) {
    char why[sizeof(err->msg)];
    snprintf(why, sizeof(why), "%s", err->msg);
    return err_set(err, LETHE_E_UNSAFE, "%s: its signature cannot be checked (%s); lethe "
                   "accepts approvals signed with Ed25519 keys (ssh-keygen -t ed25519)",
                   key_path, why);
  }
  return LETHE_OK;
}

/* sign_tool: the sshsig API from the command line, for the key tests only
 * (lethe itself has no command that signs arbitrary input).
 *
 *   sign_tool sign KEY NAMESPACE <MSG >SIG
 *   sign_tool verify NAMESPACE SIG <MSG    prints the signer's fingerprint
 *                                          and public key, one per line
 *
 * Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 usage. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sshsig.h"

#define INPUT_MAX (64 * 1024 * 1024)

static int read_fd(int fd, struct dynbuf *out)
{
  char chunk[65536];
  for(;;) {
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if(n < 0 && errno == EINTR)
      continue;
    if(n < 0)
      return -1;
    if(n == 0)
      return 0;
    if(db_add(out, chunk, (size_t)n))
      return -1;
  }
}

static int read_file(const char *path, struct dynbuf *out)
{
  FILE *f = fopen(path, "rb");
  char chunk[4096];
  size_t n;
  int rc = 0;
  if(!f)
    return -1;
  for(;;) {
    n = fread(chunk, 1, sizeof(chunk), f);
    if(n == 0)
      break;
    if(db_add(out, chunk, n))
      rc = -1;
  }
  if(ferror(f))
    rc = -1;
  fclose(f);
  return rc;
}

static int sign(const char *key_path, const char *ns, const struct dynbuf *msg)
{
  struct sshsig_key *key = NULL;
  struct lethe_err err;
  struct dynbuf sig;
  int status = 1;
  db_init(&sig, 1 << 20);
  if(sshsig_load(key_path, &key, &err) ||
     sshsig_sign(key, ns, msg->mem, msg->len, &sig, &err)) {
    fprintf(stderr, "sign_tool: %s\n", err.msg);
  } else {
    fwrite(sig.mem, 1, sig.len, stdout);
    status = 0;
  }
  sshsig_free(key);
  db_release(&sig);
  return status;
}

static int verify(const char *ns, const char *sig_path, const struct dynbuf *msg)
{
  struct sshsig_key *signer = NULL;
  struct lethe_err err;
  struct dynbuf sig, text;
  int status = 1;
  db_init(&sig, 1 << 20);
  db_init(&text, 4096);
  if(read_file(sig_path, &sig)) {
    fprintf(stderr, "sign_tool: cannot read %s\n", sig_path);
  } else if(sshsig_verify(db_str(&sig), sig.len, ns, msg->mem, msg->len, &signer, &err)) {
    fprintf(stderr, "sign_tool: %s\n", err.msg);
  } else if(sshsig_fingerprint(signer, &text) || db_adds(&text, "\n") ||
            sshsig_public_openssh(signer, &text)) {
    fprintf(stderr, "sign_tool: out of memory\n");
  } else {
    printf("%s\n", db_str(&text));
    status = 0;
  }
  sshsig_free(signer);
  db_release(&sig);
  db_release(&text);
  return status;
}

int main(int argc, char **argv)
{
  struct dynbuf msg;
  int status;
  int is_sign = argc == 4 && !strcmp(argv[1], "sign");
  int is_verify = argc == 4 && !strcmp(argv[1], "verify");
  if(!is_sign && !is_verify) {
    fputs("usage: sign_tool sign KEY NAMESPACE <MSG >SIG\n"
          "       sign_tool verify NAMESPACE SIG <MSG\n", stderr);
    return 2;
  }
  db_init(&msg, INPUT_MAX);
  if(read_fd(0, &msg)) {
    fputs("sign_tool: cannot read standard input\n", stderr);
    db_release(&msg);
    return 1;
  }
  status = is_sign ? sign(argv[2], argv[3], &msg) : verify(argv[2], argv[3], &msg);
  db_release(&msg);
  return status;
}

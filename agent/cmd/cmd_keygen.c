/* lethe keygen: create the signing key, KEY.pub and KEY.allowed_signers.
 *
 * Idempotent: an existing key is never replaced. Run again, keygen checks the
 * key (its file must still be safe), writes whichever of the two public files
 * is missing, refuses public files that name another key, and otherwise
 * changes nothing. Key bytes are never printed. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attestation.h"
#include "cli.h"
#include "commands.h"
#include "confirm_config.h"
#include "fileops.h"
#include "log.h"
#include "sshsig.h"

static const char usage[] =
  "Usage: lethe keygen [-c CONFIG] [--user]\n"
  "\n"
  "Create the Ed25519 signing key named by 'key' in the configuration, with\n"
  "KEY.pub and KEY.allowed_signers next to it, and print its fingerprint.\n"
  "An existing key is never replaced: keygen then only checks it and writes\n"
  "whichever of KEY.pub and KEY.allowed_signers is missing.\n"
  "\n"
  "  -c, --config FILE   configuration (default $LETHE_CONFIG or " CONFIG_DEFAULT_PATH ";\n"
  "                      with --user, ~/.config/lethe/confirm.ini)\n"
  "  -u, --user          a trainer's own key, for lethe confirm: named by\n"
  "                      confirm.ini, its principal your e-mail address\n"
  "  -h, --help          show this help\n"
  "\n"
  "Exit status: 0 done, or the key was there already; 1 a file could not be\n"
  "read or written; 2 usage or configuration error; 3 refused (a key file that\n"
  "others can read, or public files that belong to another key).\n";

/* The namespaces the allowed_signers line grants: ledger commits and
 * certificates, and for a trainer's key attestations too. */
#define SIGNER_NAMESPACES "namespaces=\"" SSHSIG_NS_GIT "," SSHSIG_NS_CERTIFICATE "\""
#define USER_NAMESPACES "namespaces=\"" SSHSIG_NS_GIT "," SSHSIG_NS_CERTIFICATE "," \
  SSHSIG_NS_ATTESTATION "\""
#define PUBLIC_FILE_MAX (64 * 1024)
#define HOST_MAX 256

struct keyfiles {
  const char *key;
  char *pub;          /* KEY.pub */
  char *signers;      /* KEY.allowed_signers */
  char principal[HOST_MAX + 8];
  const char *namespaces;    /* the allowed_signers option */
  bool user;                 /* a trainer's key (--user) */
  struct dynbuf public_text;   /* "ssh-ed25519 AAAA..." */
  struct dynbuf fingerprint;
};

/* "lethe@HOSTNAME": the principal of allowed_signers and the comment of
 * KEY.pub; the host name must be one word. */
static int make_principal(struct keyfiles *f)
{
  char host[HOST_MAX + 1];
  if(gethostname(host, sizeof(host))) {
    log_msg(LOG_ERR, "cannot read the host name: %s", strerror(errno));
    return EXIT_SOME_FAILED;
  }
  host[HOST_MAX] = '\0';
  if(!*host || host[strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789.-_")]) {
    log_msg(LOG_ERR, "host name \"%s\" cannot be part of a principal (letters, digits, "
            "'.', '-' and '_' only)", host);
    return EXIT_SOME_FAILED;
  }
  snprintf(f->principal, sizeof(f->principal), "lethe@%s", host);
  return EXIT_DONE;
}

static char *suffixed(const char *path, const char *suffix)
{
  char *out = malloc(strlen(path) + strlen(suffix) + 1);
  if(out) {
    strcpy(out, path);
    strcat(out, suffix);
  }
  return out;
}

/* The directory part of path, or "." */
static char *dir_of(const char *path)
{
  const char *slash = strrchr(path, '/');
  if(!slash)
    return strdup(".");
  if(slash == path)
    return strdup("/");
  return strndup(path, (size_t)(slash - path));
}

static int exists_nofollow(const char *path)
{
  struct stat st;
  return !fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW);
}

/* Make a new directory entry in path's directory durable. */
static int sync_dir_of(const char *path)
{
  char *dir = dir_of(path);
  int fd, failed = 1;
  if(!dir)
    return -1;
  fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(fd >= 0) {
    failed = fsync(fd);
    close(fd);
  }
  free(dir);
  return failed ? -1 : 0;
}

/* Create the key's own directory, 0700, when it is missing (its parent must
 * exist: keygen does not build directory trees). */
static int make_key_dir(const char *key)
{
  char *dir = dir_of(key);
  int status = EXIT_DONE;
  if(!dir) {
    log_msg(LOG_ERR, "out of memory");
    return EXIT_SOME_FAILED;
  }
  if(mkdir(dir, 0700) && errno != EEXIST) {
    log_msg(LOG_ERR, "cannot create the key directory %s: %s", dir, strerror(errno));
    status = EXIT_SOME_FAILED;
  }
  free(dir);
  return status;
}

/* A public file left from an older key would contradict the new one: the
 * user must move it away rather than have keygen guess. */
static int create_key(const struct keyfiles *f, struct sshsig_key **key)
{
  const char *leftovers[] = { f->pub, f->signers };
  struct lethe_err err;
  lethe_rc rc;
  int status;

  for(size_t i = 0; i < 2; i++) {
    if(exists_nofollow(leftovers[i])) {
      log_msg(LOG_ERR, "%s exists but the key %s does not: it belongs to another key; move "
              "it away, then run lethe keygen again", leftovers[i], f->key);
      return EXIT_REFUSED;
    }
  }
  status = make_key_dir(f->key);
  if(status)
    return status;
  rc = sshsig_generate(f->key, key, &err);
  if(rc) {
    log_msg(LOG_ERR, "%s", err.msg);
    return cli_status(rc);
  }
  return EXIT_DONE;
}

/* Create path (never replacing anything) holding text, mode 0644, synced. */
static int write_new_file(const char *path, const char *text)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  int failed;
  if(fd < 0) {
    log_msg(LOG_ERR, "cannot create %s: %s", path, strerror(errno));
    return EXIT_SOME_FAILED;
  }
  failed = fileops_write_all(fd, text, strlen(text)) || fsync(fd);
  if(close(fd))
    failed = 1;
  if(!failed && sync_dir_of(path))
    failed = 1;
  if(failed) {
    log_msg(LOG_ERR, "cannot write %s: %s", path, strerror(errno));
    unlink(path);
    return EXIT_SOME_FAILED;
  }
  return EXIT_DONE;
}

/* Read a public file (bounded) into buf. 1 if it is missing, 0 if read. */
static int read_public(const char *path, struct dynbuf *buf, int *status)
{
  char chunk[4096];
  ssize_t n;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  *status = EXIT_DONE;
  if(fd < 0 && errno == ENOENT)
    return 1;
  if(fd < 0) {
    log_msg(LOG_ERR, "cannot read %s: %s", path, strerror(errno));
    *status = EXIT_SOME_FAILED;
    return 0;
  }
  for(;;) {
    n = read(fd, chunk, sizeof(chunk));
    if(n < 0 && errno == EINTR)
      continue;
    if(n <= 0 || db_add(buf, chunk, (size_t)n))
      break;
  }
  if(n != 0) {
    log_msg(LOG_ERR, "cannot read %s: %s", path, n < 0 ? strerror(errno) : "too large");
    *status = EXIT_SOME_FAILED;
  }
  close(fd);
  return 0;
}

/* Where text holds key ("ssh-ed25519 AAAA...") as whole words, or NULL. */
static const char *find_key(const char *text, const char *key)
{
  size_t n = strlen(key);
  const char *p = text;
  for(;;) {
    p = strstr(p, key);
    if(!p)
      return NULL;
    if((p == text || strchr(" \t\n", p[-1])) && strchr(" \t\r\n", p[n]))
      return p;
    p++;
  }
}

/* The first word of the line of text that at points into: the principal of
 * an allowed_signers line. */
static void line_principal(const char *text, const char *at, char *out, size_t size)
{
  const char *start = at, *end;
  while(start > text && start[-1] != '\n')
    start--;
  end = start + strcspn(start, " \t\r\n");
  if(end > start && (size_t)(end - start) < size) {
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
  }
}

/* Write path with text if it is missing; if present, it must name the key.
 * *state says which for the summary. With principal, an existing file's
 * principal for the key replaces the one given (the host may have been
 * renamed since). */
static int ensure_public_file(const struct keyfiles *f, const char *path, const char *text,
                              const char **state, char *principal, size_t size)
{
  struct dynbuf have;
  const char *at;
  int status;
  db_init(&have, PUBLIC_FILE_MAX);
  if(read_public(path, &have, &status)) {
    status = write_new_file(path, text);
    *state = "written";
  } else if(!status) {
    at = find_key(db_str(&have), db_str(&f->public_text));
    if(!at) {
      log_msg(LOG_ERR, "%s does not hold the public key of %s (%s); move it away, then "
              "run lethe keygen again", path, f->key, db_str(&f->fingerprint));
      status = EXIT_REFUSED;
    } else if(principal) {
      line_principal(db_str(&have), at, principal, size);
    }
    *state = "present";
  }
  db_release(&have);
  return status;
}

static int write_public_files(struct keyfiles *f, const char **pub_state,
                              const char **signers_state)
{
  struct dynbuf line;
  int status;
  db_init(&line, PUBLIC_FILE_MAX);
  if(db_addf(&line, "%s %s\n", db_str(&f->public_text), f->principal)) {
    log_msg(LOG_ERR, "out of memory");
    return EXIT_SOME_FAILED;
  }
  status = ensure_public_file(f, f->pub, db_str(&line), pub_state, NULL, 0);
  db_reset(&line);
  if(db_addf(&line, "%s %s %s\n", f->principal, f->namespaces, db_str(&f->public_text)))
    status = EXIT_SOME_FAILED;
  else if(!status)
    status = ensure_public_file(f, f->signers, db_str(&line), signers_state, f->principal,
                                sizeof(f->principal));
  db_release(&line);
  return status;
}

static int keygen(struct keyfiles *f)
{
  struct sshsig_key *key = NULL;
  struct lethe_err err;
  const char *key_state = "exists, unchanged", *pub_state = "", *signers_state = "";
  lethe_rc rc;
  int status;

  rc = sshsig_load(f->key, &key, &err);
  if(rc == LETHE_E_NOTFOUND) {
    status = create_key(f, &key);
    if(status)
      return status;
    key_state = "created";
  } else if(rc) {
    log_msg(LOG_ERR, "%s", err.msg);
    return cli_status(rc);
  }
  rc = sshsig_public_openssh(key, &f->public_text);
  if(!rc)
    rc = sshsig_fingerprint(key, &f->fingerprint);
  sshsig_free(key);
  if(rc) {
    log_msg(LOG_ERR, "%s: %s", f->key, lethe_strerror(rc));
    return EXIT_SOME_FAILED;
  }
  status = write_public_files(f, &pub_state, &signers_state);
  if(status)
    return status;
  printf("key              %s (%s)\n", f->key, key_state);
  printf("public key       %s (%s)\n", f->pub, pub_state);
  printf("allowed signers  %s (%s)\n", f->signers, signers_state);
  printf("fingerprint      %s (ED25519)\n", db_str(&f->fingerprint));
  printf("principal        %s\n", f->principal);
  return EXIT_DONE;
}

static int run(const char *key_path, const char *email)
{
  struct keyfiles f = { .key = key_path, .namespaces = SIGNER_NAMESPACES };
  int status = EXIT_DONE;
  db_init(&f.public_text, 1024);
  db_init(&f.fingerprint, 1024);
  f.pub = suffixed(f.key, ".pub");
  f.signers = suffixed(f.key, ".allowed_signers");
  if(!f.pub || !f.signers) {
    log_msg(LOG_ERR, "out of memory");
    status = EXIT_SOME_FAILED;
  } else if(email) {
    /* a trainer signs as themselves: the roster knows them by address */
    f.user = true;
    f.namespaces = USER_NAMESPACES;
    snprintf(f.principal, sizeof(f.principal), "%s", email);
  } else {
    status = make_principal(&f);
  }
  if(!status)
    status = keygen(&f);
  if(!status && f.user)
    printf("\nSend this line to your data protection officer, for the roster:\n%s %s\n",
           db_str(&f.public_text), f.principal);
  free(f.pub);
  free(f.signers);
  db_release(&f.public_text);
  db_release(&f.fingerprint);
  return status;
}

/* --user: the key confirm.ini names, for its e-mail address. */
static int run_user(const char *config)
{
  struct confirm_config c;
  struct diag d;
  char *path = confirm_config_path(config);
  lethe_rc rc;
  int status;
  if(!path) {
    log_msg(LOG_ERR, "cannot tell where confirm.ini is (no home directory)");
    return EXIT_USAGE;
  }
  diag_init(&d);
  rc = confirm_config_load(path, &c, &d);
  log_lines(rc ? LOG_ERR : LOG_WARNING, db_str(&d.text));
  diag_release(&d);
  free(path);
  status = rc ? EXIT_USAGE : run(c.agent.key_path, c.email);
  confirm_config_release(&c);
  return status;
}

static int parse_args(int argc, char **argv, const char **config, bool *user, bool *help)
{
  static const struct option opts[] = {
    { "config", required_argument, NULL, 'c' },
    { "user", no_argument, NULL, 'u' },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  for(int c; (c = getopt_long(argc, argv, ":c:uh", opts, NULL)) != -1;) {
    if(c == 'c')
      *config = optarg;
    else if(c == 'u')
      *user = true;
    else if(c == 'h')
      *help = true;
    else
      return cli_option_error("keygen", c, argv);
  }
  if(optind < argc)
    return cli_usage_error("keygen", "unexpected argument '%s'", argv[optind]);
  return EXIT_DONE;
}

/* Only [agent] matters here (the table says so): broken rule files must not
 * stop keygen. */
int cmd_keygen(int argc, char **argv, struct cmd_env *env)
{
  const char *config = NULL;
  bool help = false, user = false;
  int status = parse_args(argc, argv, &config, &user, &help);

  if(status != EXIT_DONE || help) {
    if(help)
      fputs(usage, stdout);
    return status;
  }
  if(user)
    return run_user(config);
  status = cli_prepare(env, config, false);
  if(status == EXIT_DONE)
    status = run(env->cfg.key_path, NULL);
  return status;
}

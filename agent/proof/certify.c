/* Certifying finished journals into the ledger, and pushing it. */
#include "certify.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "ledger.h"
#include "verify.h"

#ifndef LETHE_VERSION
#define LETHE_VERSION "unknown"
#endif

/* A concurrent writer moving the branch each time is not plausible this
 * often; a bug that always fails the compare-and-swap is. */
#define APPEND_TRIES 8

/* ---- who and where ----------------------------------------------------- */

/* The last path component ending in ".service" in /proc/self/cgroup. */
static bool unit_from_cgroup(char *buf, size_t size)
{
  FILE *f = fopen("/proc/self/cgroup", "re");
  char line[1024];
  bool found = false;
  if(!f)
    return false;
  while(!found && fgets(line, sizeof(line), f)) {
    char *save = NULL, *tok, *colon = strrchr(line, ':');
    line[strcspn(line, "\n")] = '\0';
    for(tok = strtok_r(colon ? colon + 1 : line, "/", &save); tok;
        tok = strtok_r(NULL, "/", &save)) {
      size_t n = strlen(tok);
      if(n > 8 && !strcmp(tok + n - 8, ".service")) {
        snprintf(buf, size, "%s", tok);
        found = true;
      }
    }
  }
  fclose(f);
  return found;
}

void certify_operator(char *buf, size_t size)
{
  const char *invocation = getenv("INVOCATION_ID"), *sudo = getenv("SUDO_USER");
  struct passwd *pw;
  char unit[256];
  if(invocation && *invocation) {
    if(!unit_from_cgroup(unit, sizeof(unit)))
      snprintf(unit, sizeof(unit), "lethe.service");
    snprintf(buf, size, "systemd:%s", unit);
    return;
  }
  if(sudo && *sudo) {
    snprintf(buf, size, "%s", sudo);
    return;
  }
  pw = getpwuid(geteuid());
  if(pw && pw->pw_name)
    snprintf(buf, size, "%s", pw->pw_name);
  else
    snprintf(buf, size, "uid %u", (unsigned)geteuid());
}

/* ---- which journals ------------------------------------------------------ */

struct finished {
  char *name;
  char started[sizeof(((struct journal_peek *)0)->started)];
};

static int by_start(const void *a, const void *b)
{
  const struct finished *x = a, *y = b;
  int c = strcmp(x->started, y->started);
  return c ? c : strcmp(x->name, y->name);
}

static void finished_free(struct finished *v, size_t n)
{
  for(size_t i = 0; i < n; i++)
    free(v[i].name);
  free(v);
}

static lethe_rc add_finished(struct finished **v, size_t *n, const char *name,
                             const struct journal_peek *s)
{
  struct finished *nv = realloc(*v, (*n + 1) * sizeof(*nv));
  if(!nv)
    return LETHE_E_NOMEM;
  *v = nv;
  nv[*n].name = strdup(name);
  memcpy(nv[*n].started, s->started, sizeof(nv[*n].started));
  return nv[(*n)++].name ? LETHE_OK : LETHE_E_NOMEM;
}

/* The journals with an "end" record, oldest run first: the chain follows
 * the order in which the runs happened. Only each journal's first and last
 * lines are read: a finished run's journal can be large. */
static lethe_rc list_finished(int dirfd, struct finished **out, size_t *n,
                              struct lethe_err *err)
{
  int listfd = dup(dirfd);
  DIR *d = listfd >= 0 ? fdopendir(listfd) : NULL;
  struct dirent *e;
  lethe_rc rc = LETHE_OK;
  *out = NULL;
  *n = 0;
  if(!d) {
    if(listfd >= 0)
      close(listfd);
    return err_sys(err, LETHE_E_IO, "cannot list the journal directory");
  }
  for(e = readdir(d); e && !rc; e = readdir(d)) {
    struct journal_peek s;
    size_t len = strlen(e->d_name);
    if(e->d_name[0] == '.' || len < 7 || strcmp(e->d_name + len - 6, ".jsonl"))
      continue;
    rc = journal_peek(dirfd, e->d_name, &s, err);
    if(!rc && s.ended)
      rc = add_finished(out, n, e->d_name, &s);
  }
  closedir(d);
  if(!rc && *n)
    qsort(*out, *n, sizeof(**out), by_start);
  return rc;
}

/* ---- certifying one ------------------------------------------------------ */

struct certifier {
  const struct config *cfg;
  int dirfd;
  struct ledger l;
  struct sshsig_key *key;
  char host[256];
  char operator_name[256];
  struct dynbuf pub;          /* "ssh-ed25519 AAAA..." */
  certify_report_fn fn;
  void *ctx;
  struct lethe_err *err;
};

static lethe_rc setup(struct certifier *c)
{
  lethe_rc rc = sshsig_load(c->cfg->key_path, &c->key, c->err);
  if(rc)
    return err_prefix(c->err, "cannot certify");
  rc = sshsig_public_openssh(c->key, &c->pub);
  if(!rc)
    rc = ledger_open(&c->l, c->cfg->ledger_dir, true, c->err);
  gethostname(c->host, sizeof(c->host) - 1);
  certify_operator(c->operator_name, sizeof(c->operator_name));
  return rc;
}

/* allowed_signers to commit along (*text, owned), or NULL when HEAD's
 * already allows the key; an error when it has one that does not. */
static lethe_rc signers_for(struct certifier *c, const git_oid *head, bool unborn, char **text)
{
  struct dynbuf have, fp;
  struct signers s = { 0 };
  bool found = false;
  lethe_rc rc = LETHE_OK;
  *text = NULL;
  db_init(&have, 1024 * 1024);
  if(!unborn)
    rc = ledger_read(&c->l, head, LEDGER_ALLOWED_SIGNERS, &have, &found, c->err);
  if(!rc && !found) {
    if(asprintf(text, "lethe@%s namespaces=\"%s,%s\" %s\n", c->host, SSHSIG_NS_GIT,
                SSHSIG_NS_CERTIFICATE, db_str(&c->pub)) < 0) {
      *text = NULL;
      rc = LETHE_E_NOMEM;
    }
  }
  else if(!rc) {
    rc = signers_parse(&s, have.mem, have.len, LEDGER_ALLOWED_SIGNERS, c->err);
    if(!rc && (!signers_find(&s, c->key, SSHSIG_NS_GIT) ||
               !signers_find(&s, c->key, SSHSIG_NS_CERTIFICATE))) {
      db_init(&fp, 256);
      if(sshsig_fingerprint(c->key, &fp))
        db_reset(&fp);
      rc = err_set(c->err, LETHE_E_UNSAFE, "the signing key %s (%s) is not allowed by %s/"
                   LEDGER_ALLOWED_SIGNERS " for namespaces git and " SSHSIG_NS_CERTIFICATE
                   "; add it there in a commit signed by a key already allowed",
                   c->cfg->key_path, db_str(&fp), c->cfg->ledger_dir);
      db_release(&fp);
    }
    signers_release(&s);
  }
  db_release(&have);
  return rc;
}

static lethe_rc message(const struct certificate *cert, const char *hex, struct dynbuf *out)
{
  lethe_rc rc = db_addf(out, "Certificate %s\n\nsha256 %s\nrules: ", cert->id, hex);
  for(size_t i = 0; i < cert->rules.n && !rc; i++)
    rc = db_addf(out, "%s%s", i ? ", " : "", cert->rules.v[i]);
  if(!rc && !cert->rules.n)
    rc = db_adds(out, "none");
  if(!rc)
    rc = db_addf(out, "\ndeleted: %llu, failed: %llu, skipped: %llu\n",
                 (unsigned long long)cert->deleted, (unsigned long long)cert->failed,
                 (unsigned long long)(cert->skipped + cert->held));
  return rc;
}

/* Everything one attempt commits: the bytes depend on the head. */
struct attempt {
  struct dynbuf json, sig, msg;
  char *signers;
  char prev[SHA256_HEX_LEN];
  char hex[SHA256_HEX_LEN];
};

static void attempt_reset(struct attempt *a)
{
  db_reset(&a->json);
  db_reset(&a->sig);
  db_reset(&a->msg);
  free(a->signers);
  a->signers = NULL;
}

static lethe_rc prepare(struct certifier *c, struct certificate *cert, const git_oid *head,
                        bool unborn, struct attempt *a)
{
  lethe_rc rc = LETHE_OK;
  attempt_reset(a);
  a->prev[0] = '\0';
  if(!unborn)
    rc = ledger_last_certificate(&c->l, head, a->prev, c->err);
  if(!rc)
    rc = certificate_set_previous(cert, a->prev[0] ? a->prev : NULL);
  if(!rc)
    rc = certificate_canonical(cert, &a->json);
  if(!rc)
    rc = sshsig_sign(c->key, SSHSIG_NS_CERTIFICATE, a->json.mem, a->json.len, &a->sig, c->err);
  if(!rc) {
    sha256_hex(a->json.mem, a->json.len, a->hex);
    rc = signers_for(c, head, unborn, &a->signers);
  }
  if(!rc)
    rc = message(cert, a->hex, &a->msg);
  return rc;
}

/* Commit cert on the current head, again on the new head if another writer
 * moved it meanwhile. *already when the ledger holds it from before. */
static lethe_rc commit_cert(struct certifier *c, struct certificate *cert, const char *path,
                            git_oid *commit, bool *already)
{
  struct attempt a = { .signers = NULL };
  lethe_rc rc = LETHE_E_CHANGED;
  db_init(&a.json, CERTIFICATE_MAX);
  db_init(&a.sig, 64 * 1024);
  db_init(&a.msg, 1024 * 1024);
  *already = false;
  for(int i = 0; i < APPEND_TRIES && rc == LETHE_E_CHANGED; i++) {
    struct ledger_entry e = { .path = path, .host = c->host };
    git_oid head;
    bool unborn;
    err_clear(c->err);
    rc = ledger_head(&c->l, &head, &unborn, c->err);
    if(!rc && !unborn)
      rc = ledger_find(&c->l, &head, cert->id, already, c->err);
    if(rc || *already)
      break;
    rc = prepare(c, cert, &head, unborn, &a);
    e.json = a.json.mem;
    e.json_len = a.json.len;
    e.sig = a.sig.mem;
    e.sig_len = a.sig.len;
    e.allowed_signers = a.signers;
    e.message = db_str(&a.msg);
    if(!rc)
      rc = ledger_append(&c->l, &head, unborn, &e, c->key, commit, c->err);
  }
  if(rc == LETHE_E_CHANGED)
    rc = err_set(c->err, LETHE_E_CHANGED, "the ledger's branch kept moving under this run "
                 "(%d tries)", APPEND_TRIES);
  attempt_reset(&a);
  db_release(&a.json);
  db_release(&a.sig);
  db_release(&a.msg);
  return rc;
}

/* The journal is done with: keep it, out of the way of recovery. */
static lethe_rc move_journal(struct certifier *c, const char *name)
{
  int to;
  if(mkdirat(c->dirfd, CERTIFIED_DIR, 0700) && errno != EEXIST)
    return err_sys(c->err, LETHE_E_IO, "cannot create %s/%s/" CERTIFIED_DIR,
                   c->cfg->state_dir, JOURNAL_DIR);
  to = openat(c->dirfd, CERTIFIED_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if(to < 0 || renameat(c->dirfd, name, to, name) || fsync(to) || fsync(c->dirfd)) {
    if(to >= 0)
      close(to);
    return err_sys(c->err, LETHE_E_IO, "certified, but cannot move journal %s to "
                   CERTIFIED_DIR "/", name);
  }
  close(to);
  return LETHE_OK;
}

static lethe_rc certify_one(struct certifier *c, const char *name, bool *done)
{
  struct cert_context ctx = { .host = c->host, .operator_name = c->operator_name,
                              .agent_version = LETHE_VERSION, .issued_at = time(NULL) };
  struct certificate cert;
  char path[256], hex[GIT_OID_HEXSZ + 1] = "";
  git_oid commit;
  bool already = false;
  lethe_rc rc = certificate_from_journal(&cert, c->dirfd, name, &ctx, c->err);
  *done = false;
  if(!rc && !cert.ended) {
    certificate_release(&cert);
    return LETHE_OK; /* not finished after all */
  }
  if(!rc) {
    certificate_path(&cert, path, sizeof(path));
    rc = commit_cert(c, &cert, path, &commit, &already);
  }
  if(!rc)
    rc = move_journal(c, name);
  *done = !rc;
  if(!rc && c->fn) {
    struct certify_report r = { .cert = &cert, .path = path, .commit = hex,
                                .warning = c->l.warning[0] ? c->l.warning : NULL,
                                .already = already };
    if(!already)
      git_oid_tostr(hex, sizeof(hex), &commit);
    c->fn(c->ctx, &r);
  }
  if(rc)
    err_prefix(c->err, "journal %s", name);
  certificate_release(&cert);
  return rc;
}

/* No key file at all: keygen was never run. Any other trouble with it
 * (unsafe mode, unreadable) is an error sshsig_load names. */
static bool key_missing(const char *path)
{
  struct stat st;
  return lstat(path, &st) && errno == ENOENT;
}

lethe_rc certify_pending(const struct config *cfg, certify_report_fn fn, void *ctx,
                         struct certify_counts *counts, struct lethe_err *err)
{
  struct certifier c = { .cfg = cfg, .fn = fn, .ctx = ctx, .err = err };
  struct finished *list = NULL;
  size_t n = 0, i = 0;
  lethe_rc rc;
  memset(counts, 0, sizeof(*counts));
  c.dirfd = journal_open_dir(cfg->state_dir, err);
  if(c.dirfd < 0)
    return err->rc;
  db_init(&c.pub, 4096);
  rc = list_finished(c.dirfd, &list, &n, err);
  counts->no_key = !rc && n && key_missing(cfg->key_path);
  if(!rc && n && !counts->no_key)
    rc = setup(&c);
  for(; i < n && !rc && !counts->no_key; i++) {
    bool done = false;
    rc = certify_one(&c, list[i].name, &done);
    counts->certified += done;
  }
  counts->waiting = (unsigned)(n - counts->certified);
  finished_free(list, n);
  sshsig_free(c.key);
  db_release(&c.pub);
  if(c.l.dir)
    ledger_close(&c.l);
  close(c.dirfd);
  return rc;
}

/* ---- pushing ------------------------------------------------------------- */

/* Whether STATE/ledger-pushed says head already went to url. */
static bool pushed_already(const char *path, const char *head, const char *url)
{
  char line[8192] = "";
  FILE *f = fopen(path, "re");
  size_t n = strlen(head);
  bool same;
  if(!f)
    return false;
  same = fgets(line, sizeof(line), f) && !strncmp(line, head, n) && line[n] == ' ' &&
         !strncmp(line + n + 1, url, strlen(url)) && line[n + 1 + strlen(url)] == '\n';
  fclose(f);
  return same;
}

static lethe_rc record_push(const char *path, const char *head, const char *url,
                            struct lethe_err *err)
{
  char tmp[4200];
  int fd;
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if(fd < 0 || dprintf(fd, "%s %s\n", head, url) < 0 || fsync(fd) || close(fd) ||
     rename(tmp, path)) {
    if(fd >= 0)
      close(fd);
    return err_sys(err, LETHE_E_IO, "pushed, but cannot record it in %s", path);
  }
  return LETHE_OK;
}

lethe_rc certify_push(const struct config *cfg, bool *pushed, struct lethe_err *err)
{
  struct ledger l;
  char marker[4096], hex[GIT_OID_HEXSZ + 1];
  git_oid head;
  bool unborn = true;
  lethe_rc rc;
  *pushed = false;
  if(!cfg->remote)
    return LETHE_OK;
  rc = ledger_open(&l, cfg->ledger_dir, false, err);
  if(rc == LETHE_E_NOTFOUND) {
    ledger_close(&l);
    err_clear(err);
    return LETHE_OK; /* nothing certified yet */
  }
  if(!rc)
    rc = ledger_head(&l, &head, &unborn, err);
  snprintf(marker, sizeof(marker), "%s/" PUSHED_FILE, cfg->state_dir);
  if(!rc && !unborn) {
    git_oid_tostr(hex, sizeof(hex), &head);
    if(!pushed_already(marker, hex, cfg->remote)) {
      rc = ledger_push(&l, cfg->remote, err);
      if(!rc)
        rc = record_push(marker, hex, cfg->remote, err);
      *pushed = !rc;
    }
  }
  ledger_close(&l);
  return rc;
}

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

#include "cert_journal.h"
#include "cert_write.h"
#include "fileops.h"
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
 * the order in which the runs happened. */
static lethe_rc list_finished(int dirfd, struct finished **out, size_t *n,
                              struct lethe_err *err)
{
  DIR *d = fileops_list_dir(dirfd);
  struct dirent *e;
  lethe_rc rc = LETHE_OK;
  *out = NULL;
  *n = 0;
  if(!d)
    return err_sys(err, LETHE_E_IO, "cannot list the journal directory");
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

/* One certification: the journal, the files written so far (each part and
 * its signature as soon as the writer hands it over), and the head's hash. */
struct making {
  struct certifier *c;
  struct cert_journal j;
  struct cert_run run;
  struct cert_writer w;
  struct certificate *cert;
  char dir[64];               /* certificates/YYYY/MM */
  struct ledger_file *files;
  size_t n_files, cap_files;
  struct dynbuf sig;
};

static lethe_rc add_file(struct making *m, const char *name, const char *suffix,
                         const git_oid *id)
{
  if(m->n_files == m->cap_files) {
    size_t cap = m->cap_files ? m->cap_files * 2 : 8;
    struct ledger_file *v = realloc(m->files, cap * sizeof(*v));
    if(!v)
      return LETHE_E_NOMEM;
    m->files = v;
    m->cap_files = cap;
  }
  snprintf(m->files[m->n_files].path, sizeof(m->files[0].path), "%s/%s%s", m->dir, name,
           suffix);
  git_oid_cpy(&m->files[m->n_files++].id, id);
  return LETHE_OK;
}

/* The writer's emit: the file into the object database, its signature
 * beside it, both streamed from the pieces. */
static lethe_rc emit_file(void *ctx, const struct cert_file *f, char sha256[SHA256_HEX_LEN])
{
  struct making *m = ctx;
  struct iovec sig;
  git_oid id, sig_id;
  lethe_rc rc = ledger_blob_write(&m->c->l, f->v, f->n, &id, m->c->err);
  db_reset(&m->sig);
  if(!rc)
    rc = sshsig_sign_iov(m->c->key, SSHSIG_NS_CERTIFICATE, f->v, f->n, &m->sig, m->c->err);
  sig = (struct iovec){ m->sig.mem, m->sig.len };
  if(!rc)
    rc = ledger_blob_write(&m->c->l, &sig, 1, &sig_id, m->c->err);
  if(!rc)
    rc = add_file(m, f->name, "", &id);
  if(!rc)
    rc = add_file(m, f->name, LEDGER_SIG_SUFFIX, &sig_id);
  if(!rc)
    sha256_hex_iov(f->v, f->n, sha256);
  return rc == LETHE_E_NOMEM ? err_set(m->c->err, rc, "out of memory") : rc;
}

static lethe_rc write_item(void *ctx, const struct cert_item *it)
{
  struct making *m = ctx;
  lethe_rc rc = cert_writer_add(&m->w, it);
  if(rc == LETHE_E_RANGE && !m->c->err->msg[0])
    err_set(m->c->err, rc, "more than %d parts of %u bytes: too large a certificate",
            CERT_PARTS_MAX, CERT_PART_BYTES);
  return rc;
}

/* The items, streamed from the journal into the writer, which writes the
 * parts (when the run needs them) as it goes. */
static lethe_rc write_items(struct making *m)
{
  struct certificate *cert = m->cert;
  lethe_rc rc = cert_journal_items(&m->j, write_item, m, m->c->err);
  if(!rc)
    rc = cert_writer_finish(&m->w);
  cert->deleted = m->w.deleted;
  cert->failed = m->w.failed;
  cert->skipped = m->w.skipped;
  cert->held = m->w.held;
  cert->items = m->w.items;
  cert->recovered = m->run.recovered || m->w.any_recovered;
  return rc;
}

/* Everything one attempt commits: the head depends on the ledger's head. */
struct attempt {
  struct dynbuf msg;
  char *signers;
  char prev[SHA256_HEX_LEN];
  char hex[SHA256_HEX_LEN];
};

static lethe_rc prepare(struct making *m, const struct cert_context *ctx, const git_oid *head,
                        bool unborn, struct attempt *a)
{
  struct certifier *c = m->c;
  struct cert_head h = { .run = &m->run, .ctx = ctx, .issued_at = m->cert->issued_at };
  struct cert_file f = { .n = 0 };
  lethe_rc rc = LETHE_OK;
  db_reset(&a->msg);
  a->prev[0] = '\0';
  if(!unborn)
    rc = ledger_last_certificate(&c->l, head, a->prev, c->err);
  h.previous = a->prev[0] ? a->prev : NULL;
  if(!rc)
    rc = cert_writer_head(&m->w, &h, &f);
  if(!rc)
    rc = emit_file(m, &f, a->hex);
  if(!rc)
    rc = message(m->cert, a->hex, &a->msg);
  return rc;
}

/* Commit the certificate on the current head, again on the new head if
 * another writer moved it meanwhile (only the head file, which names the
 * certificate before it, is made again). *already when the ledger holds it
 * from before. */
static lethe_rc commit_cert(struct making *m, const struct cert_context *ctx, git_oid *commit,
                            bool *already)
{
  struct certifier *c = m->c;
  struct attempt a = { .signers = NULL };
  bool written = false;
  lethe_rc rc = LETHE_E_CHANGED;
  db_init(&a.msg, 1024 * 1024);
  *already = false;
  for(int i = 0; i < APPEND_TRIES && rc == LETHE_E_CHANGED; i++) {
    struct ledger_entry e = { .host = c->host };
    size_t parts_files = m->n_files;
    git_oid head;
    bool unborn;
    err_clear(c->err);
    rc = ledger_head(&c->l, &head, &unborn, c->err);
    if(!rc && !unborn)
      rc = ledger_find(&c->l, &head, m->cert->id, already, c->err);
    if(rc || *already)
      break;
    /* a key the ledger does not allow: refused before anything is written */
    free(a.signers);
    a.signers = NULL;
    rc = signers_for(c, &head, unborn, &a.signers);
    if(!rc && !written) {
      rc = write_items(m);
      written = !rc;
      parts_files = m->n_files;
    }
    if(!rc)
      rc = prepare(m, ctx, &head, unborn, &a);
    e.files = m->files;
    e.n_files = m->n_files;
    e.allowed_signers = a.signers;
    e.message = db_str(&a.msg);
    if(!rc)
      rc = ledger_append(&c->l, &head, unborn, &e, c->key, commit, c->err);
    m->n_files = parts_files; /* a retry makes the head again */
  }
  if(rc == LETHE_E_CHANGED)
    rc = err_set(c->err, LETHE_E_CHANGED, "the ledger's branch kept moving under this run "
                 "(%d tries)", APPEND_TRIES);
  free(a.signers);
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
  /* its time says when it was certified: pruning (keep-journals) counts
   * from there */
  if(to < 0 || renameat(c->dirfd, name, to, name) ||
     utimensat(to, name, NULL, AT_SYMLINK_NOFOLLOW) || fsync(to) || fsync(c->dirfd)) {
    if(to >= 0)
      close(to);
    return err_sys(c->err, LETHE_E_IO, "certified, but cannot move journal %s to "
                   CERTIFIED_DIR "/", name);
  }
  close(to);
  return LETHE_OK;
}

static lethe_rc rule_names(struct certificate *cert, const struct cert_run *run)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < run->n_rules && !rc; i++)
    rc = strlist_add(&cert->rules, run->rules[i].rule.name ? run->rules[i].rule.name : "?");
  return rc;
}

static void report(struct certifier *c, const struct certificate *cert, const char *path,
                   const git_oid *commit, bool already)
{
  char hex[GIT_OID_HEXSZ + 1] = "";
  struct certify_report r = { .cert = cert, .path = path, .commit = hex,
                              .warning = c->l.warning[0] ? c->l.warning : NULL,
                              .already = already };
  if(!already)
    git_oid_tostr(hex, sizeof(hex), commit);
  c->fn(c->ctx, &r);
}

static lethe_rc certify_one(struct certifier *c, const char *name, bool *done)
{
  struct cert_context ctx = { .host = c->host, .operator_name = c->operator_name,
                              .agent_version = LETHE_VERSION, .issued_at = time(NULL) };
  struct certificate cert = { .ended = false };
  struct making m = { .c = c, .cert = &cert, .j = { .dirfd = c->dirfd, .name = name } };
  char path[512];
  git_oid commit;
  bool already = false;
  lethe_rc rc = cert_run_read(&m.j, &m.run, c->err);
  *done = false;
  db_init(&m.sig, 64 * 1024);
  if(!rc && m.run.ended) {
    snprintf(cert.id, sizeof(cert.id), "%s", m.run.id);
    isotime_format(ctx.issued_at, cert.issued_at);
    certificate_dir(cert.issued_at, m.dir, sizeof(m.dir));
    snprintf(path, sizeof(path), "%s/%s.json", m.dir, cert.id);
    cert_writer_init(&m.w, cert.id, emit_file, &m);
    rc = rule_names(&cert, &m.run);
    if(!rc)
      rc = commit_cert(&m, &ctx, &commit, &already);
    if(!rc)
      rc = move_journal(c, name);
    *done = !rc;
    if(!rc && c->fn)
      report(c, &cert, path, &commit, already);
    cert_writer_release(&m.w);
  }
  if(rc)
    err_prefix(c->err, "journal %s", name);
  cert_run_release(&m.run);
  certificate_release(&cert);
  free(m.files);
  db_release(&m.sig);
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


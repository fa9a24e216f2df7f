/* lethe verify's checks. The order of the checks decides which failure is
 * named first when several follow from one change: history rewritten,
 * then the certificates as they stand (files, signatures, form), then the
 * chain, then each commit (what it changes, its signature, its message). */
#include "verify.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certificate.h"
#include "ledger.h"
#include "verify_internal.h"


void verify_note(struct verifier *v, const char *fmt, ...)
{
  char line[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if(v->note)
    v->note(v->ctx, line);
}

const char *verify_short_id(const git_oid *id, char *buf)
{
  return git_oid_tostr(buf, 13, id);
}

lethe_rc verify_fail(struct verifier *v, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(v->err->msg, sizeof(v->err->msg), fmt, ap);
  va_end(ap);
  v->err->rc = LETHE_E_UNSAFE;
  return LETHE_E_UNSAFE;
}

/* sshsig's message without its "signature...: " lead, which ours repeats. */
const char *verify_why_not(const char *msg)
{
  static const char *const leads[] = { "signature does not verify: ", "signature: ",
                                       "signature ", NULL };
  for(const char *const *l = leads; *l; l++)
    if(!strncmp(msg, *l, strlen(*l)))
      return msg + strlen(*l);
  return msg;
}

lethe_rc verify_read_blob(struct verifier *v, const git_oid *id, struct dynbuf *out)
{
  git_blob *blob = NULL;
  lethe_rc rc;
  if(git_blob_lookup(&blob, v->l.repo, id))
    return err_set(v->err, LETHE_E_IO, "ledger: cannot read a file: %s", ledger_git_error());
  rc = db_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
  git_blob_free(blob);
  return rc;
}

static lethe_rc load_commits(struct verifier *v)
{
  git_commit *c = NULL, *parent;
  size_t cap = 0;
  if(git_commit_lookup(&c, v->l.repo, &v->head))
    return err_set(v->err, LETHE_E_IO, "ledger: cannot read HEAD: %s", ledger_git_error());
  while(c) {
    if(v->n_commits == cap) {
      git_oid *n = realloc(v->commits, (cap = cap ? cap * 2 : 64) * sizeof(*n));
      if(!n) {
        git_commit_free(c);
        return LETHE_E_NOMEM;
      }
      v->commits = n;
    }
    git_oid_cpy(&v->commits[v->n_commits++], git_commit_id(c));
    parent = NULL;
    if(git_commit_parentcount(c) && git_commit_parent(&parent, c, 0)) {
      git_commit_free(c);
      return err_set(v->err, LETHE_E_IO, "ledger: a commit's parent is missing: %s",
                     ledger_git_error());
    }
    git_commit_free(c);
    c = parent;
  }
  for(size_t i = 0; i < v->n_commits / 2; i++) {
    git_oid t = v->commits[i];
    v->commits[i] = v->commits[v->n_commits - 1 - i];
    v->commits[v->n_commits - 1 - i] = t;
  }
  return LETHE_OK;
}

/* ---- (A) append-only --------------------------------------------------- */

static lethe_rc read_recorded(struct verifier *v, git_oid *out, bool *have)
{
  char path[4096], text[GIT_OID_HEXSZ + 2] = "";
  FILE *f;
  *have = false;
  snprintf(path, sizeof(path), "%s/" VERIFIED_HEAD_FILE, v->o->state_dir);
  f = fopen(path, "re");
  if(!f)
    return errno == ENOENT ? LETHE_OK : err_sys(v->err, LETHE_E_IO, "%s", path);
  if(!fgets(text, sizeof(text), f) || strlen(text) < GIT_OID_HEXSZ ||
     git_oid_fromstrn(out, text, GIT_OID_HEXSZ)) {
    fclose(f);
    return err_set(v->err, LETHE_E_PARSE, "%s: not a commit id", path);
  }
  fclose(f);
  *have = true;
  return LETHE_OK;
}

static lethe_rc check_append_only(struct verifier *v)
{
  char was[16], now[16];
  git_oid rec;
  bool have;
  lethe_rc rc;
  if(!v->o->state_dir) {
    verify_note(v, "note: not checking that history only grew (no state directory for this ledger)");
    return LETHE_OK;
  }
  rc = read_recorded(v, &rec, &have);
  if(rc || !have) {
    if(!rc)
      verify_note(v, "ok: first verification of this ledger: its head will be recorded");
    return rc;
  }
  verify_short_id(&rec, was);
  verify_short_id(&v->head, now);
  if(!git_oid_cmp(&rec, &v->head) || git_graph_descendant_of(v->l.repo, &v->head, &rec) == 1) {
    verify_note(v, "ok: history only appended since the head verified last (%s)", was);
    return LETHE_OK;
  }
  git_error_clear();
  return verify_fail(v, "history rewritten: commit %s, the head verified last, is no longer in the "
              "history of HEAD (%s); the ledger is not append-only", was, now);
}

/* ---- the files at HEAD --------------------------------------------------- */

bool verify_has_suffix(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n > m && !strcmp(s + n - m, suffix);
}

bool verify_under_certificates(const char *path)
{
  return !strncmp(path, CERTIFICATE_DIR "/", sizeof(CERTIFICATE_DIR));
}

static lethe_rc add_stray(struct verifier *v, const char *path)
{
  char **n = realloc(v->strays, (v->n_strays + 1) * sizeof(*n));
  if(!n)
    return LETHE_E_NOMEM;
  v->strays = n;
  n[v->n_strays] = strdup(path);
  return n[v->n_strays++] ? LETHE_OK : LETHE_E_NOMEM;
}

static lethe_rc add_cert(struct verifier *v, const char *path, const git_oid *id)
{
  struct cert *n = realloc(v->certs, (v->n_certs + 1) * sizeof(*n));
  if(!n)
    return LETHE_E_NOMEM;
  v->certs = n;
  memset(&n[v->n_certs], 0, sizeof(*n));
  n[v->n_certs].path = strdup(path);
  git_oid_cpy(&n[v->n_certs].json, id);
  n[v->n_certs].order = SIZE_MAX;
  return n[v->n_certs++].path ? LETHE_OK : LETHE_E_NOMEM;
}

struct walk_ctx {
  struct verifier *v;
  char **sigs;
  git_oid *sig_ids;
  size_t n_sigs;
  lethe_rc rc;
};

static lethe_rc add_sig(struct walk_ctx *w, const char *path, const git_oid *id)
{
  char **n = realloc(w->sigs, (w->n_sigs + 1) * sizeof(*n));
  git_oid *ids;
  if(!n)
    return LETHE_E_NOMEM;
  w->sigs = n;
  ids = realloc(w->sig_ids, (w->n_sigs + 1) * sizeof(*ids));
  if(!ids)
    return LETHE_E_NOMEM;
  w->sig_ids = ids;
  n[w->n_sigs] = strdup(path);
  if(!n[w->n_sigs])
    return LETHE_E_NOMEM;
  git_oid_cpy(&ids[w->n_sigs++], id);
  return LETHE_OK;
}

static int on_tree_entry(const char *root, const git_tree_entry *e, void *payload)
{
  struct walk_ctx *w = payload;
  char path[4096];
  if(git_tree_entry_type(e) == GIT_OBJECT_TREE)
    return 0;
  snprintf(path, sizeof(path), "%s%s", root, git_tree_entry_name(e));
  if(git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB)
    w->rc = add_stray(w->v, path);
  else if(!strcmp(path, LEDGER_ALLOWED_SIGNERS))
    w->rc = LETHE_OK;
  else if(verify_under_certificates(path) && verify_has_suffix(path, ".json"))
    w->rc = add_cert(w->v, path, git_tree_entry_id(e));
  else if(verify_under_certificates(path) && verify_has_suffix(path, ".json" LEDGER_SIG_SUFFIX)) {
    w->rc = add_sig(w, path, git_tree_entry_id(e));
  }
  else
    w->rc = add_stray(w->v, path);
  return w->rc ? -1 : 0;
}

/* Pair each signature with its certificate; the unpaired are strays. */
static lethe_rc pair_sigs(struct verifier *v, struct walk_ctx *w)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < w->n_sigs && !rc; i++) {
    size_t n = strlen(w->sigs[i]) - strlen(LEDGER_SIG_SUFFIX);
    bool paired = false;
    for(size_t j = 0; j < v->n_certs && !paired; j++) {
      struct cert *c = &v->certs[j];
      if(!c->has_sig && strlen(c->path) == n && !strncmp(c->path, w->sigs[i], n)) {
        c->has_sig = paired = true;
        git_oid_cpy(&c->sig, &w->sig_ids[i]);
      }
    }
    if(!paired)
      rc = add_stray(v, w->sigs[i]);
  }
  for(size_t i = 0; i < w->n_sigs; i++)
    free(w->sigs[i]);
  free(w->sigs);
  free(w->sig_ids);
  return rc;
}

static lethe_rc list_files(struct verifier *v)
{
  struct walk_ctx w = { .v = v };
  git_commit *c = NULL;
  git_tree *tree = NULL;
  int g = git_commit_lookup(&c, v->l.repo, &v->head);
  if(!g)
    g = git_commit_tree(&tree, c);
  if(!g)
    g = git_tree_walk(tree, GIT_TREEWALK_PRE, on_tree_entry, &w);
  git_tree_free(tree);
  git_commit_free(c);
  if(w.rc || g) {
    pair_sigs(v, &w);
    return w.rc ? w.rc : err_set(v->err, LETHE_E_IO, "ledger: cannot list HEAD: %s",
                                 ledger_git_error());
  }
  return pair_sigs(v, &w);
}

static lethe_rc load_signers(struct verifier *v)
{
  struct dynbuf text;
  bool found;
  lethe_rc rc;
  db_init(&text, 1024 * 1024);
  rc = ledger_read(&v->l, &v->head, LEDGER_ALLOWED_SIGNERS, &text, &found, v->err);
  if(!rc && !found)
    rc = verify_fail(v, "the ledger has no " LEDGER_ALLOWED_SIGNERS " file at its root");
  if(!rc)
    rc = signers_parse(&v->signers, text.mem, text.len, LEDGER_ALLOWED_SIGNERS, v->err);
  if(!rc && !v->signers.n)
    rc = verify_fail(v, LEDGER_ALLOWED_SIGNERS " names no Ed25519 key");
  db_release(&text);
  return rc;
}

/* ---- certificate files named on the command line ------------------------ */

static lethe_rc read_file(const char *path, struct dynbuf *out, struct lethe_err *err)
{
  char buf[65536];
  ssize_t n;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  lethe_rc rc = LETHE_OK;
  if(fd < 0)
    return err_sys(err, LETHE_E_NOTFOUND, "%s", path);
  for(n = read(fd, buf, sizeof(buf)); n > 0 && !rc; n = read(fd, buf, sizeof(buf)))
    rc = db_add(out, buf, (size_t)n);
  close(fd);
  if(!rc && n < 0)
    rc = err_sys(err, LETHE_E_IO, "%s", path);
  return rc;
}

static lethe_rc check_named(struct verifier *v, const char *file)
{
  const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
  struct dynbuf json, sig, ours;
  char sigpath[4200];
  const struct cert *match = NULL;
  lethe_rc rc;
  snprintf(sigpath, sizeof(sigpath), "%s" LEDGER_SIG_SUFFIX, file);
  db_init(&json, CERTIFICATE_MAX);
  db_init(&sig, 1024 * 1024);
  db_init(&ours, CERTIFICATE_MAX);
  rc = read_file(file, &json, v->err);
  if(!rc)
    rc = read_file(sigpath, &sig, v->err);
  if(rc) {
    char why[sizeof(v->err->msg)];
    memcpy(why, v->err->msg, sizeof(why));
    rc = verify_fail(v, "%.900s", why);
  }
  if(!rc)
    rc = verify_check_signature(v, file, &json, &sig);
  for(size_t i = 0; !rc && i < v->n_certs && !match; i++)
    if(!strcmp(strrchr(v->certs[i].path, '/') + 1, base))
      match = &v->certs[i];
  if(!rc && !match)
    rc = verify_fail(v, "%s: not in the ledger", file);
  if(!rc)
    rc = verify_read_blob(v, &match->json, &ours);
  if(!rc && (ours.len != json.len || memcmp(ours.mem, json.mem, json.len)))
    rc = verify_fail(v, "%s: differs from the ledger's copy %s", file, match->path);
  if(!rc)
    verify_note(v, "ok: %s is signed and is %s in the ledger", file, match->path);
  db_release(&json);
  db_release(&sig);
  db_release(&ours);
  return rc;
}

/* ---- recording the head ------------------------------------------------ */

static lethe_rc record_head(struct verifier *v)
{
  char path[4096], tmp[4200], hex[GIT_OID_HEXSZ + 1];
  int fd;
  if(!v->o->state_dir)
    return LETHE_OK;
  snprintf(path, sizeof(path), "%s/" VERIFIED_HEAD_FILE, v->o->state_dir);
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  git_oid_tostr(hex, sizeof(hex), &v->head);
  if(mkdir(v->o->state_dir, 0700) && errno != EEXIST)
    return err_sys(v->err, LETHE_E_IO, "%s", v->o->state_dir);
  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if(fd < 0 || dprintf(fd, "%s\n", hex) < 0 || fsync(fd) || close(fd) ||
     rename(tmp, path)) {
    if(fd >= 0)
      close(fd);
    return err_sys(v->err, LETHE_E_IO, "cannot record the verified head in %s", path);
  }
  return LETHE_OK;
}

/* ---- putting it together ----------------------------------------------- */

static int by_order(const void *a, const void *b)
{
  const struct cert *x = a, *y = b;
  return x->order < y->order ? -1 : x->order > y->order;
}

static lethe_rc run_checks(struct verifier *v)
{
  char (*hashes)[SHA256_HEX_LEN];
  lethe_rc rc = check_append_only(v);
  if(!rc)
    rc = load_signers(v);
  if(!rc)
    rc = list_files(v);
  if(!rc)
    rc = verify_scan_commits(v);
  if(rc)
    return rc;
  qsort(v->certs, v->n_certs, sizeof(*v->certs), by_order);
  hashes = calloc(v->n_certs + 1, sizeof(*hashes));
  if(!hashes)
    return LETHE_E_NOMEM;
  rc = verify_check_certificates(v, hashes);
  if(!rc)
    rc = verify_check_chain(v, hashes);
  free(hashes);
  if(!rc && v->commit_failure[0])
    rc = verify_fail(v, "%s", v->commit_failure);
  if(!rc)
    verify_note(v, "ok: %zu commit%s, each signed and only adding", v->n_commits,
          v->n_commits == 1 ? "" : "s");
  for(size_t i = 0; i < v->o->n_certs && !rc; i++)
    rc = check_named(v, v->o->certs[i]);
  return rc;
}

static void verifier_release(struct verifier *v)
{
  for(size_t i = 0; i < v->n_certs; i++)
    free(v->certs[i].path);
  for(size_t i = 0; i < v->n_strays; i++)
    free(v->strays[i]);
  free(v->certs);
  free(v->strays);
  free(v->commits);
  signers_release(&v->signers);
  signers_release(&v->commit_signers);
  ledger_close(&v->l);
}

static lethe_rc empty_ledger(struct verifier *v)
{
  git_oid rec;
  bool have = false;
  lethe_rc rc = v->o->state_dir ? read_recorded(v, &rec, &have) : LETHE_OK;
  if(!rc && have)
    return verify_fail(v, "history rewritten: the ledger has no commit, but a head was verified "
                "before");
  if(!rc && v->o->n_certs)
    return verify_fail(v, "%s: not in the ledger (it has no certificate yet)", v->o->certs[0]);
  if(!rc)
    verify_note(v, "ok: the ledger has no certificate yet");
  return rc;
}

lethe_rc verify_ledger(const struct verify_opts *o, verify_note_fn note, void *ctx,
                       struct lethe_err *err)
{
  struct verifier v = { .o = o, .note = note, .ctx = ctx, .err = err };
  bool unborn = false;
  char id[GIT_OID_HEXSZ + 1];
  lethe_rc rc = ledger_open(&v.l, o->ledger_dir, false, err);
  if(!rc)
    rc = ledger_head(&v.l, &v.head, &unborn, err);
  if(!rc && unborn) {
    rc = empty_ledger(&v);
    verifier_release(&v);
    return rc;
  }
  if(!rc)
    rc = load_commits(&v);
  if(!rc)
    rc = run_checks(&v);
  if(!rc)
    rc = record_head(&v);
  if(!rc)
    verify_note(&v, "verified: %zu certificate%s, HEAD %s%s", v.n_certs, v.n_certs == 1 ? "" : "s",
          git_oid_tostr(id, sizeof(id), &v.head), o->state_dir ? " (recorded)" : "");
  verifier_release(&v);
  return rc;
}

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
  lethe_rc rc = check_append_only(v);
  if(!rc)
    rc = load_signers(v);
  if(!rc)
    rc = verify_list_files(v);
  if(!rc)
    rc = verify_scan_commits(v);
  if(rc)
    return rc;
  qsort(v->certs, v->n_certs, sizeof(*v->certs), by_order);
  rc = verify_check_certificates(v);
  if(!rc)
    rc = verify_check_chain(v);
  if(!rc)
    rc = verify_check_messages(v);
  if(!rc)
    verify_note(v, "ok: %zu commit%s, each signed and only adding", v->n_commits,
          v->n_commits == 1 ? "" : "s");
  for(size_t i = 0; i < v->o->n_certs && !rc; i++)
    rc = verify_check_named(v, v->o->certs[i]);
  return rc;
}

static void verifier_release(struct verifier *v)
{
  for(size_t i = 0; i < v->n_certs; i++)
    free(v->certs[i].path);
  for(size_t i = 0; i < v->n_parts; i++)
    free(v->parts[i].path);
  free(v->parts);
  free(v->msg_checks);
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
  struct verifier v = { .o = o, .note = note, .ctx = ctx, .err = err,
                        .commit_failure_at = SIZE_MAX };
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

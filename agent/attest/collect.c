/* Reading attestations from every branch of the central ledger. */
#include "collect.h"

#include <git2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIG_MAX (64 * 1024)

struct collector {
  git_repository *repo;
  const struct roster *r;
  struct attest_set *out;
  git_oid *seen;                  /* blobs of the attestations already judged */
  size_t n_seen;
  const char *ref;                /* the branch being read */
  struct lethe_err *err;
};

static lethe_rc reject(struct collector *c, const char *path, const char *fmt, ...)
  PRINTF(3, 4);

static lethe_rc reject(struct collector *c, const char *path, const char *fmt, ...)
{
  struct attest_rejected *v = realloc(c->out->bad, (c->out->n_bad + 1) * sizeof(*v));
  char why[600];
  va_list ap;
  if(!v)
    return LETHE_E_NOMEM;
  c->out->bad = v;
  va_start(ap, fmt);
  vsnprintf(why, sizeof(why), fmt, ap);
  va_end(ap);
  v += c->out->n_bad++;
  v->ref = strdup(c->ref);
  v->path = strdup(path);
  v->why = strdup(why);
  return v->ref && v->path && v->why ? LETHE_OK : LETHE_E_NOMEM;
}

static lethe_rc accept(struct collector *c, const char *path, struct attest_summary *s,
                       const struct roster_row *row)
{
  struct attest_found *v = realloc(c->out->ok, (c->out->n_ok + 1) * sizeof(*v));
  if(!v)
    return LETHE_E_NOMEM;
  c->out->ok = v;
  v += c->out->n_ok++;
  v->s = *s;
  memset(s, 0, sizeof(*s));
  v->row = row;
  v->ref = strdup(c->ref);
  v->path = strdup(path);
  return v->ref && v->path ? LETHE_OK : LETHE_E_NOMEM;
}

static bool seen_before(struct collector *c, const git_oid *id)
{
  git_oid *v;
  for(size_t i = 0; i < c->n_seen; i++)
    if(!git_oid_cmp(&c->seen[i], id))
      return true;
  v = realloc(c->seen, (c->n_seen + 1) * sizeof(*v));
  if(v) {
    c->seen = v;
    git_oid_cpy(&v[c->n_seen++], id);
  }
  return false;
}

static lethe_rc read_blob(struct collector *c, const git_oid *id, struct dynbuf *out)
{
  git_blob *blob = NULL;
  lethe_rc rc;
  if(git_blob_lookup(&blob, c->repo, id)) {
    git_error_clear();
    return LETHE_E_IO;
  }
  rc = db_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
  git_blob_free(blob);
  return rc;
}

/* Judge what a verified signature says against the roster and the
 * attestation's own words. */
static lethe_rc judge_signed(struct collector *c, const char *path, const char *name,
                             const struct dynbuf *json, const struct sshsig_key *signer)
{
  const struct roster_row *row = roster_find_key(c->r, signer);
  struct attest_summary s;
  struct dynbuf fp;
  char why[300];
  lethe_rc rc;
  if(!row) {
    db_init(&fp, 256);
    rc = sshsig_fingerprint(signer, &fp);
    rc = reject(c, path, "signed by a key that is not in the roster (%s)",
                rc ? "?" : db_str(&fp));
    db_release(&fp);
    return rc;
  }
  if(attestation_read(json->mem, json->len, &s, why, sizeof(why)))
    return reject(c, path, "signed by %s's key, but malformed: %s", row->email, why);
  if(!roster_same_email(s.email, row->email) || strcmp(s.fingerprint, row->fingerprint))
    rc = reject(c, path, "signed by %s's key, but it names %.200s (%.100s)", row->email,
                s.email, s.fingerprint);
  else if(strncmp(name, s.id, strlen(s.id)) || strcmp(name + strlen(s.id), ".json"))
    rc = reject(c, path, "its file name does not match its id %.100s", s.id);
  else
    rc = accept(c, path, &s, row);
  attest_summary_release(&s);
  return rc;
}

/* One attestations/YYYY/MM/NAME.json of a tree. */
static lethe_rc judge(struct collector *c, git_tree *month, const git_tree_entry *e,
                      const char *path)
{
  const char *name = git_tree_entry_name(e);
  const git_tree_entry *sig_entry;
  struct sshsig_key *signer = NULL;
  struct lethe_err verr = { 0 };
  struct dynbuf json, sig;
  char sig_name[300];
  lethe_rc rc;
  if(seen_before(c, git_tree_entry_id(e)))
    return LETHE_OK;
  snprintf(sig_name, sizeof(sig_name), "%s.sig", name);
  sig_entry = git_tree_entry_byname(month, sig_name);
  if(!sig_entry)
    return reject(c, path, "has no signature (%s)", sig_name);
  db_init(&json, ATTESTATION_MAX);
  db_init(&sig, SIG_MAX);
  rc = read_blob(c, git_tree_entry_id(e), &json);
  if(!rc)
    rc = read_blob(c, git_tree_entry_id(sig_entry), &sig);
  if(rc)
    rc = reject(c, path, "cannot be read (%s)", rc == LETHE_E_RANGE ? "too large"
                : "missing object");
  else if(sshsig_verify(sig.mem, sig.len, SSHSIG_NS_ATTESTATION, json.mem, json.len, &signer,
                        &verr))
    rc = reject(c, path, "its signature does not verify (%s)",
                strncmp(verr.msg, "signature does not verify: ", 27) ? verr.msg
                                                                       : verr.msg + 27);
  else
    rc = judge_signed(c, path, name, &json, signer);
  sshsig_free(signer);
  db_release(&json);
  db_release(&sig);
  return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n > m && !strcmp(s + n - m, suffix);
}

/* Each entry of a tree that is a tree itself, as (entry, subtree). */
typedef lethe_rc (*subtree_fn)(struct collector *c, git_tree *tree, const char *path);

static lethe_rc each_subtree(struct collector *c, git_tree *tree, const char *path,
                             subtree_fn fn)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < git_tree_entrycount(tree) && !rc; i++) {
    const git_tree_entry *e = git_tree_entry_byindex(tree, i);
    git_tree *sub = NULL;
    char sub_path[512];
    if(git_tree_entry_type(e) != GIT_OBJECT_TREE ||
       git_tree_lookup(&sub, c->repo, git_tree_entry_id(e))) {
      git_error_clear();
      continue;
    }
    snprintf(sub_path, sizeof(sub_path), "%s/%s", path, git_tree_entry_name(e));
    rc = fn(c, sub, sub_path);
    git_tree_free(sub);
  }
  return rc;
}

static lethe_rc month_files(struct collector *c, git_tree *month, const char *path)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < git_tree_entrycount(month) && !rc; i++) {
    const git_tree_entry *e = git_tree_entry_byindex(month, i);
    char file_path[800];
    if(git_tree_entry_type(e) != GIT_OBJECT_BLOB || !ends_with(git_tree_entry_name(e), ".json"))
      continue;
    snprintf(file_path, sizeof(file_path), "%s/%s", path, git_tree_entry_name(e));
    rc = judge(c, month, e, file_path);
  }
  return rc;
}

static lethe_rc year_months(struct collector *c, git_tree *year, const char *path)
{
  return each_subtree(c, year, path, month_files);
}

static lethe_rc read_branch(struct collector *c, git_reference *ref)
{
  git_object *tree = NULL;
  git_tree_entry *dir = NULL;
  git_tree *years = NULL;
  lethe_rc rc = LETHE_OK;
  if(git_reference_peel(&tree, ref, GIT_OBJECT_TREE)) {
    git_error_clear();
    return LETHE_OK; /* a branch that is not a commit holds no attestation */
  }
  c->out->branches++;
  if(!git_tree_entry_bypath(&dir, (git_tree *)tree, ATTESTATION_DIR) &&
     git_tree_entry_type(dir) == GIT_OBJECT_TREE &&
     !git_tree_lookup(&years, c->repo, git_tree_entry_id(dir)))
    rc = each_subtree(c, years, ATTESTATION_DIR, year_months);
  git_error_clear();
  git_tree_free(years);
  git_tree_entry_free(dir);
  git_object_free(tree);
  return rc;
}

static bool is_branch(git_reference *ref)
{
  const char *name = git_reference_name(ref);
  return git_reference_type(ref) == GIT_REFERENCE_DIRECT &&
         (!strncmp(name, "refs/heads/", 11) || !strncmp(name, "refs/remotes/", 13));
}

static lethe_rc read_all(struct collector *c)
{
  git_reference_iterator *it = NULL;
  git_reference *ref = NULL;
  lethe_rc rc = LETHE_OK;
  int g;
  if(git_reference_iterator_new(&it, c->repo))
    return err_set(c->err, LETHE_E_IO, "cannot list the branches: %s",
                   git_error_last() ? git_error_last()->message : "?");
  while(!rc && !(g = git_reference_next(&ref, it))) {
    if(is_branch(ref)) {
      c->ref = git_reference_name(ref);
      rc = read_branch(c, ref);
    }
    git_reference_free(ref);
  }
  git_reference_iterator_free(it);
  if(rc == LETHE_E_NOMEM)
    return err_set(c->err, rc, "out of memory reading attestations");
  return rc;
}

lethe_rc attest_collect(const char *dir, const struct roster *r, struct attest_set *out,
                        struct lethe_err *err)
{
  struct collector c = { .r = r, .out = out, .err = err };
  lethe_rc rc;
  int g;
  memset(out, 0, sizeof(*out));
  git_libgit2_init();
  g = git_repository_open_ext(&c.repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
  if(g == GIT_ENOTFOUND)
    rc = err_set(err, LETHE_E_NOTFOUND, "%s: not a git repository", dir);
  else if(g)
    rc = err_set(err, LETHE_E_IO, "%s: cannot open the ledger: %s", dir,
                 git_error_last() ? git_error_last()->message : "?");
  else
    rc = read_all(&c);
  git_repository_free(c.repo);
  free(c.seen);
  git_libgit2_shutdown();
  return rc;
}

void attest_set_release(struct attest_set *s)
{
  for(size_t i = 0; i < s->n_ok; i++) {
    attest_summary_release(&s->ok[i].s);
    free(s->ok[i].ref);
    free(s->ok[i].path);
  }
  for(size_t i = 0; i < s->n_bad; i++) {
    free(s->bad[i].ref);
    free(s->bad[i].path);
    free(s->bad[i].why);
  }
  free(s->ok);
  free(s->bad);
  memset(s, 0, sizeof(*s));
}

/* lethe verify: the files at HEAD. allowed_signers at the root; under
 * certificates/YYYY/MM/ certificates (ID.json), their parts
 * (ID.part-NNNN.json) and the signature of each (+ ".sig"); under
 * attestations/YYYY/MM/ the attestations of lethe confirm and their
 * signatures; anything else is a stray. */
#include "verify_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static lethe_rc add_part(struct verifier *v, const char *path, const git_oid *id)
{
  struct cert_part *n = realloc(v->parts, (v->n_parts + 1) * sizeof(*n));
  if(!n)
    return LETHE_E_NOMEM;
  v->parts = n;
  memset(&n[v->n_parts], 0, sizeof(*n));
  n[v->n_parts].path = strdup(path);
  git_oid_cpy(&n[v->n_parts].json, id);
  return n[v->n_parts++].path ? LETHE_OK : LETHE_E_NOMEM;
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

static lethe_rc classify(struct walk_ctx *w, const char *path, const git_tree_entry *e)
{
  char id[UUID_TEXT_LEN];
  unsigned part;
  if(git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB)
    return add_stray(w->v, path);
  if(!strcmp(path, LEDGER_ALLOWED_SIGNERS))
    return LETHE_OK;
  if(verify_attestation_file(path) != ATTEST_NONE)
    return LETHE_OK; /* checked as its commit is (verify_attest.c) */
  if(!verify_under_certificates(path))
    return add_stray(w->v, path);
  switch(certificate_file_kind(strrchr(path, '/') + 1, id, &part)) {
  case CERT_FILE_HEAD:
    return add_cert(w->v, path, git_tree_entry_id(e));
  case CERT_FILE_PART:
    return add_part(w->v, path, git_tree_entry_id(e));
  case CERT_FILE_HEAD_SIG:
  case CERT_FILE_PART_SIG:
    return add_sig(w, path, git_tree_entry_id(e));
  default:
    return add_stray(w->v, path);
  }
}

static int on_tree_entry(const char *root, const git_tree_entry *e, void *payload)
{
  struct walk_ctx *w = payload;
  char path[4096];
  if(git_tree_entry_type(e) == GIT_OBJECT_TREE)
    return 0;
  snprintf(path, sizeof(path), "%s%s", root, git_tree_entry_name(e));
  w->rc = classify(w, path, e);
  return w->rc ? -1 : 0;
}

/* The file that path + ".sig" signs: its entry's sig and has_sig. */
static bool pair(const char *sig, size_t n, const char *path, git_oid *to, bool *has,
                 const git_oid *id)
{
  if(*has || strlen(path) != n || strncmp(path, sig, n))
    return false;
  *has = true;
  git_oid_cpy(to, id);
  return true;
}

/* Pair each signature with its certificate or part; the unpaired are
 * strays. */
static lethe_rc pair_sigs(struct verifier *v, struct walk_ctx *w)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < w->n_sigs && !rc; i++) {
    size_t n = strlen(w->sigs[i]) - strlen(LEDGER_SIG_SUFFIX);
    bool paired = false;
    for(size_t j = 0; j < v->n_certs && !paired; j++)
      paired = pair(w->sigs[i], n, v->certs[j].path, &v->certs[j].sig, &v->certs[j].has_sig,
                    &w->sig_ids[i]);
    for(size_t j = 0; j < v->n_parts && !paired; j++)
      paired = pair(w->sigs[i], n, v->parts[j].path, &v->parts[j].sig, &v->parts[j].has_sig,
                    &w->sig_ids[i]);
    if(!paired)
      rc = add_stray(v, w->sigs[i]);
  }
  for(size_t i = 0; i < w->n_sigs; i++)
    free(w->sigs[i]);
  free(w->sigs);
  free(w->sig_ids);
  return rc;
}

lethe_rc verify_list_files(struct verifier *v)
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

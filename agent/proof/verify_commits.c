/* lethe verify: each commit of the ledger, what it changes, who signed it. */
#include "verify_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certificate.h"

/* ---- the commits (scanned first, judged last) -------------------------- */

struct commit_scan {
  struct verifier *v;
  git_commit *commit;
  bool root;
  size_t jsons, parts, sigs;
  git_oid added;              /* the certificate's blob, when jsons == 1 */
  size_t attestations, attestation_sigs;
  git_oid attestation, attestation_sig; /* their blobs, when one of each */
  char problem[900];
};

static void assign_order(struct verifier *v, const char *path)
{
  for(size_t i = 0; i < v->n_certs; i++)
    if(!strcmp(v->certs[i].path, path))
      v->certs[i].order = v->next_order++;
}

static lethe_rc on_change(void *ctx, char status, const char *path, const git_oid *blob)
{
  struct commit_scan *s = ctx;
  bool cert = verify_under_certificates(path);
  enum attest_file attest = verify_attestation_file(path);
  char id[UUID_TEXT_LEN];
  unsigned part;
  enum cert_file_kind kind = cert ? certificate_file_kind(strrchr(path, '/') + 1, id, &part)
                             : CERT_FILE_OTHER;
  if(status == 'A' && attest == ATTEST_JSON) {
    s->attestations++;
    git_oid_cpy(&s->attestation, blob);
    return LETHE_OK;
  }
  if(status == 'A' && attest == ATTEST_SIG) {
    s->attestation_sigs++;
    git_oid_cpy(&s->attestation_sig, blob);
    return LETHE_OK;
  }
  if(status == 'A' && kind == CERT_FILE_HEAD) {
    s->jsons++;
    git_oid_cpy(&s->added, blob);
    assign_order(s->v, path);
    return LETHE_OK;
  }
  if(status == 'A' && kind == CERT_FILE_PART) {
    s->parts++;
    return LETHE_OK;
  }
  if(status == 'A' && (kind == CERT_FILE_HEAD_SIG || kind == CERT_FILE_PART_SIG)) {
    s->sigs++;
    return LETHE_OK;
  }
  if(s->problem[0])
    return LETHE_OK;
  if(!strcmp(path, LEDGER_ALLOWED_SIGNERS) && status != 'D')
    return LETHE_OK; /* its signature was made with a key trusted before */
  if(status == 'D')
    snprintf(s->problem, sizeof(s->problem), "removes %s%s", path,
             cert ? " (a certificate deleted from the ledger)" : "");
  else if(status == 'M' && cert)
    snprintf(s->problem, sizeof(s->problem), "changes %s (a certificate altered after it "
             "was committed)", path);
  else if(status == 'M' && attest != ATTEST_NONE)
    snprintf(s->problem, sizeof(s->problem), "changes %s (an attestation altered after it "
             "was committed)", path);
  else
    snprintf(s->problem, sizeof(s->problem), "%s %s, which does not belong in the ledger",
             status == 'A' ? "adds" : "changes", path);
  return LETHE_OK;
}

/* allowed_signers as commit at has it. */
static lethe_rc signers_at(struct verifier *v, const git_oid *at, const struct signers **out)
{
  git_commit *pc = NULL;
  git_tree *tree = NULL;
  git_tree_entry *e = NULL;
  struct dynbuf text;
  lethe_rc rc = LETHE_OK;
  *out = NULL;
  if(git_commit_lookup(&pc, v->l.repo, at) || git_commit_tree(&tree, pc) ||
     git_tree_entry_bypath(&e, tree, LEDGER_ALLOWED_SIGNERS)) {
    git_error_clear();
    goto done; /* no trusted key at all */
  }
  if(v->have_commit_signers && !git_oid_cmp(&v->commit_signers_blob, git_tree_entry_id(e))) {
    *out = &v->commit_signers;
    goto done;
  }
  signers_release(&v->commit_signers);
  v->have_commit_signers = false;
  db_init(&text, 1024 * 1024);
  rc = verify_read_blob(v, git_tree_entry_id(e), &text);
  if(!rc && !signers_parse(&v->commit_signers, text.mem, text.len, LEDGER_ALLOWED_SIGNERS,
                           v->err)) {
    git_oid_cpy(&v->commit_signers_blob, git_tree_entry_id(e));
    v->have_commit_signers = true;
    *out = &v->commit_signers;
  }
  db_release(&text);
done:
  git_tree_entry_free(e);
  git_tree_free(tree);
  git_commit_free(pc);
  return rc == LETHE_E_NOMEM ? rc : LETHE_OK;
}

/* The keys trusted for a commit: allowed_signers as its parent had it (a
 * root commit: as it has it itself). */
static lethe_rc trusted_for(struct verifier *v, git_commit *c, const struct signers **out)
{
  return signers_at(v, git_commit_parentcount(c) ? git_commit_parent_id(c, 0)
                                                 : git_commit_id(c), out);
}

static void check_commit_signature(struct verifier *v, struct commit_scan *s)
{
  git_buf sig = { 0 }, data = { 0 };
  struct sshsig_key *signer = NULL;
  const struct signers *trusted = NULL;
  struct lethe_err e = { 0 };
  git_oid id;
  git_oid_cpy(&id, git_commit_id(s->commit));
  if(git_commit_extract_signature(&sig, &data, v->l.repo, &id, "gpgsig")) {
    git_error_clear();
    snprintf(s->problem, sizeof(s->problem), "is not signed");
    return;
  }
  if(sshsig_verify(sig.ptr, sig.size, SSHSIG_NS_GIT, data.ptr, data.size, &signer, &e))
    snprintf(s->problem, sizeof(s->problem), "has a signature that does not verify (%.800s)",
             verify_why_not(e.msg));
  else if(trusted_for(v, s->commit, &trusted) || !trusted ||
          !signers_find(trusted, signer, SSHSIG_NS_GIT))
    snprintf(s->problem, sizeof(s->problem), "is signed by a key that %s did not allow for "
             "namespace git", s->root ? "its own " LEDGER_ALLOWED_SIGNERS
                                      : "the " LEDGER_ALLOWED_SIGNERS " before it");
  sshsig_free(signer);
  git_buf_dispose(&sig);
  git_buf_dispose(&data);
}

/* The attestation's key is looked up in allowed_signers as the commit
 * leaves it, as a certificate's is at HEAD: lethe confirm adds the
 * trainer's namespaces in the commit that adds the attestation, and the
 * commit's own signature (checked before) is by a key trusted before it. */
static void check_attestation(struct verifier *v, struct commit_scan *s)
{
  const struct signers *trusted = NULL;
  if(signers_at(v, git_commit_id(s->commit), &trusted) == LETHE_OK)
    verify_attestation(v, &s->attestation, &s->attestation_sig, trusted, s->problem,
                       sizeof(s->problem));
}

/* The "sha256 HEX" line of the message must name the certificate (or the
 * attestation) added:
 * noted now, checked once the certificates are hashed
 * (verify_check_messages). */
static lethe_rc note_message(struct verifier *v, struct commit_scan *s, size_t index)
{
  const char *msg = git_commit_message(s->commit), *line;
  struct msg_check *m, *n;
  if(s->jsons + s->attestations != 1)
    return LETHE_OK;
  n = realloc(v->msg_checks, (v->n_msg_checks + 1) * sizeof(*n));
  if(!n)
    return LETHE_E_NOMEM;
  v->msg_checks = n;
  m = &n[v->n_msg_checks++];
  memset(m, 0, sizeof(*m));
  m->commit = index;
  git_oid_cpy(&m->blob, s->jsons ? &s->added : &s->attestation);
  line = msg ? strstr(msg, "\nsha256 ") : NULL;
  if(line && strspn(line + 8, "0123456789abcdef") >= SHA256_HEX_LEN - 1)
    memcpy(m->claimed, line + 8, SHA256_HEX_LEN - 1);
  return LETHE_OK;
}

static void judge_commit(struct verifier *v, struct commit_scan *s)
{
  if(git_commit_parentcount(s->commit) > 1 && !s->problem[0])
    snprintf(s->problem, sizeof(s->problem), "is a merge: a ledger's history is one line");
  if(!s->problem[0] && s->root && !s->jsons && !s->sigs && !s->attestations)
    snprintf(s->problem, sizeof(s->problem), "adds no certificate");
  if(!s->problem[0] && (s->attestations || s->attestation_sigs) &&
     (s->attestations != 1 || s->attestation_sigs != 1 || s->jsons + s->parts + s->sigs))
    snprintf(s->problem, sizeof(s->problem), "adds %zu attestation%s and %zu signature%s of "
             "one%s: an attestation comes alone, with its signature", s->attestations,
             s->attestations == 1 ? "" : "s", s->attestation_sigs,
             s->attestation_sigs == 1 ? "" : "s", s->jsons ? ", with a certificate" : "");
  if(!s->problem[0] && s->jsons + s->parts != s->sigs)
    snprintf(s->problem, sizeof(s->problem), "adds %zu certificate file%s but %zu "
             "signature%s", s->jsons + s->parts, s->jsons + s->parts == 1 ? "" : "s", s->sigs,
             s->sigs == 1 ? "" : "s");
  if(!s->problem[0] && s->parts && !s->jsons)
    snprintf(s->problem, sizeof(s->problem), "adds parts of a certificate it does not add");
  if(!s->problem[0])
    check_commit_signature(v, s);
  if(!s->problem[0] && s->attestations)
    check_attestation(v, s);
}

lethe_rc verify_scan_commits(struct verifier *v)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < v->n_commits && !rc; i++) {
    struct commit_scan s = { .v = v, .root = i == 0 };
    char id[16];
    if(git_commit_lookup(&s.commit, v->l.repo, &v->commits[i]))
      return err_set(v->err, LETHE_E_IO, "ledger: cannot read a commit: %s",
                     ledger_git_error());
    rc = ledger_changes(&v->l, s.commit, on_change, &s, v->err);
    if(!rc)
      judge_commit(v, &s);
    if(!rc && !s.problem[0])
      rc = note_message(v, &s, i);
    if(!rc && s.problem[0] && !v->commit_failure[0]) {
      snprintf(v->commit_failure, sizeof(v->commit_failure), "commit %s (\"%.80s\") %s",
               verify_short_id(&v->commits[i], id), git_commit_summary(s.commit), s.problem);
      v->commit_failure_at = i;
    }
    git_commit_free(s.commit);
  }
  return rc;
}

/* The hash of the certificate blob: the one checked at HEAD, else (a
 * certificate a later commit removed) read again. */
static lethe_rc hash_of(struct verifier *v, const git_oid *blob, char hash[SHA256_HEX_LEN])
{
  for(size_t i = 0; i < v->n_certs; i++) {
    if(!git_oid_cmp(&v->certs[i].json, blob) && v->certs[i].hash[0]) {
      memcpy(hash, v->certs[i].hash, SHA256_HEX_LEN);
      return LETHE_OK;
    }
  }
  return ledger_hash_blob(&v->l, blob, hash, v->err);
}

lethe_rc verify_check_messages(struct verifier *v)
{
  for(size_t i = 0; i < v->n_msg_checks; i++) {
    const struct msg_check *m = &v->msg_checks[i];
    git_commit *c = NULL;
    char hash[SHA256_HEX_LEN], id[16];
    lethe_rc rc;
    if(m->commit > v->commit_failure_at)
      break; /* an earlier commit's problem comes first */
    rc = hash_of(v, &m->blob, hash);
    if(rc)
      return rc;
    if(!strcmp(m->claimed, hash))
      continue;
    if(git_commit_lookup(&c, v->l.repo, &v->commits[m->commit]))
      return err_set(v->err, LETHE_E_IO, "ledger: cannot read a commit: %s",
                     ledger_git_error());
    rc = verify_fail(v, "commit %s (\"%.80s\") has a message that does not give the "
                     "SHA-256 of what it adds (%s)", verify_short_id(&v->commits[m->commit], id),
                     git_commit_summary(c), hash);
    git_commit_free(c);
    return rc;
  }
  return v->commit_failure[0] ? verify_fail(v, "%s", v->commit_failure) : LETHE_OK;
}

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

/* ---- allowed_signers --------------------------------------------------- */

/* The next white-space separated token (quotes keep their spaces). */
static size_t token(const char **p, const char *end, const char **start)
{
  const char *s = *p;
  bool quoted = false;
  while(s < end && (*s == ' ' || *s == '\t'))
    s++;
  *start = s;
  while(s < end && (quoted || (*s != ' ' && *s != '\t'))) {
    if(*s == '"')
      quoted = !quoted;
    s++;
  }
  *p = s;
  return (size_t)(s - *start);
}

static bool is_keytype(const char *t, size_t n)
{
  return (n > 4 && !strncmp(t, "ssh-", 4)) || (n > 6 && !strncmp(t, "ecdsa-", 6)) ||
         (n > 3 && !strncmp(t, "sk-", 3));
}

/* From options "a,namespaces=\"x,y\",b": the namespaces (unquoted, a new
 * string) and whether cert-authority is among them. */
static char *parse_options(const char *opt, size_t n, bool *ca)
{
  const char *end = opt + n, *p = opt;
  char *ns = NULL;
  *ca = false;
  while(p < end) {
    const char *q = p;
    bool quoted = false;
    while(q < end && (quoted || *q != ',')) {
      if(*q == '"')
        quoted = !quoted;
      q++;
    }
    if((size_t)(q - p) == 14 && !strncasecmp(p, "cert-authority", 14))
      *ca = true;
    else if(q - p > 11 && !strncasecmp(p, "namespaces=", 11) && !ns) {
      const char *v = p + 11, *ve = q;
      if(ve - v >= 2 && *v == '"' && ve[-1] == '"')
        v++, ve--;
      ns = strndup(v, (size_t)(ve - v));
    }
    p = q < end ? q + 1 : q;
  }
  return ns;
}

static lethe_rc add_signer(struct signers *s, struct sshsig_key *key, const char *principals,
                           size_t plen, char *ns)
{
  struct signer *v = realloc(s->v, (s->n + 1) * sizeof(*v));
  if(!v) {
    sshsig_free(key);
    free(ns);
    return LETHE_E_NOMEM;
  }
  s->v = v;
  v[s->n].key = key;
  v[s->n].principals = strndup(principals, plen);
  v[s->n].namespaces = ns;
  s->n++;
  return v[s->n - 1].principals ? LETHE_OK : LETHE_E_NOMEM;
}

static lethe_rc parse_signer(struct signers *s, const char *line, size_t len, const char *name,
                             int lineno, struct lethe_err *err)
{
  const char *p = line, *end = line + len, *who, *t, *b64;
  size_t wn = token(&p, end, &who), tn = token(&p, end, &t), bn;
  struct sshsig_key *key = NULL;
  struct lethe_err ignored;
  char *ns = NULL, *text;
  bool ca = false;
  if(tn && !is_keytype(t, tn)) {
    ns = parse_options(t, tn, &ca);
    tn = token(&p, end, &t);
  }
  bn = token(&p, end, &b64);
  if(!wn || !tn || !bn || !is_keytype(t, tn)) {
    free(ns);
    return err_set(err, LETHE_E_PARSE, "%s:%d: not a line of the form 'PRINCIPALS "
                   "[OPTIONS] KEYTYPE KEY'", name, lineno);
  }
  if(ca || asprintf(&text, "%.*s %.*s", (int)tn, t, (int)bn, b64) < 0) {
    free(ns);
    return ca ? LETHE_OK : LETHE_E_NOMEM;
  }
  if(sshsig_parse_public(text, &key, &ignored)) {
    free(text);
    free(ns);
    return LETHE_OK; /* not an Ed25519 key: lethe never signs with it */
  }
  free(text);
  return add_signer(s, key, who, wn, ns);
}

lethe_rc signers_parse(struct signers *s, const char *text, size_t len, const char *name,
                       struct lethe_err *err)
{
  const char *p = text, *end = text + len;
  int lineno = 0;
  lethe_rc rc = LETHE_OK;
  memset(s, 0, sizeof(*s));
  while(!rc && p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p)), *q;
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    lineno++;
    for(q = p; q < p + n && (*q == ' ' || *q == '\t'); q++)
      ;
    if(q < p + n && *q != '#')
      rc = parse_signer(s, q, (size_t)(p + n - q), name, lineno, err);
    p += n + (nl != NULL);
  }
  return rc;
}

static bool allows(const char *namespaces, const char *ns)
{
  char *copy, *save = NULL;
  bool ok = false;
  if(!namespaces)
    return true;
  copy = strdup(namespaces);
  for(char *pat = copy ? strtok_r(copy, ",", &save) : NULL; pat && !ok;
      pat = strtok_r(NULL, ",", &save))
    ok = !fnmatch(pat, ns, 0);
  free(copy);
  return ok;
}

const struct signer *signers_find(const struct signers *s, const struct sshsig_key *key,
                                  const char *ns)
{
  for(size_t i = 0; i < s->n; i++)
    if(sshsig_same_public(s->v[i].key, key) && allows(s->v[i].namespaces, ns))
      return &s->v[i];
  return NULL;
}

void signers_release(struct signers *s)
{
  for(size_t i = 0; i < s->n; i++) {
    sshsig_free(s->v[i].key);
    free(s->v[i].principals);
    free(s->v[i].namespaces);
  }
  free(s->v);
  memset(s, 0, sizeof(*s));
}

/* ---- the ledger -------------------------------------------------------- */

struct cert {
  char *path;                 /* certificates/YYYY/MM/ID.json */
  git_oid json, sig;
  bool has_sig;
  size_t order;               /* when history added it */
};

struct verifier {
  const struct verify_opts *o;
  verify_note_fn note;
  void *ctx;
  struct lethe_err *err;
  struct ledger l;
  git_oid head;
  git_oid *commits;           /* first-parent line, oldest first */
  size_t n_commits;
  struct signers signers;     /* allowed_signers at HEAD */
  struct cert *certs;
  size_t n_certs;
  char **strays;              /* files that do not belong */
  size_t n_strays;
  size_t next_order;
  char commit_failure[1024];  /* the first problem of any commit */
  struct signers commit_signers; /* trusted for the commit being checked */
  git_oid commit_signers_blob;
  bool have_commit_signers;
};

static void notef(struct verifier *v, const char *fmt, ...) PRINTF(2, 3);

static void notef(struct verifier *v, const char *fmt, ...)
{
  char line[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if(v->note)
    v->note(v->ctx, line);
}

static const char *short_id(const git_oid *id, char *buf)
{
  return git_oid_tostr(buf, 13, id);
}

static lethe_rc fail(struct verifier *v, const char *fmt, ...) PRINTF(2, 3);

static lethe_rc fail(struct verifier *v, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(v->err->msg, sizeof(v->err->msg), fmt, ap);
  va_end(ap);
  v->err->rc = LETHE_E_UNSAFE;
  return LETHE_E_UNSAFE;
}

static lethe_rc read_blob(struct verifier *v, const git_oid *id, struct dynbuf *out)
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
    notef(v, "note: not checking that history only grew (no state directory for this ledger)");
    return LETHE_OK;
  }
  rc = read_recorded(v, &rec, &have);
  if(rc || !have) {
    if(!rc)
      notef(v, "ok: first verification of this ledger: its head will be recorded");
    return rc;
  }
  short_id(&rec, was);
  short_id(&v->head, now);
  if(!git_oid_cmp(&rec, &v->head) || git_graph_descendant_of(v->l.repo, &v->head, &rec) == 1) {
    notef(v, "ok: history only appended since the head verified last (%s)", was);
    return LETHE_OK;
  }
  git_error_clear();
  return fail(v, "history rewritten: commit %s, the head verified last, is no longer in the "
              "history of HEAD (%s); the ledger is not append-only", was, now);
}

/* ---- the files at HEAD --------------------------------------------------- */

static bool has_suffix(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n > m && !strcmp(s + n - m, suffix);
}

static bool under_certificates(const char *path)
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
  else if(under_certificates(path) && has_suffix(path, ".json"))
    w->rc = add_cert(w->v, path, git_tree_entry_id(e));
  else if(under_certificates(path) && has_suffix(path, ".json" LEDGER_SIG_SUFFIX)) {
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
    rc = fail(v, "the ledger has no " LEDGER_ALLOWED_SIGNERS " file at its root");
  if(!rc)
    rc = signers_parse(&v->signers, text.mem, text.len, LEDGER_ALLOWED_SIGNERS, v->err);
  if(!rc && !v->signers.n)
    rc = fail(v, LEDGER_ALLOWED_SIGNERS " names no Ed25519 key");
  db_release(&text);
  return rc;
}

/* ---- the commits (scanned first, judged last) -------------------------- */

struct commit_scan {
  struct verifier *v;
  git_commit *commit;
  bool root;
  size_t jsons, sigs;
  git_oid added;              /* the certificate's blob, when jsons == 1 */
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
  bool cert = under_certificates(path);
  if(status == 'A' && cert && has_suffix(path, ".json")) {
    s->jsons++;
    git_oid_cpy(&s->added, blob);
    assign_order(s->v, path);
    return LETHE_OK;
  }
  if(status == 'A' && cert && has_suffix(path, ".json" LEDGER_SIG_SUFFIX)) {
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
  else
    snprintf(s->problem, sizeof(s->problem), "%s %s, which does not belong in the ledger",
             status == 'A' ? "adds" : "changes", path);
  return LETHE_OK;
}

/* The keys trusted for a commit: allowed_signers as its parent had it (a
 * root commit: as it has it itself). */
static lethe_rc trusted_for(struct verifier *v, git_commit *c, const struct signers **out)
{
  const git_oid *at = git_commit_parentcount(c) ? git_commit_parent_id(c, 0) : git_commit_id(c);
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
  rc = read_blob(v, git_tree_entry_id(e), &text);
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
    snprintf(s->problem, sizeof(s->problem), "has a signature that does not verify (%s)",
             e.msg);
  else if(trusted_for(v, s->commit, &trusted) || !trusted ||
          !signers_find(trusted, signer, SSHSIG_NS_GIT))
    snprintf(s->problem, sizeof(s->problem), "is signed by a key that %s did not allow for "
             "namespace git", s->root ? "its own " LEDGER_ALLOWED_SIGNERS
                                      : "the " LEDGER_ALLOWED_SIGNERS " before it");
  sshsig_free(signer);
  git_buf_dispose(&sig);
  git_buf_dispose(&data);
}

/* The "sha256 HEX" line of the message must name the certificate added. */
static void check_message(struct verifier *v, struct commit_scan *s)
{
  const char *msg = git_commit_message(s->commit), *line;
  char hex[SHA256_HEX_LEN];
  struct dynbuf blob;
  if(s->jsons != 1)
    return;
  db_init(&blob, CERTIFICATE_MAX);
  if(read_blob(v, &s->added, &blob)) {
    db_release(&blob);
    return;
  }
  sha256_hex(blob.mem, blob.len, hex);
  db_release(&blob);
  line = msg ? strstr(msg, "\nsha256 ") : NULL;
  if(!line || strncmp(line + 8, hex, SHA256_HEX_LEN - 1))
    snprintf(s->problem, sizeof(s->problem), "has a message that does not give its "
             "certificate's SHA-256 (%s)", hex);
}

static void judge_commit(struct verifier *v, struct commit_scan *s)
{
  if(git_commit_parentcount(s->commit) > 1 && !s->problem[0])
    snprintf(s->problem, sizeof(s->problem), "is a merge: a ledger's history is one line");
  if(!s->problem[0] && s->root && !s->jsons && !s->sigs)
    snprintf(s->problem, sizeof(s->problem), "adds no certificate");
  if(!s->problem[0] && s->jsons != s->sigs)
    snprintf(s->problem, sizeof(s->problem), "adds %zu certificate%s but %zu signature%s",
             s->jsons, s->jsons == 1 ? "" : "s", s->sigs, s->sigs == 1 ? "" : "s");
  if(!s->problem[0])
    check_commit_signature(v, s);
  if(!s->problem[0])
    check_message(v, s);
}

static lethe_rc scan_commits(struct verifier *v)
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
    if(!rc && s.problem[0] && !v->commit_failure[0])
      snprintf(v->commit_failure, sizeof(v->commit_failure), "commit %s (\"%.80s\") %s",
               short_id(&v->commits[i], id), git_commit_summary(s.commit), s.problem);
    git_commit_free(s.commit);
  }
  return rc;
}

/* ---- (B) certificates, (C) chain -------------------------------------- */

static int by_order(const void *a, const void *b)
{
  const struct cert *x = a, *y = b;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* The certificate's own content: id, schema, path, canonical form. */
static lethe_rc check_content(struct verifier *v, const struct cert *c, const struct dynbuf *json)
{
  struct json_object *doc = json_tokener_parse(json->mem), *id, *schema, *issued;
  const char *base = strrchr(c->path, '/') + 1;
  struct dynbuf canon;
  char want[128];
  lethe_rc rc = LETHE_OK;
  if(!doc || !json_object_is_type(doc, json_type_object)) {
    json_object_put(doc);
    return fail(v, "%s: not a JSON object", c->path);
  }
  if(!json_object_object_get_ex(doc, "schema", &schema) ||
     strcmp(json_object_get_string(schema), CERTIFICATE_SCHEMA))
    rc = fail(v, "%s: not a " CERTIFICATE_SCHEMA " certificate", c->path);
  if(!rc && (!json_object_object_get_ex(doc, "id", &id) ||
             snprintf(want, sizeof(want), "%s.json", json_object_get_string(id)) < 0 ||
             strcmp(want, base)))
    rc = fail(v, "%s: its name does not match the id inside it", c->path);
  if(!rc && (!json_object_object_get_ex(doc, "issued_at", &issued) ||
             strlen(json_object_get_string(issued)) < 8 ||
             strncmp(c->path + sizeof(CERTIFICATE_DIR), json_object_get_string(issued), 4) ||
             strncmp(c->path + sizeof(CERTIFICATE_DIR) + 5, json_object_get_string(issued) + 5,
                     2)))
    rc = fail(v, "%s: filed under a month other than its issue date", c->path);
  db_init(&canon, CERTIFICATE_MAX);
  if(!rc && (canonical_json(doc, &canon) || db_add(&canon, "\n", 1) || canon.len != json->len ||
             memcmp(canon.mem, json->mem, json->len)))
    rc = fail(v, "%s: not in canonical form", c->path);
  db_release(&canon);
  json_object_put(doc);
  return rc;
}

/* The signature over json, by a key allowed_signers allows for
 * certificates. what names the file in messages. */
static lethe_rc check_signature(struct verifier *v, const char *what, const struct dynbuf *json,
                                const struct dynbuf *sig)
{
  struct sshsig_key *signer = NULL;
  struct lethe_err e = { 0 };
  struct dynbuf fp;
  lethe_rc rc = LETHE_OK;
  if(sshsig_verify(sig->mem, sig->len, SSHSIG_NS_CERTIFICATE, json->mem, json->len, &signer, &e))
    return fail(v, "%s: the signature does not verify (%s): the certificate or its .sig "
                "was changed or swapped", what, e.msg);
  if(!signers_find(&v->signers, signer, SSHSIG_NS_CERTIFICATE)) {
    db_init(&fp, 256);
    if(sshsig_fingerprint(signer, &fp))
      db_reset(&fp);
    rc = fail(v, "%s: signed by a key that " LEDGER_ALLOWED_SIGNERS " does not allow for "
              "certificates (%s)", what, db_str(&fp));
    db_release(&fp);
  }
  sshsig_free(signer);
  return rc;
}

static lethe_rc check_cert(struct verifier *v, const struct cert *c, char *hex)
{
  struct dynbuf json, sig;
  lethe_rc rc;
  if(!c->has_sig)
    return fail(v, "%s: has no signature (%s" LEDGER_SIG_SUFFIX " is missing)", c->path,
                c->path);
  db_init(&json, CERTIFICATE_MAX);
  db_init(&sig, 1024 * 1024);
  rc = read_blob(v, &c->json, &json);
  if(!rc)
    rc = read_blob(v, &c->sig, &sig);
  if(!rc)
    rc = check_signature(v, c->path, &json, &sig);
  if(!rc)
    rc = check_content(v, c, &json);
  if(!rc)
    sha256_hex(json.mem, json.len, hex);
  db_release(&json);
  db_release(&sig);
  return rc;
}

static lethe_rc check_certificates(struct verifier *v, char (*hashes)[SHA256_HEX_LEN])
{
  lethe_rc rc = LETHE_OK;
  if(v->n_strays)
    return fail(v, "%s: does not belong in the ledger (only " LEDGER_ALLOWED_SIGNERS
                " and certificates/YYYY/MM/ID.json with ID.json.sig)", v->strays[0]);
  for(size_t i = 0; i < v->n_certs && !rc; i++)
    rc = check_cert(v, &v->certs[i], hashes[i]);
  if(!rc)
    notef(v, "ok: %zu certificate signature%s", v->n_certs, v->n_certs == 1 ? "" : "s");
  return rc;
}

static lethe_rc previous_of(struct verifier *v, const struct cert *c, char *out, size_t size)
{
  struct dynbuf json;
  struct json_object *doc, *prev;
  lethe_rc rc;
  db_init(&json, CERTIFICATE_MAX);
  rc = read_blob(v, &c->json, &json);
  doc = rc ? NULL : json_tokener_parse(json.mem);
  out[0] = '\0';
  if(doc && json_object_object_get_ex(doc, "previous", &prev) &&
     json_object_is_type(prev, json_type_string))
    snprintf(out, size, "%s", json_object_get_string(prev));
  json_object_put(doc);
  db_release(&json);
  return rc;
}

static lethe_rc check_chain(struct verifier *v, char (*hashes)[SHA256_HEX_LEN])
{
  char prev[128];
  for(size_t i = 0; i < v->n_certs; i++) {
    const struct cert *c = &v->certs[i];
    lethe_rc rc = previous_of(v, c, prev, sizeof(prev));
    if(rc)
      return rc;
    if(!i && prev[0])
      return fail(v, "chain broken at %s: it names a previous certificate (%.16s...) but is "
                  "the first in the ledger: a certificate is missing", c->path, prev);
    if(i && strcmp(prev, hashes[i - 1]))
      return fail(v, "chain broken at %s: its previous certificate hashes to %.16s... but "
                  "the one before it in the ledger (%s) hashes to %.16s...: a certificate "
                  "is missing, reordered or changed", c->path, prev[0] ? prev : "(none)",
                  v->certs[i - 1].path, hashes[i - 1]);
  }
  notef(v, "ok: chain of %zu previous-certificate hash%s", v->n_certs,
        v->n_certs == 1 ? "" : "es");
  return LETHE_OK;
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
  if(rc)
    rc = fail(v, "%s", v->err->msg);
  if(!rc)
    rc = check_signature(v, file, &json, &sig);
  for(size_t i = 0; !rc && i < v->n_certs && !match; i++)
    if(!strcmp(strrchr(v->certs[i].path, '/') + 1, base))
      match = &v->certs[i];
  if(!rc && !match)
    rc = fail(v, "%s: not in the ledger", file);
  if(!rc)
    rc = read_blob(v, &match->json, &ours);
  if(!rc && (ours.len != json.len || memcmp(ours.mem, json.mem, json.len)))
    rc = fail(v, "%s: differs from the ledger's copy %s", file, match->path);
  if(!rc)
    notef(v, "ok: %s is signed and is %s in the ledger", file, match->path);
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

static lethe_rc run_checks(struct verifier *v)
{
  char (*hashes)[SHA256_HEX_LEN];
  lethe_rc rc = check_append_only(v);
  if(!rc)
    rc = load_signers(v);
  if(!rc)
    rc = list_files(v);
  if(!rc)
    rc = scan_commits(v);
  if(rc)
    return rc;
  qsort(v->certs, v->n_certs, sizeof(*v->certs), by_order);
  hashes = calloc(v->n_certs + 1, sizeof(*hashes));
  if(!hashes)
    return LETHE_E_NOMEM;
  rc = check_certificates(v, hashes);
  if(!rc)
    rc = check_chain(v, hashes);
  free(hashes);
  if(!rc && v->commit_failure[0])
    rc = fail(v, "%s", v->commit_failure);
  if(!rc)
    notef(v, "ok: %zu commit%s, each signed and only adding", v->n_commits,
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
    return fail(v, "history rewritten: the ledger has no commit, but a head was verified "
                "before");
  if(!rc && v->o->n_certs)
    return fail(v, "%s: not in the ledger (it has no certificate yet)", v->o->certs[0]);
  if(!rc)
    notef(v, "ok: the ledger has no certificate yet");
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
    notef(&v, "verified: %zu certificate%s, HEAD %s%s", v.n_certs, v.n_certs == 1 ? "" : "s",
          git_oid_tostr(id, sizeof(id), &v.head), o->state_dir ? " (recorded)" : "");
  verifier_release(&v);
  return rc;
}

/* The trainer's ledger: history, attestation commits, pushes. */
#include "confirm_ledger.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attestation.h"
#include "ledger.h"
#include "verify.h"

#define APPEND_TRIES 8

struct walk_state {
  struct ledger *l;
  struct confirm_history *h;
  git_oid attestation;            /* the blob of an attestation the commit adds */
  bool found_attestation;
  lethe_rc rc;
};

static bool under(const char *path, const char *dir)
{
  size_t n = strlen(dir);
  return !strncmp(path, dir, n) && path[n] == '/';
}

static bool ends_json(const char *path)
{
  size_t n = strlen(path);
  return n > 5 && !strcmp(path + n - 5, ".json");
}

static uint64_t total(struct json_object *doc, const char *key)
{
  struct json_object *totals = NULL, *v = NULL;
  if(json_object_object_get_ex(doc, "totals", &totals) &&
     json_object_object_get_ex(totals, key, &v) && json_object_get_int64(v) > 0)
    return (uint64_t)json_object_get_int64(v);
  return 0;
}

/* A certificate's head file: its items past a few MiB go to part files. */
#define CERTIFICATE_HEAD_MAX (256u * 1024 * 1024)

/* A blob's JSON (not NUL-terminated), or NULL. */
static struct json_object *parse_json(const void *data, size_t len)
{
  struct json_tokener *tok = json_tokener_new();
  struct json_object *doc = NULL;
  if(tok && len < CERTIFICATE_HEAD_MAX)
    doc = json_tokener_parse_ex(tok, data, (int)len);
  json_tokener_free(tok);
  return doc;
}

/* Read the certificate at path (blob) into a new entry at the front: the
 * walk goes from the newest commit back. */
static lethe_rc add_cert(struct walk_state *w, const char *path, const git_oid *blob)
{
  struct confirm_history *h = w->h;
  struct confirm_cert *v = realloc(h->certs, (h->n + 1) * sizeof(*v)), *c;
  struct json_object *doc, *id = NULL;
  git_blob *b = NULL;
  if(!v)
    return LETHE_E_NOMEM;
  h->certs = v;
  memmove(v + 1, v, h->n * sizeof(*v));
  h->n++;
  c = &v[0];
  memset(c, 0, sizeof(*c));
  snprintf(c->path, sizeof(c->path), "%s", path);
  if(git_blob_lookup(&b, w->l->repo, blob))
    return LETHE_E_IO;
  sha256_hex(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), c->sha256);
  doc = parse_json(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
  if(json_object_object_get_ex(doc, "id", &id))
    snprintf(c->id, sizeof(c->id), "%s", json_object_get_string(id));
  c->deleted = total(doc, "deleted");
  c->failed = total(doc, "failed");
  json_object_put(doc);
  git_blob_free(b);
  return LETHE_OK;
}

static lethe_rc on_change(void *ctx, char status, const char *path, const git_oid *blob)
{
  struct walk_state *w = ctx;
  if(status != 'A' || !ends_json(path))
    return LETHE_OK;
  if(under(path, ATTESTATION_DIR)) {
    git_oid_cpy(&w->attestation, blob);
    w->found_attestation = true;
    return LETHE_OK;
  }
  if(under(path, CERTIFICATE_DIR) && ledger_is_certificate(path))
    return add_cert(w, path, blob);
  return LETHE_OK;
}

static void read_last_attestation(struct walk_state *w)
{
  struct attest_summary s;
  git_blob *b = NULL;
  char why[200];
  if(git_blob_lookup(&b, w->l->repo, &w->attestation))
    return;
  if(!attestation_read(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), &s, why,
                       sizeof(why))) {
    w->h->has_last = true;
    w->h->last_attested_at = s.attested_at;
    attest_summary_release(&s);
  }
  git_blob_free(b);
}

static lethe_rc walk_back(struct ledger *l, const git_oid *head, struct confirm_history *h,
                          struct lethe_err *err)
{
  struct walk_state w = { .l = l, .h = h };
  git_commit *commit = NULL, *parent;
  lethe_rc rc = LETHE_OK;
  if(git_commit_lookup(&commit, l->repo, head))
    return err_set(err, LETHE_E_IO, "ledger: cannot read the head commit: %s",
                   ledger_git_error());
  while(!rc && commit) {
    /* a commit adds either an attestation or a certificate, never both */
    rc = ledger_changes(l, commit, on_change, &w, err);
    if(rc || w.found_attestation)
      break;
    parent = NULL;
    if(git_commit_parentcount(commit) && git_commit_parent(&parent, commit, 0))
      rc = err_set(err, LETHE_E_IO, "ledger: cannot read a commit: %s", ledger_git_error());
    git_commit_free(commit);
    commit = parent;
  }
  git_commit_free(commit);
  if(!rc && w.found_attestation)
    read_last_attestation(&w);
  return rc;
}

/* Open the ledger at dir for reading and find its head; a ledger that
 * does not exist yet is LETHE_OK with *unborn (and l closed). */
static lethe_rc open_head(const char *dir, struct ledger *l, git_oid *head, bool *unborn,
                          struct lethe_err *err)
{
  lethe_rc rc = ledger_open(l, dir, false, err);
  *unborn = true;
  if(rc == LETHE_E_NOTFOUND) {
    ledger_close(l);
    err_clear(err);
    return LETHE_OK;
  }
  return rc ? rc : ledger_head(l, head, unborn, err);
}

lethe_rc confirm_history_read(const char *dir, struct confirm_history *h,
                              struct lethe_err *err)
{
  struct ledger l;
  git_oid head;
  bool unborn;
  lethe_rc rc;
  memset(h, 0, sizeof(*h));
  rc = open_head(dir, &l, &head, &unborn, err);
  if(!rc && !unborn)
    rc = walk_back(&l, &head, h, err);
  ledger_close(&l);
  return rc;
}

void confirm_history_release(struct confirm_history *h)
{
  free(h->certs);
  memset(h, 0, sizeof(*h));
}

/* ---- committing ----------------------------------------------------------------- */

/* The allowed_signers text to commit along (owned), or NULL when the one at
 * head already allows the key for attestations. */
static lethe_rc signers_for(const struct confirm_config *c, struct ledger *l,
                            const git_oid *head, bool unborn, const struct sshsig_key *key,
                            char **text, struct lethe_err *err)
{
  struct dynbuf have, pub;
  struct signers s = { 0 };
  bool found = false;
  lethe_rc rc = LETHE_OK;
  *text = NULL;
  db_init(&have, 1024 * 1024);
  db_init(&pub, 1024);
  if(!unborn)
    rc = ledger_read(l, head, LEDGER_ALLOWED_SIGNERS, &have, &found, err);
  if(!rc && found)
    rc = signers_parse(&s, have.mem, have.len, LEDGER_ALLOWED_SIGNERS, err);
  if(!rc && (!found || !signers_find(&s, key, SSHSIG_NS_ATTESTATION)))
    rc = sshsig_public_openssh(key, &pub);
  if(!rc && pub.len &&
     db_addf(&have, "%s%s namespaces=\"%s,%s,%s\" %s\n",
             have.len && have.mem[have.len - 1] != '\n' ? "\n" : "", c->email, SSHSIG_NS_GIT,
             SSHSIG_NS_CERTIFICATE, SSHSIG_NS_ATTESTATION, db_str(&pub)) == LETHE_OK) {
    *text = strdup(db_str(&have));
    if(!*text)
      rc = LETHE_E_NOMEM;
  }
  signers_release(&s);
  db_release(&have);
  db_release(&pub);
  return rc;
}

static lethe_rc append_once(const struct confirm_config *c, struct ledger *l,
                            const struct sshsig_key *key, const struct confirm_record *rec,
                            git_oid *out, struct lethe_err *err)
{
  char host[256] = "", *signers = NULL, hex[SHA256_HEX_LEN], *msg = NULL;
  struct ledger_file files[2];
  struct ledger_entry e = { .files = files, .n_files = 2, .host = host };
  struct iovec json = { rec->json->mem, rec->json->len }, sig = { rec->sig->mem, rec->sig->len };
  git_oid head;
  bool unborn;
  lethe_rc rc = ledger_head(l, &head, &unborn, err);
  snprintf(files[0].path, sizeof(files[0].path), "%s", rec->path);
  snprintf(files[1].path, sizeof(files[1].path), "%s%s", rec->path, LEDGER_SIG_SUFFIX);
  if(!rc)
    rc = ledger_blob_write(l, &json, 1, &files[0].id, err);
  if(!rc)
    rc = ledger_blob_write(l, &sig, 1, &files[1].id, err);
  gethostname(host, sizeof(host) - 1);
  sha256_hex(rec->json->mem, rec->json->len, hex);
  if(!rc)
    rc = signers_for(c, l, &head, unborn, key, &signers, err);
  if(!rc && asprintf(&msg, "Attestation %s\n\nsha256 %s\nby: %s <%s>\n", rec->id, hex,
                     c->name, c->email) < 0) {
    msg = NULL;
    rc = LETHE_E_NOMEM;
  }
  e.allowed_signers = signers;
  e.message = msg;
  if(!rc)
    rc = ledger_append(l, &head, unborn, &e, key, out, err);
  free(signers);
  free(msg);
  return rc;
}

lethe_rc confirm_ledger_commit(const struct confirm_config *c, const struct sshsig_key *key,
                               const struct confirm_record *rec, char *hex,
                               struct lethe_err *err)
{
  struct ledger l;
  git_oid commit;
  lethe_rc rc = ledger_open(&l, c->agent.ledger_dir, true, err);
  for(int i = 0; !rc || rc == LETHE_E_CHANGED; i++) {
    if(i == APPEND_TRIES)
      break;
    err_clear(err);
    rc = append_once(c, &l, key, rec, &commit, err);
    if(rc != LETHE_E_CHANGED)
      break;
  }
  if(!rc)
    git_oid_tostr(hex, GIT_OID_HEXSZ + 1, &commit);
  ledger_close(&l);
  return rc;
}

lethe_rc confirm_ledger_push(const struct confirm_config *c, bool *pushed,
                             struct lethe_err *err)
{
  struct ledger l;
  char dest[600];
  git_oid head;
  bool unborn;
  lethe_rc rc;
  *pushed = false;
  if(!c->agent.remote)
    return LETHE_OK;
  rc = open_head(c->agent.ledger_dir, &l, &head, &unborn, err);
  snprintf(dest, sizeof(dest), "refs/heads/%s", c->branch);
  if(!rc && !unborn) {
    rc = ledger_push_to(&l, c->agent.remote, dest, err);
    *pushed = !rc;
  }
  ledger_close(&l);
  return rc;
}

/* The certified history of deletions, for the clock deleted:RULE: which
 * subjects a rule deleted, and when, as the ledger's certificates say. The
 * ledger is verified first (every signature, the chain, the commits), so a
 * history nobody signed never starts a clock. */
#include "history.h"

#include <string.h>

#include "cert_read.h"
#include "isotime.h"
#include "ledger.h"
#include "uri.h"
#include "verify.h"

struct walk_ctx {
  struct ledger *l;
  const char *rule;
  struct events *ev;
  struct lethe_err *err;
  lethe_rc rc;
};

/* The subject's last component: a subject deleted from a share ("Acme
 * Ltd") and the same client's folder in a backup ("Clients/Acme Ltd") meet
 * there. The certificate's subject is percent-encoded. */
static lethe_rc add_subject(struct events *ev, const char *encoded, int64_t when)
{
  struct dynbuf raw;
  const char *last;
  size_t n;
  lethe_rc rc;
  db_init(&raw, 64 * 1024);
  rc = uri_decode(encoded, &raw);
  n = raw.len;
  while(!rc && n > 1 && raw.mem[n - 1] == '/')
    n--;
  last = raw.mem ? memrchr(raw.mem, '/', n) : NULL;
  last = last ? last + 1 : raw.mem;
  if(!rc && raw.mem && n > (size_t)(last - raw.mem))
    rc = events_add(ev, last, n - (size_t)(last - raw.mem), when);
  db_release(&raw);
  return rc;
}

/* An item of a certificate: kept when rule deleted it, with its subject. */
static lethe_rc on_item(void *ctx, const struct cert_item *it)
{
  struct walk_ctx *c = ctx;
  int64_t when;
  if(!it->rule || strcmp(it->rule, c->rule) || !it->result || strcmp(it->result, "deleted") ||
     !it->subject || !it->deleted_at || isotime_parse(it->deleted_at, &when, NULL))
    return LETHE_OK;
  return add_subject(c->ev, it->subject, when);
}

static lethe_rc feed(void *ctx, const void *data, size_t n)
{
  return cert_reader_feed(ctx, data, n);
}

/* Every certificate and part, each read as it streams: lethe-certificate/1
 * keeps all its items in one file, /2 in the certificate and its parts. */
static int on_entry(const char *root, const git_tree_entry *e, void *payload)
{
  struct walk_ctx *c = payload;
  struct cert_reader r;
  char id[UUID_TEXT_LEN];
  unsigned part;
  enum cert_file_kind kind = certificate_file_kind(git_tree_entry_name(e), id, &part);
  if(git_tree_entry_type(e) != GIT_OBJECT_BLOB || strncmp(root, CERTIFICATE_DIR "/",
                                                         sizeof(CERTIFICATE_DIR)) ||
     (kind != CERT_FILE_HEAD && kind != CERT_FILE_PART))
    return 0;
  cert_reader_init(&r, true, on_item, c);
  c->rc = ledger_blob_stream(c->l, git_tree_entry_id(e), feed, &r, c->err);
  if(!c->rc)
    c->rc = cert_reader_finish(&r);
  if(c->rc == LETHE_E_PARSE)
    err_set(c->err, c->rc, "ledger: %s%s is not a certificate: %s", root,
            git_tree_entry_name(e), cert_reader_why(&r));
  cert_reader_release(&r);
  return c->rc ? -1 : 0;
}

static lethe_rc walk_head(struct ledger *l, const char *rule, struct events *ev,
                          struct lethe_err *err)
{
  struct walk_ctx c = { .l = l, .rule = rule, .ev = ev, .err = err };
  git_oid head;
  git_commit *commit = NULL;
  git_tree *tree = NULL;
  bool unborn;
  lethe_rc rc = ledger_head(l, &head, &unborn, err);
  if(rc || unborn)
    return rc;
  if(git_commit_lookup(&commit, l->repo, &head) || git_commit_tree(&tree, commit))
    rc = err_set(err, LETHE_E_IO, "ledger: cannot read its head: %s", ledger_git_error());
  if(!rc && git_tree_walk(tree, GIT_TREEWALK_PRE, on_entry, &c) && !c.rc)
    c.rc = err_set(err, LETHE_E_IO, "ledger: cannot walk its tree: %s", ledger_git_error());
  git_tree_free(tree);
  git_commit_free(commit);
  return rc ? rc : c.rc;
}

static void ignore(void *ctx, const char *line)
{
  (void)ctx;
  (void)line;
}

lethe_rc history_deletions(const char *ledger_dir, const char *rule, struct events **out,
                           struct lethe_err *err)
{
  struct verify_opts vo = { .ledger_dir = ledger_dir };
  struct ledger l = { 0 };
  lethe_rc rc = events_new(out);
  if(rc)
    return err_set(err, rc, "out of memory");
  rc = ledger_open(&l, ledger_dir, false, err);
  if(rc == LETHE_E_NOTFOUND) {
    ledger_close(&l);
    return LETHE_OK; /* no ledger yet: nothing was ever certified deleted */
  }
  if(!rc)
    rc = verify_ledger(&vo, ignore, NULL, err);
  if(!rc)
    rc = walk_head(&l, rule, *out, err);
  ledger_close(&l);
  if(rc) {
    events_free(*out);
    *out = NULL;
  }
  return rc;
}

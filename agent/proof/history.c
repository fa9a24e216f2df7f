/* The certified history of deletions, for the clock deleted:RULE: which
 * subjects a rule deleted, and when, as the ledger's certificates say. The
 * ledger is verified first (every signature, the chain, the commits), so a
 * history nobody signed never starts a clock. */
#include "history.h"

#include <json-c/json.h>
#include <string.h>

#include "isotime.h"
#include "ledger.h"
#include "uri.h"
#include "verify.h"

#define CERT_MAX ((size_t)1024 * 1024 * 1024)

struct walk_ctx {
  struct ledger *l;
  const char *rule;
  struct events *ev;
  struct dynbuf text;
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

static const char *text_of(struct json_object *o, const char *key)
{
  struct json_object *v;
  if(!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
    return NULL;
  return json_object_get_string(v);
}

/* Every item of the certificate that rule deleted, with its subject. */
static lethe_rc read_certificate(struct walk_ctx *c, struct json_object *doc)
{
  struct json_object *items;
  lethe_rc rc = LETHE_OK;
  if(!json_object_object_get_ex(doc, "items", &items) ||
     !json_object_is_type(items, json_type_array))
    return LETHE_OK;
  for(size_t i = 0; !rc && i < json_object_array_length(items); i++) {
    struct json_object *it = json_object_array_get_idx(items, i);
    const char *rule = text_of(it, "rule"), *result = text_of(it, "result");
    const char *subject = text_of(it, "subject"), *at = text_of(it, "deleted_at");
    int64_t when;
    if(!rule || strcmp(rule, c->rule) || !result || strcmp(result, "deleted") || !subject ||
       !at || isotime_parse(at, &when, NULL))
      continue;
    rc = add_subject(c->ev, subject, when);
  }
  return rc;
}

static int on_entry(const char *root, const git_tree_entry *e, void *payload)
{
  struct walk_ctx *c = payload;
  const char *name = git_tree_entry_name(e);
  size_t n = strlen(name);
  struct json_object *doc;
  git_blob *blob = NULL;
  if(git_tree_entry_type(e) != GIT_OBJECT_BLOB || strncmp(root, "certificates/", 13) ||
     n < 6 || strcmp(name + n - 5, ".json"))
    return 0;
  if(git_blob_lookup(&blob, c->l->repo, git_tree_entry_id(e))) {
    c->rc = err_set(c->err, LETHE_E_IO, "ledger: cannot read %s%s", root, name);
    return -1;
  }
  doc = (size_t)git_blob_rawsize(blob) < CERT_MAX
        ? json_tokener_parse((const char *)git_blob_rawcontent(blob)) : NULL;
  git_blob_free(blob);
  if(!doc) {
    c->rc = err_set(c->err, LETHE_E_PARSE, "ledger: %s%s is not a certificate", root, name);
    return -1;
  }
  c->rc = read_certificate(c, doc);
  json_object_put(doc);
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

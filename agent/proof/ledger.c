/* The git ledger, written with libgit2. */
#include "ledger.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "certificate.h"

const char *ledger_git_error(void)
{
  const git_error *e = git_error_last();
  return e && e->message ? e->message : "unknown error";
}

static lethe_rc git_fail(struct lethe_err *err, const char *what)
{
  return err_set(err, LETHE_E_IO, "ledger: %s: %s", what, ledger_git_error());
}

void ledger_redact_url(const char *url, char *buf, size_t size)
{
  const char *scheme = strstr(url, "://");
  const char *host = scheme ? scheme + 3 : url;
  const char *at = strchr(host, '@'), *slash = strchr(host, '/');
  if(scheme && at && (!slash || at < slash))
    snprintf(buf, size, "%.*s***%s", (int)(host - url), url, at);
  else
    snprintf(buf, size, "%s", url);
}

/* Let `git verify-commit` and `git log --show-signature` work in the ledger
 * as they are; lethe verify never relies on this. */
static void configure(struct ledger *l)
{
  git_config *cfg = NULL;
  char *path = NULL;
  if(git_repository_config(&cfg, l->repo))
    return;
  if(asprintf(&path, "%s/" LEDGER_ALLOWED_SIGNERS, git_repository_workdir(l->repo)) >= 0) {
    if(git_config_set_string(cfg, "gpg.format", "ssh") ||
       git_config_set_string(cfg, "gpg.ssh.allowedSignersFile", path))
      git_error_clear();
  }
  free(path);
  git_config_free(cfg);
}

static lethe_rc init_repo(struct ledger *l, const char *dir, struct lethe_err *err)
{
  git_repository_init_options opts;
  git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
  opts.flags = GIT_REPOSITORY_INIT_MKPATH;
  opts.initial_head = "main";
  if(git_repository_init_ext(&l->repo, dir, &opts))
    return err_set(err, LETHE_E_IO, "%s: cannot create the ledger: %s", dir,
                   ledger_git_error());
  configure(l);
  return LETHE_OK;
}

/* Writers of one ledger take turns: each holds a lock on its directory
 * from ledger_open to ledger_close (the kernel drops it when a writer dies,
 * so it is never stale). Two configurations (two state directories, two
 * lethe locks) may share a ledger; under this lock one writer's stale-lock
 * clearing never removes the git lock of another that is alive, nor do two
 * checkouts of the work tree cross. */
static lethe_rc lock_writer(struct ledger *l, const char *dir, struct lethe_err *err)
{
  if(mkdir(dir, 0700) && errno != EEXIST)
    return err_sys(err, LETHE_E_IO, "%s: cannot create the ledger directory", dir);
  l->writer_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(l->writer_fd < 0 || flock(l->writer_fd, LOCK_EX))
    return err_sys(err, LETHE_E_IO, "%s: cannot lock the ledger directory", dir);
  return LETHE_OK;
}

/* Create the ledger (the caller holds the writer lock). */
static lethe_rc create(struct ledger *l, const char *dir, struct lethe_err *err)
{
  int rc = git_repository_open_ext(&l->repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
  if(rc == GIT_ENOTFOUND)
    return init_repo(l, dir, err);
  if(rc)
    return err_set(err, LETHE_E_IO, "%s: cannot open the ledger: %s", dir, ledger_git_error());
  return LETHE_OK;
}

static lethe_rc find_branch(struct ledger *l, struct lethe_err *err)
{
  git_reference *head = NULL;
  const char *target;
  if(git_reference_lookup(&head, l->repo, "HEAD"))
    return git_fail(err, "cannot read HEAD");
  target = git_reference_symbolic_target(head);
  if(!target || strncmp(target, "refs/heads/", 11)) {
    git_reference_free(head);
    return err_set(err, LETHE_E_UNSAFE, "ledger %s: HEAD is not on a branch", l->dir);
  }
  snprintf(l->branch, sizeof(l->branch), "%s", target);
  git_reference_free(head);
  return LETHE_OK;
}

lethe_rc ledger_open(struct ledger *l, const char *dir, bool create_it, struct lethe_err *err)
{
  int rc;
  memset(l, 0, sizeof(*l));
  l->dir = strdup(dir);
  if(!l->dir)
    return LETHE_E_NOMEM;
  l->writer_fd = -1;
  git_libgit2_init(); /* reference-counted; ledger_close shuts it down */
  if(create_it) {
    rc = lock_writer(l, dir, err);
    if(rc)
      return rc;
    ledger_clear_stale_locks(dir);
  }
  rc = git_repository_open_ext(&l->repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
  if(rc && create_it) {
    /* missing, or half made by a writer that died */
    git_error_clear();
    rc = create(l, dir, err);
    if(rc)
      return rc;
  }
  if(rc == GIT_ENOTFOUND)
    return err_set(err, LETHE_E_NOTFOUND, "%s: no ledger (not a git repository)", dir);
  if(rc)
    return err_set(err, LETHE_E_IO, "%s: cannot open the ledger: %s", dir, ledger_git_error());
  if(git_repository_is_bare(l->repo))
    return err_set(err, LETHE_E_CONFIG, "%s: the ledger must not be a bare repository "
                   "(push to bare copies with 'remote')", dir);
  return find_branch(l, err);
}

void ledger_close(struct ledger *l)
{
  if(l->dir) {
    git_repository_free(l->repo);
    git_libgit2_shutdown();
    if(l->writer_fd >= 0)
      close(l->writer_fd); /* and with it the writer lock */
  }
  free(l->dir);
  memset(l, 0, sizeof(*l));
}

lethe_rc ledger_head(struct ledger *l, git_oid *head, bool *unborn, struct lethe_err *err)
{
  int rc;
  if(!l->branch[0]) {
    rc = find_branch(l, err);
    if(rc)
      return rc;
  }
  rc = git_reference_name_to_id(head, l->repo, l->branch);
  *unborn = rc == GIT_ENOTFOUND;
  if(*unborn) {
    memset(head, 0, sizeof(*head));
    return LETHE_OK;
  }
  return rc ? git_fail(err, "cannot read the branch") : LETHE_OK;
}

/* The tree of the first parent of commit, or NULL (the empty tree, which
 * git_diff takes as NULL: nothing is written to the repository). */
static lethe_rc parent_tree(struct ledger *l, git_commit *commit, git_tree **out,
                            struct lethe_err *err)
{
  git_commit *parent = NULL;
  int rc;
  *out = NULL;
  if(!git_commit_parentcount(commit))
    return LETHE_OK;
  rc = git_commit_parent(&parent, commit, 0);
  if(!rc)
    rc = git_commit_tree(out, parent);
  git_commit_free(parent);
  return rc ? git_fail(err, "cannot read a parent commit") : LETHE_OK;
}

static char delta_status(git_delta_t s)
{
  return s == GIT_DELTA_ADDED ? 'A' : s == GIT_DELTA_DELETED ? 'D' : 'M';
}

lethe_rc ledger_changes(struct ledger *l, git_commit *commit, ledger_change_fn fn, void *ctx,
                        struct lethe_err *err)
{
  git_diff_options opts;
  git_tree *old = NULL, *now = NULL;
  git_diff *diff = NULL;
  lethe_rc rc = parent_tree(l, commit, &old, err);
  git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
  if(!rc && git_commit_tree(&now, commit))
    rc = git_fail(err, "cannot read a commit's tree");
  /* type changes (a file made a link) must show, not be split in two */
  opts.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
  if(!rc && git_diff_tree_to_tree(&diff, l->repo, old, now, &opts))
    rc = git_fail(err, "cannot compare trees");
  for(size_t i = 0; !rc && diff && i < git_diff_num_deltas(diff); i++) {
    const git_diff_delta *d = git_diff_get_delta(diff, i);
    bool gone = d->status == GIT_DELTA_DELETED;
    rc = fn(ctx, delta_status(d->status), gone ? d->old_file.path : d->new_file.path,
            gone ? &d->old_file.id : &d->new_file.id);
  }
  git_diff_free(diff);
  git_tree_free(old);
  git_tree_free(now);
  return rc;
}

lethe_rc ledger_read(struct ledger *l, const git_oid *commit_id, const char *path,
                     struct dynbuf *out, bool *found, struct lethe_err *err)
{
  git_commit *commit = NULL;
  git_tree *tree = NULL;
  git_tree_entry *entry = NULL;
  git_blob *blob = NULL;
  lethe_rc rc = LETHE_OK;
  int g;
  *found = false;
  if(git_commit_lookup(&commit, l->repo, commit_id) || git_commit_tree(&tree, commit)) {
    rc = git_fail(err, "cannot read a commit");
    goto done;
  }
  g = git_tree_entry_bypath(&entry, tree, path);
  if(g == GIT_ENOTFOUND || (!g && git_tree_entry_type(entry) != GIT_OBJECT_BLOB))
    goto done;
  if(g || git_blob_lookup(&blob, l->repo, git_tree_entry_id(entry))) {
    rc = git_fail(err, path);
    goto done;
  }
  rc = db_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
  *found = !rc;
done:
  git_blob_free(blob);
  git_tree_entry_free(entry);
  git_tree_free(tree);
  git_commit_free(commit);
  return rc;
}

bool ledger_is_certificate(const char *path)
{
  const char *base = strrchr(path, '/');
  char id[UUID_TEXT_LEN];
  unsigned part;
  return !strncmp(path, CERTIFICATE_DIR "/", sizeof(CERTIFICATE_DIR)) && base &&
         certificate_file_kind(base + 1, id, &part) == CERT_FILE_HEAD;
}

struct added {
  git_oid blob;
  bool found;
};

static lethe_rc note_added(void *ctx, char status, const char *path, const git_oid *blob)
{
  struct added *a = ctx;
  if(status == 'A' && ledger_is_certificate(path)) {
    git_oid_cpy(&a->blob, blob);
    a->found = true;
  }
  return LETHE_OK;
}

static lethe_rc hash_piece(void *ctx, const void *data, size_t n)
{
  return EVP_DigestUpdate(ctx, data, n) == 1 ? LETHE_OK : LETHE_E_NOMEM;
}

lethe_rc ledger_hash_blob(struct ledger *l, const git_oid *id, char hex[65], struct lethe_err *err)
{
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  unsigned char digest[32];
  unsigned int n = 0;
  lethe_rc rc = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 ? LETHE_OK : LETHE_E_NOMEM;
  if(!rc)
    rc = ledger_blob_stream(l, id, hash_piece, md, err);
  if(!rc && EVP_DigestFinal_ex(md, digest, &n) != 1)
    rc = LETHE_E_NOMEM;
  if(!rc)
    canon_hex(digest, sizeof(digest), hex);
  EVP_MD_CTX_free(md);
  return rc == LETHE_E_NOMEM ? err_set(err, rc, "out of memory hashing a certificate") : rc;
}

lethe_rc ledger_last_certificate(struct ledger *l, const git_oid *head, char *hex,
                                 struct lethe_err *err)
{
  git_commit *commit = NULL, *parent = NULL;
  struct added a = { .found = false };
  lethe_rc rc = LETHE_OK;
  hex[0] = '\0';
  if(git_commit_lookup(&commit, l->repo, head))
    return git_fail(err, "cannot read the head commit");
  while(!rc && commit) {
    rc = ledger_changes(l, commit, note_added, &a, err);
    if(rc || a.found)
      break;
    parent = NULL;
    if(git_commit_parentcount(commit) && git_commit_parent(&parent, commit, 0))
      rc = git_fail(err, "cannot read a parent commit");
    git_commit_free(commit);
    commit = parent;
  }
  git_commit_free(commit);
  if(!rc && a.found)
    rc = ledger_hash_blob(l, &a.blob, hex, err);
  return rc;
}

/* Look for NAME in each certificates/YYYY/MM of tree. */
static bool find_in(git_repository *repo, git_tree *root, const char *name)
{
  git_tree_entry *dir = NULL;
  git_tree *years = NULL;
  bool found = false;
  if(git_tree_entry_bypath(&dir, root, CERTIFICATE_DIR) ||
     git_tree_lookup(&years, repo, git_tree_entry_id(dir))) {
    git_tree_entry_free(dir);
    return false;
  }
  for(size_t y = 0; !found && y < git_tree_entrycount(years); y++) {
    const git_tree_entry *ye = git_tree_entry_byindex(years, y);
    git_tree *months = NULL;
    if(git_tree_entry_type(ye) != GIT_OBJECT_TREE ||
       git_tree_lookup(&months, repo, git_tree_entry_id(ye)))
      continue;
    for(size_t m = 0; !found && m < git_tree_entrycount(months); m++) {
      const git_tree_entry *me = git_tree_entry_byindex(months, m);
      git_tree *files = NULL;
      if(git_tree_entry_type(me) != GIT_OBJECT_TREE ||
         git_tree_lookup(&files, repo, git_tree_entry_id(me)))
        continue;
      found = git_tree_entry_byname(files, name) != NULL;
      git_tree_free(files);
    }
    git_tree_free(months);
  }
  git_tree_free(years);
  git_tree_entry_free(dir);
  git_error_clear();
  return found;
}

lethe_rc ledger_find(struct ledger *l, const git_oid *head, const char *id, bool *found,
                     struct lethe_err *err)
{
  git_commit *commit = NULL;
  git_tree *tree = NULL;
  char name[128];
  *found = false;
  if(git_commit_lookup(&commit, l->repo, head) || git_commit_tree(&tree, commit)) {
    git_commit_free(commit);
    return git_fail(err, "cannot read the head commit");
  }
  snprintf(name, sizeof(name), "%s.json", id);
  *found = find_in(l->repo, tree, name);
  git_tree_free(tree);
  git_commit_free(commit);
  return LETHE_OK;
}

/* ---- appending --------------------------------------------------------- */

static void upsert(git_tree_update *u, const char *path, const git_oid *id)
{
  memset(u, 0, sizeof(*u));
  u->action = GIT_TREE_UPDATE_UPSERT;
  u->filemode = GIT_FILEMODE_BLOB;
  u->path = path;
  git_oid_cpy(&u->id, id);
}

static lethe_rc make_tree(struct ledger *l, git_tree *base, const struct ledger_entry *e,
                          git_tree **out, struct lethe_err *err)
{
  git_tree_update *u = calloc(e->n_files + 1, sizeof(*u));
  size_t n = e->n_files;
  git_oid id;
  lethe_rc rc = LETHE_OK;
  if(!u)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  for(size_t i = 0; i < n; i++)
    upsert(&u[i], e->files[i].path, &e->files[i].id);
  if(e->allowed_signers) {
    if(git_blob_create_from_buffer(&id, l->repo, e->allowed_signers, strlen(e->allowed_signers)))
      rc = git_fail(err, "cannot write a blob");
    else
      upsert(&u[n++], LEDGER_ALLOWED_SIGNERS, &id);
  }
  if(!rc && (git_tree_create_updated(&id, l->repo, base, n, u) ||
             git_tree_lookup(out, l->repo, &id)))
    rc = git_fail(err, "cannot build the commit's tree");
  free(u);
  return rc;
}

/* The signed commit object for tree on top of parent (may be NULL). */
static lethe_rc make_commit(struct ledger *l, git_tree *tree, git_commit *parent,
                            const struct ledger_entry *e, const struct sshsig_key *key,
                            git_oid *out, struct lethe_err *err)
{
  const git_commit *parents[1] = { parent };
  git_signature *who = NULL;
  git_buf buf = { 0 };
  struct dynbuf sig;
  char email[300];
  lethe_rc rc = LETHE_OK;

  snprintf(email, sizeof(email), "lethe@%s", e->host);
  if(git_signature_now(&who, "Lethe", email))
    return git_fail(err, "cannot make the commit's author");
  if(git_commit_create_buffer(&buf, l->repo, who, who, NULL, e->message, tree, parent ? 1 : 0,
                              parents))
    rc = git_fail(err, "cannot make the commit");
  db_init(&sig, 64 * 1024);
  if(!rc)
    rc = sshsig_sign(key, SSHSIG_NS_GIT, buf.ptr, buf.size, &sig, err);
  if(!rc && git_commit_create_with_signature(out, l->repo, buf.ptr, db_str(&sig), "gpgsig"))
    rc = git_fail(err, "cannot write the signed commit");
  db_release(&sig);
  git_buf_dispose(&buf);
  git_signature_free(who);
  return rc;
}

/* Compare-and-swap: move the branch from expect to id, or LETHE_E_CHANGED. */
static lethe_rc move_branch(struct ledger *l, const git_oid *expect, bool unborn,
                            const git_oid *id, struct lethe_err *err)
{
  git_reference *ref = NULL;
  int rc;
  if(unborn)
    rc = git_reference_create(&ref, l->repo, l->branch, id, 0, "lethe: certificate");
  else
    rc = git_reference_create_matching(&ref, l->repo, l->branch, id, 1, expect,
                                       "lethe: certificate");
  git_reference_free(ref);
  if(rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ELOCKED) {
    git_error_clear();
    return err_set(err, LETHE_E_CHANGED, "ledger %s: the branch moved meanwhile", l->dir);
  }
  return rc ? git_fail(err, "cannot move the branch") : LETHE_OK;
}

/* Bring the work tree and index to the branch's head, from what the index
 * says the work tree holds (so that the last of several writers leaves it
 * at the newest commit). The commit is already safe in the branch: a
 * failure here is only a warning, and the next commit catches up. */
static void update_worktree(struct ledger *l)
{
  git_checkout_options opts;
  git_index *index = NULL;
  git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
  opts.checkout_strategy = GIT_CHECKOUT_SAFE;
  if(git_repository_index(&index, l->repo) || git_index_read(index, 1))
    goto failed;
  opts.baseline_index = index;
  if(git_checkout_head(l->repo, &opts))
    goto failed;
  git_index_free(index);
  return;
failed:
  snprintf(l->warning, sizeof(l->warning), "the ledger's work tree was not updated (%s); "
           "the commit is in the branch", ledger_git_error());
  git_index_free(index);
}

lethe_rc ledger_append(struct ledger *l, const git_oid *expect, bool unborn,
                       const struct ledger_entry *e, const struct sshsig_key *key,
                       git_oid *out, struct lethe_err *err)
{
  git_commit *parent = NULL;
  git_tree *base = NULL, *tree = NULL;
  lethe_rc rc = LETHE_OK;

  l->warning[0] = '\0';
  if(!unborn && (git_commit_lookup(&parent, l->repo, expect) || git_commit_tree(&base, parent)))
    rc = git_fail(err, "cannot read the head commit");
  if(!rc)
    rc = make_tree(l, base, e, &tree, err);
  if(!rc)
    rc = make_commit(l, tree, parent, e, key, out, err);
  if(!rc)
    rc = move_branch(l, expect, unborn, out, err);
  if(!rc)
    update_worktree(l);
  git_tree_free(tree);
  git_tree_free(base);
  git_commit_free(parent);
  return rc;
}

/* ---- pushing ----------------------------------------------------------- */

struct push_state {
  char rejected[512];
  int tries;
};

static int on_update(const char *refname, const char *status, void *data)
{
  struct push_state *p = data;
  if(status)
    snprintf(p->rejected, sizeof(p->rejected), "%s: %s", refname, status);
  return 0;
}

/* ssh:// remotes: the key from ssh-agent, once. */
static int on_credentials(git_credential **out, const char *url, const char *user,
                          unsigned int allowed, void *data)
{
  struct push_state *p = data;
  (void)url;
  if(!(allowed & GIT_CREDENTIAL_SSH_KEY) || p->tries++)
    return GIT_PASSTHROUGH;
  return git_credential_ssh_key_from_agent(out, user ? user : "git");
}

lethe_rc ledger_push(struct ledger *l, const char *url, struct lethe_err *err)
{
  return ledger_push_to(l, url, l->branch, err);
}

lethe_rc ledger_push_to(struct ledger *l, const char *url, const char *dest,
                        struct lethe_err *err)
{
  git_push_options opts;
  struct push_state p = { .rejected = "" };
  git_remote *remote = NULL;
  char spec[600], shown[512];
  char *specs[1] = { spec };
  git_strarray refspecs = { specs, 1 };
  int rc;

  git_push_options_init(&opts, GIT_PUSH_OPTIONS_VERSION);
  ledger_redact_url(url, shown, sizeof(shown));
  snprintf(spec, sizeof(spec), "%s:%s", l->branch, dest);
  opts.callbacks.push_update_reference = on_update;
  opts.callbacks.credentials = on_credentials;
  opts.callbacks.payload = &p;
  rc = git_remote_create_anonymous(&remote, l->repo, url);
  if(!rc)
    rc = git_remote_push(remote, &refspecs, &opts);
  git_remote_free(remote);
  if(rc == GIT_ENONFASTFORWARD)
    return err_set(err, LETHE_E_CHANGED, "push to %s rejected, not a fast-forward: the "
                   "remote has commits this ledger does not (%s)", shown, ledger_git_error());
  if(rc)
    return err_set(err, LETHE_E_IO, "push to %s failed: %s", shown, ledger_git_error());
  if(p.rejected[0])
    return err_set(err, LETHE_E_CHANGED, "push to %s rejected: %s", shown, p.rejected);
  return LETHE_OK;
}

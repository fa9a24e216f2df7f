/* Directories a run emptied are removed, deepest first, and only when empty:
 * below the subject by default, the subject folder itself when the rule says
 * remove-empty-dirs = subject, never the source root. Each removal is
 * journalled like any deletion. */
#include "apply_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileops.h"
#include "isotime.h"

static unsigned depth_of(const char *rel)
{
  unsigned d = *rel ? 1 : 0;
  for(; *rel; rel++)
    d += *rel == '/';
  return d;
}

static int deepest_first(const void *x, const void *y)
{
  const char *a = *(char *const *)x, *b = *(char *const *)y;
  unsigned da = depth_of(a), db = depth_of(b);
  if(da != db)
    return da > db ? -1 : 1;
  return strcmp(a, b);
}

/* Every touched directory and its ancestors down to min_depth, sorted deepest
 * first, without duplicates. */
static lethe_rc candidates(const struct strlist *touched, unsigned min_depth,
                           struct strlist *out)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < touched->n && !rc; i++) {
    char *d = strdup(touched->v[i]);
    if(!d)
      return LETHE_E_NOMEM;
    while(!rc && depth_of(d) >= min_depth && *d) {
      char *slash = strrchr(d, '/');
      rc = strlist_add(out, d);
      if(slash)
        *slash = '\0';
      else
        *d = '\0';
    }
    free(d);
  }
  if(rc || !out->n)
    return rc;
  qsort(out->v, out->n, sizeof(char *), deepest_first);
  size_t j = 1;
  for(size_t i = 1; i < out->n; i++) {
    if(strcmp(out->v[i], out->v[j - 1]))
      out->v[j++] = out->v[i];
    else
      free(out->v[i]);
  }
  out->n = j;
  return LETHE_OK;
}

static bool is_empty(int parentfd, const char *name)
{
  char buf[1024];
  int fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  bool empty = true;
  ssize_t n;
  if(fd < 0)
    return false;
  n = getdents64(fd, buf, sizeof(buf));
  for(ssize_t off = 0; off < n && empty;) {
    struct dirent64 *d = (struct dirent64 *)(buf + off);
    off += d->d_reclen;
    empty = !strcmp(d->d_name, ".") || !strcmp(d->d_name, "..");
  }
  close(fd);
  return n >= 0 && empty;
}

/* An emptied directory, journalled like any item. */
static lethe_rc journal_dir(struct applier *a, const struct journal_record *rec)
{
  lethe_rc rc = journal_append(&a->j, rec);
  if(!rc)
    rc = journal_commit(&a->j, a->err);
  return rc;
}

static lethe_rc dir_intent(struct applier *a, const char *rel, uint64_t seq)
{
  struct journal_record rec = { .type = JOURNAL_INTENT };
  char *uri, *enc;
  lethe_rc rc = apply_file_names(a->rule, rel, NULL, &uri, &enc);
  if(rc)
    return rc;
  rec.item = (struct journal_item){
    .seq = seq,
    .action = "rmdir",
    .rule = a->rule->name,
    .kind = ITEM_DIRECTORY,
    .store = LETHE_STORE_FILE,
    .path = enc,
    .uri = uri,
    .root = a->rule->root,
  };
  rc = journal_dir(a, &rec);
  free(uri);
  free(enc);
  return rc;
}

static lethe_rc dir_outcome(struct applier *a, uint64_t seq, int failed)
{
  struct journal_record rec = { .type = JOURNAL_OUTCOME };
  char now[ISOTIME_LEN];
  isotime_format(time(NULL), now);
  rec.outcome = (struct journal_outcome){
    .seq = seq,
    .result = failed ? "failed" : "deleted",
    .at = now,
    .method = "rmdir (empty directory)",
    .level = failed ? "none" : "logical-delete",
    .error = failed ? strerror(failed) : NULL,
  };
  if(!failed)
    a->stats->dirs_removed++;
  return journal_dir(a, &rec);
}

static lethe_rc remove_one(struct applier *a, const char *rel)
{
  char *copy = strdup(rel), *slash, *name;
  struct lethe_err why;
  bool held = false;
  uint64_t seq;
  int pfd, failed = 0;
  lethe_rc rc;

  if(!copy)
    return LETHE_E_NOMEM;
  slash = strrchr(copy, '/');
  name = slash ? slash + 1 : copy;
  if(slash)
    *slash = '\0';
  pfd = fileops_open_dir(a->rootfd, slash ? copy : "", &held, &why);
  if(pfd < 0 || held || !is_empty(pfd, name)) {
    if(pfd >= 0)
      close(pfd);
    free(copy);
    return LETHE_OK;
  }
  seq = a->j.next_seq++;
  rc = dir_intent(a, rel, seq);
  if(!rc && (unlinkat(pfd, name, AT_REMOVEDIR) || fsync(pfd)))
    failed = errno;
  close(pfd);
  free(copy);
  return rc ? rc : dir_outcome(a, seq, failed);
}

lethe_rc apply_remove_empty_dirs(struct applier *a)
{
  const char *mode = rule_setting(a->rule, "remove-empty-dirs");
  struct strlist list = { 0 };
  unsigned min_depth;
  lethe_rc rc;

  if(mode && !strcmp(mode, "no"))
    return LETHE_OK;
  min_depth = a->rule->subject ? a->rule->subject_depth : 1;
  if(a->rule->subject && !(mode && !strcmp(mode, "subject")))
    min_depth++;
  rc = candidates(&a->touched, min_depth, &list);
  for(size_t i = 0; i < list.n && !rc; i++)
    rc = remove_one(a, list.v[i]);
  strlist_release(&list);
  return rc;
}

#include "source_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "file_content.h"
#include "fileops.h"
#include "glob.h"
#include "log.h"
#include "uri.h"
#include "walk.h"

struct scan {
  const struct rule *r;
  item_sink sink;
  void *ctx;
  struct scan_stats *stats;
  bool prune;                 /* skip directories no select pattern reaches */
  const char **last_names;    /* glob_last_name of each select pattern */
  struct subject_info subj;   /* of the subject being walked */
  char *subject;              /* its rel, while inside one */
  size_t subject_len;
  const char *root_held;
};

bool source_path_selected(const struct rule *r, const char *rel, size_t len)
{
  bool in = r->select.n == 0;
  for(size_t i = 0; !in && i < r->select.n; i++)
    in = glob_match(r->select.v[i], rel, len);
  for(size_t i = 0; in && i < r->except.n; i++)
    in = !glob_match(r->except.v[i], rel, len);
  return in;
}

static int64_t ts(const struct statx_timestamp *t)
{
  return (int64_t)t->tv_sec;
}

static void set_time(struct item *it, enum item_time which, bool known, int64_t t)
{
  it->has_time[which] = known;
  it->times[which] = t;
}

/* Fill it from a statx of the entry, its identity into *id (it->file_id:
 * written as text only if the item is listed); on failure set
 * it->problem. */
static void stat_item(const struct walk_entry *e, struct item *it,
                      struct lethe_file_identity *id, char *problem, size_t n)
{
  struct statx stx;
  unsigned mask = STATX_BASIC_STATS | STATX_BTIME;
  if(statx(e->dirfd, e->name, AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, mask, &stx)) {
    snprintf(problem, n, "cannot stat: %s", strerror(errno));
    it->problem = problem;
    return;
  }
  it->size = stx.stx_size;
  it->nlink = stx.stx_nlink;
  if(S_ISLNK(stx.stx_mode))
    it->kind = ITEM_SYMLINK;
  else if(!S_ISREG(stx.stx_mode))
    it->kind = ITEM_OTHER;
  file_id_from_statx(&stx, id);
  it->file_id = id;
  set_time(it, TIME_MTIME, true, ts(&stx.stx_mtime));
  set_time(it, TIME_CTIME, true, ts(&stx.stx_ctime));
  set_time(it, TIME_ATIME, true, ts(&stx.stx_atime));
  set_time(it, TIME_BTIME, (stx.stx_mask & STATX_BTIME) != 0, ts(&stx.stx_btime));
}

bool source_path_subject(const struct rule *r, const char *rel, size_t len, size_t *sublen)
{
  unsigned seen = 0;
  for(size_t i = 0; i < len; i++) {
    if(rel[i] == '/' && ++seen == r->subject_depth) {
      *sublen = i;
      return glob_match(r->subject, rel, i);
    }
  }
  return false;
}

static lethe_rc yield(struct scan *s, const struct walk_entry *e, struct item *it)
{
  size_t sublen = 0;
  const struct subject_info *subj = NULL;
  it->store = LETHE_STORE_FILE;
  it->rel = e->rel;
  it->rel_len = e->rel_len;
  it->name = e->name;
  it->hold_dir = e->hold_dir ? e->hold_dir : s->root_held;
  if(s->r->subject) {
    if(source_path_subject(s->r, e->rel, e->rel_len, &sublen)) {
      it->subject = e->rel;
      it->subject_len = sublen;
      subj = &s->subj;
    }
    else if(!it->problem) {
      it->problem = "not inside a subject folder (see the rule's 'subject')";
    }
  }
  return s->sink(s->ctx, it, subj);
}

/* contains =: a file is selected only if the scanner finds what the rule
 * asks for in it; one it cannot read as it should is listed, not judged;
 * a symbolic link has no content of its own and is never selected. */
static bool content_selects(struct scan *s, const struct walk_entry *e, struct item *it,
                            struct scan_findings *f, char *problem, size_t n)
{
  int m;
  if(it->problem || it->kind != ITEM_FILE)
    return it->problem != NULL || it->kind == ITEM_OTHER;
  m = file_content_match(s->r, e->dirfd, e->name, f, problem, n);
  if(m < 0)
    it->problem = problem;
  else if(m > 0)
    it->findings = f;
  return m != 0;
}

static lethe_rc visit(void *ctx, const struct walk_entry *e)
{
  struct scan *s = ctx;
  struct item it = { .kind = ITEM_FILE };
  struct scan_findings findings;
  struct lethe_file_identity id;
  char problem[600];
  lethe_rc rc;
  scan_stats_saw(s->stats);
  if(!source_path_selected(s->r, e->rel, e->rel_len))
    return LETHE_OK;
  if(e->type == WALK_SYMLINK)
    it.kind = ITEM_SYMLINK;
  stat_item(e, &it, &id, problem, sizeof(problem));
  if(!it.problem && it.kind == ITEM_OTHER)
    it.problem = "not a regular file or symbolic link";
  if(!file_content_wanted(s->r))
    return yield(s, e, &it);
  memset(&findings, 0, sizeof(findings));
  rc = content_selects(s, e, &it, &findings, problem, sizeof(problem)) ? yield(s, e, &it)
                                                                      : LETHE_OK;
  scan_findings_release(&findings);
  return rc;
}

/* A name that fails the last component of every select pattern cannot be
 * selected wherever it lies: the walk drops it unvisited, without a stat,
 * and it is only counted. */
static bool want(void *ctx, const char *name, size_t len)
{
  struct scan *s = ctx;
  if(!s->r->select.n)
    return true;
  for(size_t i = 0; i < s->r->select.n; i++)
    if(glob_match(s->last_names[i], name, len))
      return true;
  scan_stats_saw(s->stats);
  return false;
}

static lethe_rc refused(void *ctx, const struct walk_entry *e, enum walk_refusal why,
                        const char *msg)
{
  struct scan *s = ctx;
  struct item it = { .kind = ITEM_DIRECTORY, .problem = msg };
  (void)why;
  return yield(s, e, &it);
}

/* The newest mtime of anything but a directory below a subject folder. */
static lethe_rc newest_visit(void *ctx, const struct walk_entry *e)
{
  struct subject_info *si = ctx;
  struct statx stx;
  if(statx(e->dirfd, e->name, AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, STATX_MTIME, &stx))
    return LETHE_OK;
  if(!si->has_newest || ts(&stx.stx_mtime) > si->newest) {
    si->newest = ts(&stx.stx_mtime);
    si->has_newest = true;
  }
  return LETHE_OK;
}

static void measure_subject(struct scan *s, const struct walk_entry *e)
{
  static const struct walk_ops ops = { .visit = newest_visit };
  struct lethe_err err;
  int fd = walk_open_subdir(e->dirfd, e->name);
  memset(&s->subj, 0, sizeof(s->subj));
  if(fd < 0)
    return; /* the main walk reports the directory (or the mount point) */
  if(walk_tree(fd, e->rel, NULL, &ops, &s->subj, &err))
    s->subj.has_newest = false;
  close(fd);
}

static bool enter(void *ctx, const struct walk_entry *e)
{
  struct scan *s = ctx;
  bool reach = !s->prune;
  for(size_t i = 0; !reach && i < s->r->select.n; i++)
    reach = glob_could_match_below(s->r->select.v[i], e->rel, e->rel_len);
  if(!reach)
    return false;
  if(s->r->subject && e->depth == s->r->subject_depth && s->r->clock == CLOCK_NEWEST &&
     glob_match(s->r->subject, e->rel, e->rel_len))
    measure_subject(s, e);
  return true;
}

static lethe_rc file_scan(const struct rule *r, int64_t now, item_sink sink, void *ctx,
                          struct scan_stats *stats, struct lethe_err *err)
{
  static const struct walk_ops ops = { .visit = visit, .want = want, .enter = enter,
                                       .refused = refused };
  struct scan s = { .r = r, .sink = sink, .ctx = ctx, .stats = stats };
  lethe_rc rc;
  int fd;

  (void)now;
  /* A percentage circuit breaker needs every item of the source counted. */
  s.prune = r->select.n > 0 && !(r->max_delete.set && r->max_delete.percent);
  if(walk_ancestor_held(r->root))
    s.root_held = "a directory above the source";
  s.last_names = calloc(r->select.n ? r->select.n : 1, sizeof(*s.last_names));
  if(!s.last_names)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  for(size_t i = 0; i < r->select.n; i++)
    s.last_names[i] = glob_last_name(r->select.v[i]);
  fd = walk_open_root(r->root, err);
  if(fd < 0) {
    free(s.last_names);
    return err->rc;
  }
  rc = walk_tree(fd, "", NULL, &ops, &s, err);
  close(fd);
  free(s.last_names);
  return rc;
}

/* ---- the rule, its URIs, the table ------------------------------------------- */

static lethe_rc decode_root(struct rule *r, const char *path)
{
  struct dynbuf b;
  lethe_rc rc;
  db_init(&b, 65536);
  rc = uri_decode(path, &b);
  if(!rc && (b.len == 0 || b.mem[0] != '/'))
    rc = LETHE_E_PARSE;
  while(!rc && b.len > 1 && b.mem[b.len - 1] == '/')
    db_truncate(&b, b.len - 1);
  if(!rc) {
    r->root = strdup(db_str(&b));
    if(!r->root)
      rc = LETHE_E_NOMEM;
  }
  db_release(&b);
  return rc;
}

void source_file_root(struct rule *r, struct diag *d)
{
  lethe_rc rc = decode_root(r, r->source + strlen("file://"));
  if(rc == LETHE_E_NOMEM)
    diag_error(d, r->file, r->source_line, "out of memory");
  else if(rc)
    diag_error(d, r->file, r->source_line, "source '%s': a file source is "
               "file:///absolute/path (percent-encoding allowed)", r->source);
}

/* A source that is missing now is worth a warning, not a refusal: a share
 * may be mounted later. */
void source_file_check(const struct rule *r, struct diag *d)
{
  struct lethe_err err = { 0 };
  int fd = walk_open_root(r->root, &err);
  struct statvfs sv;
  if(fd < 0) {
    diag_warn(d, r->file, r->line, "[rule %s] source %s cannot be opened now: %s", r->name,
              r->root, err.msg);
    return;
  }
  if(!fstatvfs(fd, &sv) && (sv.f_flag & ST_RDONLY))
    diag_warn(d, r->file, r->line, "[rule %s] source %s is on a read-only mount here: nothing "
              "could be deleted from it", r->name, r->root);
  close(fd);
}

/* "file://" + root + "/" + path: raw for hold patterns, percent-encoded for
 * reports (the root as decoded from the rule, so either spelling of the
 * source gives the same URIs). */
static lethe_rc file_uris(const struct rule *r, const struct item *it, struct dynbuf *raw,
                          struct dynbuf *encoded, size_t *path_off)
{
  size_t n = strlen(r->root);
  lethe_rc rc;
  if(n == 1)
    n = 0; /* the root directory itself: avoid "file:////x" */
  db_reset(raw);
  db_reset(encoded);
  rc = db_add(raw, "file://", 7);
  if(!rc)
    rc = db_add(raw, r->root, n);
  if(!rc)
    rc = db_add(raw, "/", 1);
  if(!rc)
    rc = db_add(raw, it->rel, it->rel_len);
  if(!rc)
    rc = db_add(encoded, "file://", 7);
  if(!rc)
    rc = uri_encode_path(r->root, n, encoded);
  if(!rc)
    rc = db_add(encoded, "/", 1);
  *path_off = encoded->len;
  if(!rc)
    rc = uri_encode_path(it->rel, it->rel_len, encoded);
  return rc;
}

static lethe_rc file_identity(const char *text, struct lethe_identity *out)
{
  return file_id_parse(text, &out->file);
}

static const char *const file_schemes[] = { "file://", NULL };
static const char *const file_keys[] = { "contains", "client-list", NULL };

static void file_finish_rule(struct rule *r, struct diag *d)
{
  source_file_root(r, d);
  file_content_finish(r, d);
}

const struct source_ops source_file_ops = {
  .name = "file",
  .schemes = file_schemes,
  .store = LETHE_STORE_FILE,
  .clocks = SOURCE_CLOCK(CLOCK_MTIME) | SOURCE_CLOCK(CLOCK_BTIME) | SOURCE_CLOCK(CLOCK_CTIME) |
            SOURCE_CLOCK(CLOCK_ATIME) | SOURCE_CLOCK(CLOCK_NAME) | SOURCE_CLOCK(CLOCK_NEWEST),
  .default_clock = CLOCK_MTIME,
  .keys = file_keys,
  .local = true,
  .finish_rule = file_finish_rule,
  .check = source_file_check,
  .scan = file_scan,
  .uris = file_uris,
  .identity = file_identity,
};

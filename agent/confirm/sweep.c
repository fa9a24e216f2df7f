/* Walking the folders and scanning each file. */
#include "sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "progress.h"
#include "walk.h"

struct sweeper {
  struct sweep *s;
  const struct scan_rules *rules;
  const char *folder;
  size_t folder_index;
  const char *home;
  struct dynbuf abs;
};

static char *shown_path(const char *abs, const char *home)
{
  size_t n = strlen(home);
  if(!strncmp(abs, home, n) && abs[n] == '/' && abs[n + 1])
    return strdup(abs + n + 1);
  return strdup(abs);
}

static lethe_rc add_unread(struct sweeper *w, const char *abs, const char *why)
{
  struct sweep_unread *v = realloc(w->s->unread, (w->s->n_unread + 1) * sizeof(*v));
  if(!v)
    return LETHE_E_NOMEM;
  w->s->unread = v;
  v += w->s->n_unread++;
  v->shown = shown_path(abs, w->home);
  v->why = strdup(why);
  return v->shown && v->why ? LETHE_OK : LETHE_E_NOMEM;
}

static lethe_rc add_file(struct sweeper *w, const struct walk_entry *e, struct scan_findings *f)
{
  struct sweep_file *v = realloc(w->s->files, (w->s->n + 1) * sizeof(*v));
  struct stat st;
  if(!v)
    return LETHE_E_NOMEM;
  w->s->files = v;
  v += w->s->n++;
  memset(v, 0, sizeof(*v));
  v->path = strdup(db_str(&w->abs));
  v->shown = shown_path(db_str(&w->abs), w->home);
  v->rel = strndup(e->rel, e->rel_len);
  v->folder = w->folder_index;
  v->size = fstatat(e->dirfd, e->name, &st, AT_SYMLINK_NOFOLLOW) ? 0 : (uint64_t)st.st_size;
  v->f = *f;
  memset(f, 0, sizeof(*f));
  return v->path && v->shown && v->rel ? LETHE_OK : LETHE_E_NOMEM;
}

static void progress(const struct sweep *s)
{
  progress_update(s->scanned + s->not_read + s->n_unread);
}

static lethe_rc visit(void *ctx, const struct walk_entry *e)
{
  struct sweeper *w = ctx;
  struct scan_findings f;
  char why[512];
  lethe_rc rc;
  if(e->type != WALK_FILE)
    return LETHE_OK; /* symlinks and devices are not followed, nor read */
  db_reset(&w->abs);
  if(db_addf(&w->abs, "%s/%.*s", w->folder, (int)e->rel_len, e->rel))
    return LETHE_E_NOMEM;
  rc = scan_file(w->rules, e->dirfd, e->name, &f, why, sizeof(why));
  if(rc == LETHE_E_NOMEM) {
    scan_findings_release(&f);
    return rc;
  }
  if(rc)
    rc = add_unread(w, db_str(&w->abs), why);
  else if(f.format == SCAN_FMT_BINARY || f.format == SCAN_FMT_ZIP)
    w->s->not_read++;
  else {
    w->s->scanned++;
    if(scan_findings_total(&f))
      rc = add_file(w, e, &f);
  }
  scan_findings_release(&f);
  progress(w->s);
  return rc;
}

static lethe_rc refused(void *ctx, const struct walk_entry *e, enum walk_refusal why,
                        const char *msg)
{
  struct sweeper *w = ctx;
  if(why == WALK_MOUNT)
    return LETHE_OK; /* another file system is not this folder's to sweep */
  db_reset(&w->abs);
  if(db_addf(&w->abs, "%s/%.*s", w->folder, (int)e->rel_len, e->rel))
    return LETHE_E_NOMEM;
  return add_unread(w, db_str(&w->abs), msg);
}

static lethe_rc sweep_folder(struct sweeper *w, struct lethe_err *err)
{
  static const struct walk_ops ops = { .visit = visit, .refused = refused };
  struct stat st;
  lethe_rc rc;
  int fd;
  if(lstat(w->folder, &st) && errno == ENOENT)
    return LETHE_OK;
  fd = walk_open_root(w->folder, err);
  if(fd < 0)
    return err->rc;
  rc = walk_tree(fd, "", NULL, &ops, w, err);
  close(fd);
  if(rc == LETHE_E_NOMEM)
    err_set(err, rc, "out of memory while scanning %s", w->folder);
  return rc;
}

lethe_rc sweep_run(struct sweep *s, const struct scan_rules *rules, const char *const *folders,
                   size_t n, const char *home, struct lethe_err *err)
{
  struct sweeper w = { .s = s, .rules = rules, .home = home };
  lethe_rc rc = LETHE_OK;
  db_init(&w.abs, 64 * 1024);
  for(size_t i = 0; i < n && !rc; i++) {
    w.folder = folders[i];
    w.folder_index = i;
    progress_begin("scanning", w.folder, 0);
    rc = sweep_folder(&w, err);
  }
  progress_end();
  db_release(&w.abs);
  return rc;
}

lethe_rc sweep_rescan(const struct scan_rules *rules, const struct sweep_file *f,
                      struct scan_findings *out, bool *gone)
{
  char why[512];
  struct stat st;
  lethe_rc rc;
  memset(out, 0, sizeof(*out));
  *gone = lstat(f->path, &st) && errno == ENOENT;
  if(*gone)
    return LETHE_OK;
  rc = scan_file(rules, AT_FDCWD, f->path, out, why, sizeof(why));
  /* a file that is still there but can no longer be read still holds what
   * it held: count the first findings */
  if(rc && rc != LETHE_E_NOMEM) {
    scan_findings_release(out);
    *out = f->f;
    return LETHE_OK;
  }
  return rc;
}

void sweep_release(struct sweep *s)
{
  for(size_t i = 0; i < s->n; i++) {
    free(s->files[i].path);
    free(s->files[i].shown);
    free(s->files[i].rel);
    free(s->files[i].reason);
    scan_findings_release(&s->files[i].f);
  }
  for(size_t i = 0; i < s->n_unread; i++) {
    free(s->unread[i].shown);
    free(s->unread[i].why);
  }
  free(s->files);
  free(s->unread);
  memset(s, 0, sizeof(*s));
}

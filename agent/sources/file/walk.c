#include "walk.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define DENTS_BUF (64 * 1024)
/* Relative paths may be far longer than PATH_MAX: every operation is
 * relative to a directory fd, so only memory bounds them. */
#define REL_MAX (1024 * 1024)
#define DEFAULT_MAX_DEPTH 8192

/* One directory's entries: names packed in one buffer, sorted by index. */
struct listing {
  struct dynbuf names;    /* NUL-separated */
  struct slot {
    size_t off;
    unsigned char dtype;
  } *slots;
  size_t n, cap;
  bool has_marker;
};

static void listing_release(struct listing *l)
{
  db_release(&l->names);
  free(l->slots);
}

static lethe_rc listing_add(struct listing *l, const char *name, unsigned char dtype)
{
  lethe_rc rc;
  if(l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 32;
    struct slot *s = realloc(l->slots, cap * sizeof(*s));
    if(!s)
      return LETHE_E_NOMEM;
    l->slots = s;
    l->cap = cap;
  }
  l->slots[l->n].off = l->names.len;
  l->slots[l->n].dtype = dtype;
  rc = db_add(&l->names, name, strlen(name) + 1);
  if(!rc)
    l->n++;
  return rc;
}

static const char *sort_base; /* qsort has no context argument in C11 */

static int compare_slots(const void *a, const void *b)
{
  const struct slot *x = a, *y = b;
  return strcmp(sort_base + x->off, sort_base + y->off);
}

/* Ask the walk's want() about an entry d_type shows is no directory: most
 * names of a large tree fail every select pattern, and dropping them here
 * saves their sort, their path and their visit. */
static bool wanted(const struct walk *w, const struct dirent64 *d)
{
  if(!w->ops->want || d->d_type == DT_DIR || d->d_type == DT_UNKNOWN)
    return true;
  return w->ops->want(w->ctx, d->d_name, strlen(d->d_name));
}

/* Read every entry of fd with getdents64 (no DIR stream: the fd stays ours). */
static lethe_rc read_listing(struct walk *w, int fd, struct listing *l)
{
  lethe_rc rc = LETHE_OK;
  for(;;) {
    ssize_t n = getdents64(fd, w->dents, DENTS_BUF);
    if(n < 0)
      return LETHE_E_IO;
    if(n == 0)
      break;
    for(ssize_t off = 0; off < n && !rc;) {
      struct dirent64 *d = (struct dirent64 *)(w->dents + off);
      off += d->d_reclen;
      if(!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
        continue;
      if(!strcmp(d->d_name, WALK_HOLD_MARKER))
        l->has_marker = true;
      else if(!wanted(w, d))
        continue;
      rc = listing_add(l, d->d_name, d->d_type);
    }
    if(rc)
      return rc;
  }
  if(l->n > 1) {
    sort_base = l->names.mem;
    qsort(l->slots, l->n, sizeof(*l->slots), compare_slots);
  }
  return LETHE_OK;
}

static enum walk_type type_of_mode(mode_t m)
{
  if(S_ISREG(m))
    return WALK_FILE;
  if(S_ISLNK(m))
    return WALK_SYMLINK;
  if(S_ISDIR(m))
    return WALK_DIR;
  return WALK_OTHER;
}

static enum walk_type resolve_type(int dirfd, const char *name, unsigned char dtype)
{
  struct stat st;
  switch(dtype) {
  case DT_REG:
    return WALK_FILE;
  case DT_LNK:
    return WALK_SYMLINK;
  case DT_DIR:
    return WALK_DIR;
  case DT_UNKNOWN:
    if(fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
      return WALK_OTHER;
    return type_of_mode(st.st_mode);
  default:
    return WALK_OTHER;
  }
}

static lethe_rc refuse(struct walk *w, const struct walk_entry *e, enum walk_refusal why,
                       const char *msg)
{
  if(!w->ops->refused)
    return LETHE_OK;
  return w->ops->refused(w->ctx, e, why, msg);
}

/* openat a directory without following a symlink, without touching its
 * atime where permitted (O_NOATIME needs ownership or CAP_FOWNER; after one
 * EPERM *noatime turns false and plain opens follow). */
static int open_dir_noatime(int dirfd, const char *name, bool *noatime)
{
  int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  int fd = -1;
  if(*noatime) {
    fd = openat(dirfd, name, flags | O_NOATIME);
    if(fd >= 0 || errno != EPERM)
      return fd;
    *noatime = false;
  }
  return openat(dirfd, name, flags);
}

/* True if fd is not on dev, or is the root of a mount (a bind mount of the
 * same file system shows only in the attribute). errno is set on failure. */
static int is_mount(int fd, dev_t dev)
{
  struct statx stx;
  if(statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_INO, &stx))
    return -1;
  return makedev(stx.stx_dev_major, stx.stx_dev_minor) != dev ||
         ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
          (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT));
}

/* Open a subdirectory without following a symlink and check that it is on
 * the walk's file system and not a mount root. Returns the fd, or -1 after
 * reporting why it is not entered (*rc set if the walk must stop). */
static int open_subdir(struct walk *w, const struct walk_entry *e, lethe_rc *rc)
{
  char msg[256];
  int fd = open_dir_noatime(e->dirfd, e->name, &w->noatime);
  int mount;

  if(fd < 0) {
    if(errno == ELOOP || errno == ENOTDIR)
      *rc = LETHE_OK; /* replaced by a symlink or file since listing: skip */
    else if(errno == EMFILE || errno == ENFILE)
      *rc = refuse(w, e, WALK_TOO_DEEP, "out of file descriptors");
    else {
      snprintf(msg, sizeof(msg), "cannot open directory: %s", strerror(errno));
      *rc = refuse(w, e, WALK_UNREADABLE, msg);
    }
    return -1;
  }
  mount = is_mount(fd, w->root_dev);
  if(mount) {
    if(mount < 0)
      snprintf(msg, sizeof(msg), "cannot stat directory: %s", strerror(errno));
    close(fd);
    *rc = refuse(w, e, mount < 0 ? WALK_UNREADABLE : WALK_MOUNT,
                 mount < 0 ? msg : "mount point: not crossed");
    return -1;
  }
  return fd;
}

int walk_open_subdir(int dirfd, const char *name)
{
  struct stat parent;
  bool noatime = true;
  int fd;
  if(fstat(dirfd, &parent))
    return -1;
  fd = open_dir_noatime(dirfd, name, &noatime);
  if(fd >= 0 && is_mount(fd, parent.st_dev)) {
    close(fd);
    return -1;
  }
  return fd;
}

static lethe_rc walk_dir(struct walk *w, int fd, unsigned depth, const char *hold_dir);

static lethe_rc descend(struct walk *w, struct walk_entry *e)
{
  lethe_rc rc = LETHE_OK;
  int fd;
  char *held_here = NULL;
  if(w->ops->enter && !w->ops->enter(w->ctx, e))
    return LETHE_OK;
  if(e->depth >= w->max_depth)
    return refuse(w, e, WALK_TOO_DEEP, "deeper than the depth limit");
  fd = open_subdir(w, e, &rc);
  if(fd < 0)
    return rc;
  if(e->hold_dir) {
    held_here = strdup(e->hold_dir);
    if(!held_here) {
      close(fd);
      return LETHE_E_NOMEM;
    }
  }
  rc = walk_dir(w, fd, e->depth, held_here);
  close(fd);
  free(held_here);
  if(!rc && w->ops->leave)
    rc = w->ops->leave(w->ctx, e);
  return rc;
}

/* Visit one listed entry; w->rel holds the parent's path. */
static lethe_rc visit_one(struct walk *w, int fd, const char *name, unsigned char dtype,
                          unsigned depth, const char *hold_dir)
{
  size_t mark = w->rel.len;
  struct walk_entry e;
  lethe_rc rc = LETHE_OK;

  if(mark)
    rc = db_add(&w->rel, "/", 1);
  if(!rc)
    rc = db_adds(&w->rel, name);
  if(rc)
    return rc == LETHE_E_RANGE ? LETHE_OK : rc; /* path past REL_MAX: not visited */
  e.dirfd = fd;
  e.name = name;
  e.rel = db_str(&w->rel);
  e.rel_len = w->rel.len;
  e.depth = depth + 1;
  e.type = resolve_type(fd, name, dtype);
  e.hold_dir = hold_dir;
  if(e.type != WALK_DIR && !strcmp(name, WALK_HOLD_MARKER)) {
    db_truncate(&w->rel, mark); /* a control file, not data: never an item */
    return LETHE_OK;
  }
  if(e.type == WALK_DIR)
    rc = descend(w, &e);
  else
    rc = w->ops->visit(w->ctx, &e);
  db_truncate(&w->rel, mark);
  return rc;
}

static lethe_rc walk_dir(struct walk *w, int fd, unsigned depth, const char *hold_dir)
{
  struct listing l = { .names = { 0 } };
  lethe_rc rc;
  char *marker_dir = NULL;

  db_init(&l.names, SIZE_MAX / 2);
  rc = read_listing(w, fd, &l);
  if(rc == LETHE_E_IO) {
    struct walk_entry e = { .dirfd = fd, .name = ".", .rel = db_str(&w->rel),
                            .rel_len = w->rel.len, .depth = depth, .type = WALK_DIR,
                            .hold_dir = hold_dir };
    char msg[256];
    snprintf(msg, sizeof(msg), "cannot list directory: %s", strerror(errno));
    listing_release(&l);
    return refuse(w, &e, WALK_UNREADABLE, msg);
  }
  if(!rc && l.has_marker && !hold_dir) {
    marker_dir = strdup(db_str(&w->rel));
    if(!marker_dir)
      rc = LETHE_E_NOMEM;
    hold_dir = marker_dir;
  }
  for(size_t i = 0; !rc && i < l.n; i++)
    rc = visit_one(w, fd, l.names.mem + l.slots[i].off, l.slots[i].dtype, depth, hold_dir);
  free(marker_dir);
  listing_release(&l);
  return rc;
}

lethe_rc walk_tree(int rootfd, const char *rel_prefix, const char *root_held,
                   const struct walk_ops *ops, void *ctx, struct lethe_err *err)
{
  struct walk w = { .ops = ops, .ctx = ctx, .noatime = true,
                    .max_depth = DEFAULT_MAX_DEPTH };
  struct stat st;
  unsigned depth = 0;
  lethe_rc rc;

  if(fstat(rootfd, &st))
    return err_sys(err, LETHE_E_IO, "cannot stat the walk's root");
  w.root_dev = st.st_dev;
  db_init(&w.rel, REL_MAX);
  w.dents = malloc(DENTS_BUF);
  if(!w.dents)
    return LETHE_E_NOMEM;
  rc = db_adds(&w.rel, rel_prefix);
  for(const char *p = rel_prefix; *p && !rc; p++)
    depth += *p == '/';
  if(*rel_prefix)
    depth++;
  if(!rc)
    rc = walk_dir(&w, rootfd, depth, root_held);
  free(w.dents);
  db_release(&w.rel);
  if(rc == LETHE_E_NOMEM)
    return err_set(err, rc, "out of memory during the walk");
  return rc;
}

int walk_open_root(const char *path, struct lethe_err *err)
{
  bool noatime = true;
  int fd = open_dir_noatime(AT_FDCWD, path, &noatime);
  struct stat st;
  if(fd < 0) {
    /* O_DIRECTORY makes a symlink fail with ENOTDIR before O_NOFOLLOW's
     * ELOOP: tell the two apart for the message. */
    if(errno == ELOOP ||
       (errno == ENOTDIR && !fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) &&
        S_ISLNK(st.st_mode)))
      err_set(err, LETHE_E_UNSAFE, "%s: the source is a symbolic link; name the real "
              "directory", path);
    else
      err_sys(err, LETHE_E_IO, "%s: cannot open the source", path);
  }
  return fd;
}

bool walk_ancestor_held(const char *path)
{
  char buf[4096];
  size_t n = strlen(path);
  struct stat st;
  if(n >= sizeof(buf) - sizeof(WALK_HOLD_MARKER) - 1)
    return false;
  memcpy(buf, path, n + 1);
  /* Strip one component at a time: /a/b/c -> /a/b -> /a -> "". */
  while(n > 0) {
    char *slash = memrchr(buf, '/', n);
    if(!slash)
      break;
    n = (size_t)(slash - buf);
    memcpy(buf + n, "/" WALK_HOLD_MARKER, sizeof(WALK_HOLD_MARKER) + 1);
    if(!fstatat(AT_FDCWD, buf, &st, AT_SYMLINK_NOFOLLOW))
      return true;
  }
  return false;
}

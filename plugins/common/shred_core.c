/* The shred core: settings, opening an item safely, and deleting it. */
#include "shred_core.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

const char *const shred_setting_keys[] = { "passes", "zero-pass", "verify", "in-place-device",
                                            NULL };

void shred_opts_init(struct shred_opts *o)
{
  memset(o, 0, sizeof(*o));
  o->passes = SHRED_PASSES_DEFAULT;
}

/* A device name as the kernel (sda, dm-2) or device-mapper (vg0-data) has
 * it: one path component of letters, digits and . _ - + : */
static lethe_rc add_device(struct shred_declared *d, const char *value, struct lethe_err *err)
{
  size_t n = strlen(value);
  bool ok = n > 0 && n < SHRED_DEVICE_NAME_MAX && value[0] != '.';
  for(const char *p = value; ok && *p; p++)
    ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
         strchr("._-+:", *p);
  if(!ok)
    return err_set(err, LETHE_E_CONFIG, "setting 'in-place-device': '%s' is not a device "
                   "name as /sys/block or /dev/mapper shows it (sda, vda, md0, vg0-data)",
                   value);
  if(d->n == SHRED_DECLARED_MAX)
    return err_set(err, LETHE_E_CONFIG, "setting 'in-place-device': more than %d devices",
                   SHRED_DECLARED_MAX);
  memcpy(d->name[d->n++], value, n + 1);
  return LETHE_OK;
}

bool shred_opts_is_key(const char *key)
{
  for(size_t i = 0; shred_setting_keys[i]; i++)
    if(!strcmp(key, shred_setting_keys[i]))
      return true;
  return false;
}

bool shred_opts_repeatable(const char *key)
{
  return !strcmp(key, "in-place-device");
}

static lethe_rc parse_bool(const char *key, const char *value, bool *out,
                           struct lethe_err *err)
{
  if(!strcmp(value, "yes") || !strcmp(value, "true")) {
    *out = true;
    return LETHE_OK;
  }
  if(!strcmp(value, "no") || !strcmp(value, "false")) {
    *out = false;
    return LETHE_OK;
  }
  return err_set(err, LETHE_E_CONFIG, "setting '%s': expected yes or no, got '%s'", key,
                 value);
}

static lethe_rc parse_passes(const char *value, unsigned *out, struct lethe_err *err)
{
  unsigned long n = 0;
  const char *p = value;
  if(!*p)
    goto bad;
  for(; *p; p++) {
    if(*p < '0' || *p > '9' || n > SHRED_PASSES_MAX)
      goto bad;
    n = n * 10 + (unsigned long)(*p - '0');
  }
  if(n < 1 || n > SHRED_PASSES_MAX)
    goto bad;
  *out = (unsigned)n;
  return LETHE_OK;
bad:
  return err_set(err, LETHE_E_CONFIG, "setting 'passes': expected a whole number from 1 "
                 "to %u, got '%s'", SHRED_PASSES_MAX, value);
}

lethe_rc shred_opts_set(struct shred_opts *o, const char *key, const char *value,
                        struct lethe_err *err)
{
  if(!strcmp(key, "passes"))
    return parse_passes(value, &o->passes, err);
  if(!strcmp(key, "zero-pass"))
    return parse_bool(key, value, &o->zero_pass, err);
  if(!strcmp(key, "verify"))
    return parse_bool(key, value, &o->verify, err);
  if(!strcmp(key, "in-place-device"))
    return add_device(&o->in_place, value, err);
  return LETHE_E_NOTFOUND;
}

void shred_opts_method(const struct shred_opts *o, char *buf, size_t len)
{
  snprintf(buf, len, "overwrite (%u pass%s of ChaCha20 keystream%s%s), truncate, rename, "
           "unlink", o->passes, o->passes == 1 ? "" : "es", o->zero_pass ? ", zero pass" : "",
           o->verify ? ", verified" : "");
}

/* What differs between the planned identity and the one found, for people. */
static lethe_rc describe_change(const struct lethe_file_identity *plan, const struct lethe_file_identity *now,
                                struct lethe_err *err)
{
  if(!file_id_same_inode(plan, now))
    return err_set(err, LETHE_E_CHANGED, "changed since planned: another file now has this "
                   "name (planned dev %" PRIu64 " ino %" PRIu64 ", found dev %" PRIu64
                   " ino %" PRIu64 ")", plan->dev, plan->ino, now->dev, now->ino);
  if(plan->size != now->size && plan->mtime_ns != now->mtime_ns)
    return err_set(err, LETHE_E_CHANGED, "changed since planned: size %" PRIu64 " -> %"
                   PRIu64 " bytes and mtime_ns %" PRId64 " -> %" PRId64, plan->size,
                   now->size, plan->mtime_ns, now->mtime_ns);
  if(plan->size != now->size)
    return err_set(err, LETHE_E_CHANGED, "changed since planned: size %" PRIu64 " -> %"
                   PRIu64 " bytes", plan->size, now->size);
  if(plan->mtime_ns != now->mtime_ns)
    return err_set(err, LETHE_E_CHANGED, "changed since planned: modified (mtime_ns %" PRId64
                   " -> %" PRId64 ")", plan->mtime_ns, now->mtime_ns);
  return err_set(err, LETHE_E_CHANGED, "changed since planned: rewritten or its status "
                 "changed (ctime_ns %" PRId64 " -> %" PRId64 ")", plan->ctime_ns, now->ctime_ns);
}

static const char *type_name(mode_t mode)
{
  switch(mode & S_IFMT) {
  case S_IFDIR: return "a directory";
  case S_IFIFO: return "a named pipe";
  case S_IFSOCK: return "a socket";
  case S_IFCHR: return "a character device";
  case S_IFBLK: return "a block device";
  default: return "not a regular file";
  }
}

/* The symlink itself (never its target) must be the planned one. */
static lethe_rc check_symlink(const struct lethe_item *item, const struct lethe_file_identity *plan,
                              struct shred_file *sf, struct lethe_err *err)
{
  mode_t mode;
  uint32_t nlink;
  lethe_rc rc = fileops_stat(item->dirfd, item->name, &sf->id, &mode, &nlink);
  if(rc == LETHE_E_NOTFOUND)
    return err_set(err, LETHE_E_CHANGED, "gone before it could be deleted");
  if(rc)
    return err_sys(err, rc, "cannot stat");
  if(!S_ISLNK(mode))
    return err_set(err, LETHE_E_CHANGED, "changed since planned: no longer a symbolic link");
  if(!file_id_matches_plan(plan, &sf->id))
    return describe_change(plan, &sf->id, err);
  sf->symlink = true;
  sf->mode = mode;
  sf->nlink = nlink;
  return LETHE_OK;
}

/* Fill sf from the open fd and compare with the plan. */
static lethe_rc check_fd(struct shred_file *sf, const struct lethe_file_identity *plan,
                         struct lethe_err *err)
{
  struct statx stx;
  if(statx(sf->fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT,
           STATX_BASIC_STATS | STATX_MNT_ID, &stx))
    return err_sys(err, LETHE_E_IO, "cannot stat the opened file");
  file_id_from_statx(&stx, &sf->id);
  sf->mode = stx.stx_mode;
  sf->nlink = stx.stx_nlink;
  sf->mnt_id = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id : 0;
  sf->dev_major = stx.stx_dev_major;
  sf->dev_minor = stx.stx_dev_minor;
  if(!S_ISREG(stx.stx_mode))
    return err_set(err, LETHE_E_UNSAFE, "%s: not deleted", type_name(stx.stx_mode));
  if(!file_id_matches_plan(plan, &sf->id))
    return describe_change(plan, &sf->id, err);
  return LETHE_OK;
}

lethe_rc shred_open(const struct lethe_item *item, struct shred_file *sf,
                    struct lethe_err *err)
{
  struct lethe_file_identity plan, pre;
  mode_t mode;
  lethe_rc rc;

  memset(sf, 0, sizeof(*sf));
  sf->fd = -1;
  if(!item->identity || item->identity->store != LETHE_STORE_FILE)
    return err_set(err, LETHE_E_PARSE, "no file identity was planned for it");
  plan = item->identity->file;

  /* Look before opening: opening a device node or a FIFO read-write can have
   * effects of its own, and the open below would not tell a symlink apart. */
  rc = fileops_stat(item->dirfd, item->name, &pre, &mode, NULL);
  if(rc == LETHE_E_NOTFOUND)
    return err_set(err, LETHE_E_CHANGED, "gone before it could be deleted");
  if(rc)
    return err_sys(err, rc, "cannot stat");
  if(S_ISLNK(mode))
    return check_symlink(item, &plan, sf, err);
  if(!S_ISREG(mode))
    return err_set(err, LETHE_E_UNSAFE, "%s: not deleted", type_name(mode));
  if(!file_id_matches_plan(&plan, &pre))
    return describe_change(&plan, &pre, err);

  sf->fd = openat(item->dirfd, item->name,
                  O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if(sf->fd < 0) {
    if(errno == ELOOP)  /* swapped for a symlink since the look above */
      return check_symlink(item, &plan, sf, err);
    if(errno == ENOENT)
      return err_set(err, LETHE_E_CHANGED, "gone before it could be deleted");
    return err_sys(err, LETHE_E_IO, "cannot open for overwriting");
  }
  rc = check_fd(sf, &plan, err);
  if(rc)
    shred_file_release(sf);
  return rc;
}

void shred_file_release(struct shred_file *sf)
{
  if(sf->fd >= 0)
    close(sf->fd);
  sf->fd = -1;
}

static void set_level(struct lethe_outcome *out, const char *level, const char *reason)
{
  snprintf(out->level, sizeof(out->level), "%s", level);
  snprintf(out->level_reason, sizeof(out->level_reason), "%s", reason);
}

static void fail(struct lethe_outcome *out, enum lethe_result result, const char *msg)
{
  out->result = result;
  set_level(out, LETHE_LEVEL_NONE, "");
  snprintf(out->error, sizeof(out->error), "%s", msg);
}

void shred_refusal(lethe_rc rc, const struct lethe_err *err, struct lethe_outcome *out)
{
  bool skip = rc == LETHE_E_CHANGED || rc == LETHE_E_UNSAFE || rc == LETHE_E_PARSE ||
              rc == LETHE_E_NOTFOUND;
  fail(out, skip ? LETHE_RESULT_SKIPPED : LETHE_RESULT_FAILED, err->msg);
}

/* Unlink without overwriting: symlinks and multiply-linked files. Nothing was
 * written, so the whole planned identity must still hold. */
static void unlink_only(struct shred_file *sf, const struct lethe_item *item,
                        const char *reason, struct lethe_outcome *out)
{
  struct lethe_err err = { 0 };
  lethe_rc rc;
  shred_file_release(sf);
  rc = fileops_unlink_checked(item->dirfd, item->name, item->tmpname, &sf->id, false, &err);
  if(rc) {
    shred_refusal(rc, &err, out);
    return;
  }
  out->result = LETHE_RESULT_DELETED;
  set_level(out, LETHE_LEVEL_LOGICAL, reason);
}

/* Right before the irreversible step: still one link, still the same file.
 * A hard link made since shred_open would otherwise be overwritten too. */
static lethe_rc recheck(const struct shred_file *sf, struct lethe_err *err)
{
  struct stat st;
  struct lethe_file_identity now;
  if(fstat(sf->fd, &st))
    return err_sys(err, LETHE_E_IO, "cannot stat the opened file");
  now.dev = st.st_dev;
  now.ino = st.st_ino;
  now.size = (uint64_t)st.st_size;
  now.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
  now.ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
  now.nlink = (uint32_t)st.st_nlink;
  if(!file_id_matches_plan(&sf->id, &now))
    return describe_change(&sf->id, &now, err);
  if(st.st_nlink != 1)
    return err_set(err, LETHE_E_CHANGED, "changed since planned: now has %ju links",
                   (uintmax_t)st.st_nlink);
  return LETHE_OK;
}

static lethe_rc truncate_synced(int fd, struct lethe_err *err)
{
  if(fdatasync(fd))
    return err_sys(err, LETHE_E_IO, "overwritten, but fdatasync failed");
  if(ftruncate(fd, 0))
    return err_sys(err, LETHE_E_IO, "overwritten, but truncating failed");
  if(fdatasync(fd))
    return err_sys(err, LETHE_E_IO, "overwritten and truncated, but fdatasync failed");
  return LETHE_OK;
}

static void overwrite_and_unlink(struct shred_file *sf, const struct lethe_item *item,
                                 const struct shred_opts *o, struct lethe_outcome *out)
{
  char level[32], reason[256];
  struct lethe_err err = { 0 };
  lethe_rc rc;

  rc = recheck(sf, &err);
  if(rc) {
    shred_refusal(rc, &err, out);
    return;
  }
  shred_level(sf, o, level, sizeof(level), reason, sizeof(reason));
  rc = shred_overwrite(sf->fd, sf->id.size, o, &err);
  if(!rc)
    rc = truncate_synced(sf->fd, &err);
  if(rc) {
    err_prefix(&err, "left in place, partly overwritten");
    fail(out, LETHE_RESULT_FAILED, err.msg);
    return;
  }
  shred_file_release(sf);
  rc = fileops_unlink_checked(item->dirfd, item->name, item->tmpname, &sf->id, true, &err);
  if(rc) {
    /* The inode we held is overwritten and empty, but its name could not be
     * removed (or now names something else): not deleted as planned. */
    err_prefix(&err, "overwritten and truncated, but not unlinked");
    fail(out, LETHE_RESULT_FAILED, err.msg);
    return;
  }
  out->result = LETHE_RESULT_DELETED;
  set_level(out, level, reason);
}

void shred_finish(struct shred_file *sf, const struct lethe_item *item,
                  const struct shred_opts *o, struct lethe_outcome *out, bool *overwritten)
{
  char reason[64];
  if(overwritten)
    *overwritten = !sf->symlink && sf->nlink == 1;
  if(sf->symlink) {
    unlink_only(sf, item, "symbolic link: nothing to overwrite", out);
  }
  else if(sf->nlink > 1) {
    snprintf(reason, sizeof(reason), "%" PRIu32 " hard links: not overwritten", sf->nlink);
    unlink_only(sf, item, reason, out);
  }
  else {
    overwrite_and_unlink(sf, item, o, out);
  }
  shred_file_release(sf);
}

void shred_item(const struct lethe_item *item, const struct shred_opts *o,
                struct lethe_outcome *out, bool *overwritten)
{
  struct shred_file sf;
  struct lethe_err err = { 0 };
  lethe_rc rc = shred_open(item, &sf, &err);
  if(overwritten)
    *overwritten = false;
  if(rc) {
    shred_refusal(rc, &err, out);
    return;
  }
  shred_finish(&sf, item, o, out, overwritten);
}

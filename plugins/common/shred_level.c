/* Whether an overwrite in place is meaningful: "clear" only when the file
 * system writes data where it was, the extents are the file's own and
 * plainly placed, data is not journalled, and the device is rotational.
 * Anything else, or anything that cannot be found out, is logical-delete
 * with the reason: never claim more than was done.
 *
 * /proc and /sys are read by path: they describe the kernel, not a source. */
#include "shred_core.h"
#include "shred_device.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/magic.h>

#define FIEMAP_BATCH 64u

/* File systems where an overwrite does not land on the old blocks, or where
 * nobody on this host can tell. Magic numbers absent from older headers are
 * spelled out. */
struct fs_kind {
  unsigned long magic;
  const char *name;
  const char *kind;  /* "copy-on-write file system" */
  const char *note;  /* what that means for an overwrite, or "" */
};

#define NET_NOTE ": the server decides where data goes"

static const struct fs_kind fs_kinds[] = {
  { BTRFS_SUPER_MAGIC, "btrfs", "copy-on-write file system", "" },
  { 0x2fc12fc1ul, "zfs", "copy-on-write file system", "" },
  { 0xca451a4eul, "bcachefs", "copy-on-write file system", "" },
  { TMPFS_MAGIC, "tmpfs", "memory file system", ": pages may have been swapped out or copied" },
  { RAMFS_MAGIC, "ramfs", "memory file system", ": pages may have been copied" },
  { F2FS_SUPER_MAGIC, "f2fs", "log-structured file system", ": writes go to new blocks" },
  { NILFS_SUPER_MAGIC, "nilfs2", "log-structured file system", ": writes go to new blocks" },
  { 0x24051905ul, "ubifs", "log-structured file system", ": writes go to new blocks" },
  { 0x72b6ul, "jffs2", "log-structured file system", ": writes go to new blocks" },
  { OVERLAYFS_SUPER_MAGIC, "overlay", "overlay file system", ": writes go to a copied-up layer" },
  { NFS_SUPER_MAGIC, "nfs", "network file system", NET_NOTE },
  { SMB_SUPER_MAGIC, "smb", "network file system", NET_NOTE },
  { CIFS_SUPER_MAGIC, "cifs", "network file system", NET_NOTE },
  { SMB2_SUPER_MAGIC, "smb2", "network file system", NET_NOTE },
  { 0x01021997ul, "9p", "network file system", NET_NOTE },
  { 0x00c36400ul, "ceph", "network file system", NET_NOTE },
  { 0x6b414653ul, "afs", "network file system", NET_NOTE },
  { 0x47504653ul, "gpfs", "network file system", NET_NOTE },
  { FUSE_SUPER_MAGIC, "fuse", "user-space file system", ": its daemon decides where data goes" },
};

/* The fd's mount, from /proc/self/mountinfo. */
struct mount_info {
  char fstype[64];
  char super_opts[512];
};

static void say(char *reason, size_t reason_len, const char *fmt, ...) PRINTF(3, 4);

static void say(char *reason, size_t reason_len, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, reason_len, fmt, ap);
  va_end(ap);
}

/* Fields of one mountinfo line: "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 -
 * ext3 /dev/root rw,errors=continue". */
static bool parse_mountinfo(char *line, uint64_t *id, unsigned *maj, unsigned *min,
                            struct mount_info *mi)
{
  char *sep = strstr(line, " - ");
  char *fstype, *source, *opts, *save = NULL;
  unsigned long long mid;
  if(!sep || sscanf(line, "%llu %*u %u:%u", &mid, maj, min) != 3)
    return false;
  *id = mid;
  fstype = strtok_r(sep + 3, " \n", &save);
  source = fstype ? strtok_r(NULL, " \n", &save) : NULL;
  opts = source ? strtok_r(NULL, " \n", &save) : NULL;
  if(!opts)
    return false;
  snprintf(mi->fstype, sizeof(mi->fstype), "%s", fstype);
  snprintf(mi->super_opts, sizeof(mi->super_opts), "%s", opts);
  return true;
}

/* Find the mount by its id when statx gave one, else by device number. */
static bool find_mount(const struct shred_file *sf, struct mount_info *out)
{
  char *line = NULL;
  size_t cap = 0;
  bool found = false;
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if(!f)
    return false;
  while(!found && getline(&line, &cap, f) > 0) {
    struct mount_info mi;
    uint64_t id;
    unsigned maj, min;
    if(!parse_mountinfo(line, &id, &maj, &min, &mi))
      continue;
    if(sf->mnt_id ? id == sf->mnt_id : (maj == sf->dev_major && min == sf->dev_minor)) {
      *out = mi;
      found = true;
    }
  }
  free(line);
  fclose(f);
  return found;
}

static bool has_option(const char *opts, const char *want)
{
  size_t n = strlen(want);
  for(const char *p = opts; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
    if(!strncmp(p, want, n) && (p[n] == ',' || p[n] == '\0'))
      return true;
  return false;
}

/* The file system kind, or NULL when it writes in place. name is the
 * mountinfo name when known ("fuse.sshfs"), else the table's. */
static const struct fs_kind *bad_fs(int fd, const struct mount_info *mi, bool have_mi,
                                    const char **name)
{
  struct statfs sfs;
  if(fstatfs(fd, &sfs))
    return NULL;
  for(size_t i = 0; i < sizeof(fs_kinds) / sizeof(fs_kinds[0]); i++) {
    if((unsigned long)sfs.f_type == fs_kinds[i].magic) {
      *name = have_mi ? mi->fstype : fs_kinds[i].name;
      return &fs_kinds[i];
    }
  }
  return NULL;
}

static const char *extent_problem(uint32_t flags)
{
  if(flags & FIEMAP_EXTENT_SHARED)
    return "extents shared with another file (reflink or snapshot)";
  if(flags & FIEMAP_EXTENT_DATA_INLINE)
    return "data stored inline in file system metadata";
  if(flags & FIEMAP_EXTENT_ENCODED)
    return "data stored encoded (compressed)";
  if(flags & FIEMAP_EXTENT_NOT_ALIGNED)
    return "data packed with other data (tail packing)";
  if(flags & (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC))
    return "location of the data on disk unknown";
  return NULL;
}

/* NULL when every extent is the file's own and plainly placed, else why not.
 * FIEMAP_FLAG_SYNC first writes out dirty pages so the map is the real one. */
static const char *fiemap_problem(int fd)
{
  size_t sz = sizeof(struct fiemap) + FIEMAP_BATCH * sizeof(struct fiemap_extent);
  struct fiemap *fm = malloc(sz);
  const char *why = NULL;
  uint64_t start = 0;
  bool last = false;

  if(!fm)
    return "extent map unavailable (out of memory)";
  while(!why && !last) {
    memset(fm, 0, sz);
    fm->fm_start = start;
    fm->fm_length = FIEMAP_MAX_OFFSET - start;
    fm->fm_flags = FIEMAP_FLAG_SYNC;
    fm->fm_extent_count = FIEMAP_BATCH;
    if(ioctl(fd, FS_IOC_FIEMAP, fm)) {
      why = "extent map unavailable (FIEMAP not supported): shared extents cannot be ruled out";
      break;
    }
    if(fm->fm_mapped_extents == 0)
      break;
    for(uint32_t i = 0; i < fm->fm_mapped_extents && !why; i++) {
      const struct fiemap_extent *e = &fm->fm_extents[i];
      why = extent_problem(e->fe_flags);
      last = e->fe_flags & FIEMAP_EXTENT_LAST;
      start = e->fe_logical + e->fe_length;
    }
  }
  free(fm);
  return why;
}

/* The kernel's name for a block device ("loop0", "dm-1", "sda2"), from
 * /sys/dev/block/MAJ:MIN/uevent. */
static bool block_name(unsigned maj, unsigned min, char *name, size_t len)
{
  char path[64], *line = NULL;
  size_t cap = 0;
  bool found = false;
  FILE *f;
  snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", maj, min);
  f = fopen(path, "re");
  if(!f)
    return false;
  while(!found && getline(&line, &cap, f) > 0) {
    if(!strncmp(line, "DEVNAME=", 8) && !strchr(line + 8, '/')) {
      line[strcspn(line, "\n")] = '\0';
      snprintf(name, len, "%s", line + 8);
      found = true;
    }
  }
  free(line);
  fclose(f);
  return found;
}

/* 1 data=journal, 0 not, -1 cannot tell, from /proc/fs/ext4/DEV/options:
 * unlike mountinfo it also shows a mode that is the superblock's default
 * (tune2fs -o journal_data), which mountinfo leaves out. */
static int ext4_proc_journal(const struct shred_file *sf)
{
  char name[64], path[128], *line = NULL;
  size_t cap = 0;
  int found = 0;
  FILE *f;
  if(!block_name(sf->dev_major, sf->dev_minor, name, sizeof(name)))
    return -1;
  snprintf(path, sizeof(path), "/proc/fs/ext4/%s/options", name);
  f = fopen(path, "re");
  if(!f)
    return -1;
  while(!found && getline(&line, &cap, f) > 0)
    found = !strcmp(line, "data=journal\n");
  free(line);
  fclose(f);
  return found;
}

static bool is_ext34(int fd, const struct mount_info *mi, bool have_mi)
{
  struct statfs sfs;
  if(have_mi)
    return !strcmp(mi->fstype, "ext3") || !strcmp(mi->fstype, "ext4");
  return !fstatfs(fd, &sfs) && sfs.f_type == EXT4_SUPER_MAGIC;
}

static bool data_journalled(const struct shred_file *sf, const struct mount_info *mi,
                            bool have_mi)
{
  int proc;
  if(!is_ext34(sf->fd, mi, have_mi))
    return false;
  proc = ext4_proc_journal(sf);
  if(proc >= 0)
    return proc == 1;
  return have_mi && has_option(mi->super_opts, "data=journal");
}

/* true with the reason written when the overwrite cannot be trusted. */
static bool why_not(const struct shred_file *sf, const struct shred_opts *o, char *reason,
                    size_t reason_len)
{
  struct mount_info mi;
  bool have_mi = find_mount(sf, &mi);
  const char *name = NULL, *why;
  const struct fs_kind *kind = bad_fs(sf->fd, &mi, have_mi, &name);
  int flags = 0;
  char device[512];

  if(kind) {
    say(reason, reason_len, "%s (%s)%s", kind->kind, name, kind->note);
    return true;
  }
  if(data_journalled(sf, &mi, have_mi)) {
    say(reason, reason_len, "data journalling (%s with data=journal): copies may remain in "
        "the journal", have_mi ? mi.fstype : "ext4");
    return true;
  }
  if(!ioctl(sf->fd, FS_IOC_GETFLAGS, &flags) && (flags & FS_JOURNAL_DATA_FL)) {
    say(reason, reason_len, "data journalling for this file (chattr +j): copies may remain "
        "in the journal");
    return true;
  }
  why = fiemap_problem(sf->fd);
  if(why) {
    say(reason, reason_len, "%s", why);
    return true;
  }
  if(!shred_device_in_place("/sys", sf->dev_major, sf->dev_minor, &o->in_place, device,
                            sizeof(device))) {
    say(reason, reason_len, "%s", device);
    return true;
  }
  say(reason, reason_len, "overwritten in place (%s on %s)", have_mi ? mi.fstype :
      "file system", device);
  return false;
}

void shred_level(const struct shred_file *sf, const struct shred_opts *o, char *level,
                 size_t level_len, char *reason, size_t reason_len)
{
  bool weak = why_not(sf, o, reason, reason_len);
  snprintf(level, level_len, "%s", weak ? LETHE_LEVEL_LOGICAL : LETHE_LEVEL_CLEAR);
}

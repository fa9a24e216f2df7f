/* Following a block device down to its lowest layers in sysfs, and judging
 * each: see shred_device.h. sysfs describes the kernel, not a source, so it
 * is read by path; so is a loop device's backing file, which is only
 * stat'ed. */
#include "shred_device.h"

#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

/* Layers deeper than this are not followed (a loop on a loop on ...). */
#define DEPTH_MAX 8

struct judge {
  const char *sysfs;
  const struct shred_declared *declared;
  char *text;
  size_t len;
};

static bool say(struct judge *j, bool verdict, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

static bool say(struct judge *j, bool verdict, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(j->text, j->len, fmt, ap);
  va_end(ap);
  return verdict;
}

/* dir/name into out; false when it does not fit. */
static bool join(char out[PATH_MAX], const char *dir, const char *name)
{
  int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);
  return n >= 0 && n < PATH_MAX;
}

/* The first line of dir/name, trailing blanks cut; false if unreadable. */
static bool read_attr(const char *dir, const char *name, char *out, size_t len)
{
  char path[PATH_MAX];
  FILE *f;
  bool ok;
  if(!join(path, dir, name))
    return false;
  f = fopen(path, "re");
  if(!f)
    return false;
  ok = fgets(out, (int)len, f) != NULL;
  fclose(f);
  if(ok) {
    size_t n = strlen(out);
    while(n && (out[n - 1] == '\n' || out[n - 1] == ' '))
      out[--n] = '\0';
  }
  return ok;
}

static bool exists(const char *dir, const char *name)
{
  char path[PATH_MAX];
  return join(path, dir, name) && access(path, F_OK) == 0;
}

static bool starts(const char *s, const char *prefix)
{
  return !strncmp(s, prefix, strlen(prefix));
}

static bool ends(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcmp(s + n - m, suffix);
}

static bool is_declared(const struct judge *j, const char *kname, const char *dm_name)
{
  for(size_t i = 0; j->declared && i < j->declared->n; i++)
    if(!strcmp(j->declared->name[i], kname) ||
       (dm_name[0] && !strcmp(j->declared->name[i], dm_name)))
      return true;
  return false;
}

static bool judge_dev(struct judge *j, unsigned maj, unsigned min, int depth);

/* Every device in dir/slaves must qualify. */
static bool judge_slaves(struct judge *j, const char *dir, const char *kname, int depth)
{
  char path[PATH_MAX];
  struct dirent *e;
  size_t n = 0;
  bool ok = true;
  DIR *d;
  d = join(path, dir, "slaves") ? opendir(path) : NULL;
  if(!d)
    return say(j, false, "%s: its lower devices cannot be read", kname);
  while(ok && (e = readdir(d))) {
    char slave[PATH_MAX], dev[32];
    unsigned maj, min;
    if(e->d_name[0] == '.')
      continue;
    n++;
    if(!join(slave, path, e->d_name) || !read_attr(slave, "dev", dev, sizeof(dev)) ||
       sscanf(dev, "%u:%u", &maj, &min) != 2)
      ok = say(j, false, "%s: lower device %s cannot be read", kname, e->d_name);
    else
      ok = judge_dev(j, maj, min, depth + 1);
  }
  closedir(d);
  if(ok && !n)
    return say(j, false, "%s: a stacked device whose lower devices are not shown", kname);
  if(ok && n > 1)
    return say(j, true, "%s over %zu devices that each write in place", kname, n);
  if(ok) {
    /* Keep what the one lower device said, naming the stack above it. */
    char below[512];
    snprintf(below, sizeof(below), "%s", j->text);
    return say(j, true, "%s on %s", kname, below);
  }
  return false;
}

/* A loop device: where its backing file lives decides. */
static bool judge_loop(struct judge *j, const char *dir, const char *kname, int depth)
{
  char file[PATH_MAX];
  struct statfs sfs;
  struct stat st;
  if(!read_attr(dir, "loop/backing_file", file, sizeof(file)))
    return say(j, false, "%s: a loop device whose backing file is not shown", kname);
  if(ends(file, " (deleted)") || stat(file, &st) || statfs(file, &sfs))
    return say(j, false, "%s: its backing file %s cannot be found", kname, file);
  if(sfs.f_type == BTRFS_SUPER_MAGIC || sfs.f_type == TMPFS_MAGIC ||
     sfs.f_type == OVERLAYFS_SUPER_MAGIC || sfs.f_type == NFS_SUPER_MAGIC ||
     sfs.f_type == FUSE_SUPER_MAGIC || sfs.f_type == 0x2fc12fc1 /* zfs */)
    return say(j, false, "%s: its backing file %s is on a file system that does not "
               "overwrite in place", kname, file);
  if(!judge_dev(j, major(st.st_dev), minor(st.st_dev), depth + 1))
    return false;
  {
    char below[512];
    snprintf(below, sizeof(below), "%s", j->text);
    return say(j, true, "%s (backing file %s) on %s", kname, file, below);
  }
}

/* A disk with nothing under it: what kind of hardware, as sysfs shows it. */
static bool judge_leaf(struct judge *j, const char *dir, const char *real, const char *kname)
{
  char vendor[64] = "", model[64] = "", transport[32] = "", rot[8] = "";
  read_attr(dir, "device/vendor", vendor, sizeof(vendor));
  read_attr(dir, "device/model", model, sizeof(model));
  if(strstr(real, "/virtio"))
    return say(j, false, "%s is a virtual disk (virtio): the host decides where its data "
               "goes", kname);
  if(starts(kname, "xvd") || strstr(real, "/vbd-"))
    return say(j, false, "%s is a virtual disk (Xen): the host decides where its data goes",
               kname);
  if(starts(kname, "nbd") || starts(kname, "rbd") || starts(kname, "drbd"))
    return say(j, false, "%s is a network block device: the server decides where its data "
               "goes", kname);
  if(starts(kname, "zram") || starts(kname, "ram") || starts(kname, "pmem"))
    return say(j, false, "%s is memory, not a disk", kname);
  if(starts(kname, "mmcblk"))
    return say(j, false, "%s is flash (SD or eMMC): writes are remapped, old blocks may "
               "survive", kname);
  if(read_attr(dir, "device/transport", transport, sizeof(transport)) &&
     strcmp(transport, "pcie"))
    return say(j, false, "%s is NVMe over fabrics (%s): the target decides where its data "
               "goes", kname, transport);
  if(strstr(real, "/session"))
    return say(j, false, "%s is an iSCSI disk: the storage array decides where its data "
               "goes", kname);
  if(strstr(real, "/rport-"))
    return say(j, false, "%s is a Fibre Channel SAN disk: the storage array decides where its "
               "data goes", kname);
  if(!strcmp(vendor, "QEMU") || !strcmp(vendor, "VMware") || !strcmp(vendor, "VMware,") ||
     !strcmp(vendor, "Msft") || !strcmp(vendor, "VBOX") || !strcmp(vendor, "Google") ||
     !strcmp(vendor, "Amazon") || strstr(model, "Virtual") || strstr(model, "QEMU"))
    return say(j, false, "%s is a virtual disk (%s %s): the host decides where its data goes",
               kname, vendor, model);
  if(strstr(real, "/devices/virtual/"))
    return say(j, false, "%s is a virtual block device", kname);
  if(!read_attr(dir, "queue/rotational", rot, sizeof(rot)) || (strcmp(rot, "0") &&
                                                               strcmp(rot, "1")))
    return say(j, false, "device type unknown (no rotational flag for %s)", kname);
  if(!strcmp(rot, "0"))
    return say(j, false, "non-rotational device %s (flash remaps writes; old blocks may "
               "survive)", kname);
  return say(j, true, "%s, a local rotational disk", kname);
}

static bool judge_dev(struct judge *j, unsigned maj, unsigned min, int depth)
{
  char link[PATH_MAX], real[PATH_MAX], disk[PATH_MAX], kname[SHRED_DEVICE_NAME_MAX];
  char dm_name[SHRED_DEVICE_NAME_MAX] = "", rot[8] = "";
  const char *base;
  bool stacked;
  if(depth > DEPTH_MAX)
    return say(j, false, "device %u:%u: more than %d layers of devices", maj, min, DEPTH_MAX);
  snprintf(link, sizeof(link), "%s/dev/block/%u:%u", j->sysfs, maj, min);
  if(!realpath(link, real))
    return say(j, false, "device type unknown (device %u:%u is not in sysfs)", maj, min);
  snprintf(disk, sizeof(disk), "%s", real);
  if(exists(real, "partition")) {
    char *slash = strrchr(disk, '/');
    if(slash)
      *slash = '\0'; /* a partition is judged by its disk */
  }
  base = strrchr(disk, '/');
  base = base ? base + 1 : disk;
  if(strlen(base) >= sizeof(kname))
    return say(j, false, "device %u:%u: a name too long to be a device's", maj, min);
  memcpy(kname, base, strlen(base) + 1);
  read_attr(disk, "dm/name", dm_name, sizeof(dm_name));
  if(is_declared(j, kname, dm_name))
    return say(j, true, "%s, declared by the rule's in-place-device to write in place",
               dm_name[0] ? dm_name : kname);
  stacked = exists(disk, "loop") || exists(disk, "dm") || exists(disk, "md") ||
            starts(kname, "dm-") || starts(kname, "md");
  if(!stacked)
    return judge_leaf(j, disk, real, kname);
  /* A stacked device takes its flag from those below, or was told it
   * (a loop device's): a 0 on the way settles it. */
  if(read_attr(disk, "queue/rotational", rot, sizeof(rot)) && !strcmp(rot, "0"))
    return say(j, false, "non-rotational device %s (flash remaps writes; old blocks may "
               "survive)", dm_name[0] ? dm_name : kname);
  if(dm_name[0] && (ends(dm_name, "-real") || ends(dm_name, "-cow") ||
                    ends(dm_name, "-tpool") || ends(dm_name, "_tdata")))
    return say(j, false, "%s is part of an LVM snapshot or thin pool: old blocks may be kept "
               "or data moved", dm_name);
  if(exists(disk, "loop"))
    return judge_loop(j, disk, kname, depth);
  return judge_slaves(j, disk, dm_name[0] ? dm_name : kname, depth);
}

bool shred_device_in_place(const char *sysfs, unsigned maj, unsigned min,
                           const struct shred_declared *declared, char *text, size_t len)
{
  struct judge j = { .sysfs = sysfs, .declared = declared, .text = text, .len = len };
  return judge_dev(&j, maj, min, 0);
}

/* Whether a block device writes an overwrite where the old data was, as far
 * as this host can tell from sysfs.
 *
 * The device a file system sits on is followed down to its lowest layers:
 * a partition to its disk, device-mapper and md devices to the devices
 * under them (every one must qualify), a loop device to the file system and
 * device of its backing file. A layer the admin declared (the rule setting
 * in-place-device = NAME) is trusted as it stands. A lowest layer qualifies
 * only when it is a local rotational disk: a virtual disk (virtio, Xen,
 * Hyper-V, VMware, QEMU), a network or SAN disk (iSCSI, Fibre Channel,
 * NVMe over fabrics, nbd, rbd, drbd), memory, flash, an LVM snapshot or thin
 * pool, or anything unknown does not, and the reason says which. */
#ifndef LETHE_SHRED_DEVICE_H
#define LETHE_SHRED_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#define SHRED_DECLARED_MAX 16
#define SHRED_DEVICE_NAME_MAX 128

/* Device names the admin declared to write in place: kernel names (sda,
 * vda, md0, dm-2, loop3) or device-mapper names (vg0-data). */
struct shred_declared {
  char name[SHRED_DECLARED_MAX][SHRED_DEVICE_NAME_MAX];
  size_t n;
};

/* true when every lowest layer under block device maj:min writes in place
 * (or a layer on the way was declared), with what was found in text ("sda,
 * a local rotational disk"); false with the reason in text. sysfs is
 * "/sys", or a directory laid out like it (for tests); a loop device's
 * backing file is looked up by its path. */
bool shred_device_in_place(const char *sysfs, unsigned maj, unsigned min,
                           const struct shred_declared *declared, char *text, size_t len);

#endif

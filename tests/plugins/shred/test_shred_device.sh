#!/bin/bash
# Which devices the shred core trusts to overwrite in place, judged against a
# sysfs laid out here the way the kernel lays it out (dev/block/MAJ:MIN links
# into devices/, partitions inside their disk, slaves/ of stacked devices,
# loop/backing_file): only a local rotational disk, all the way down, or a
# device the admin declared. A virtio disk must not be "clear" (a review
# found that certificate on a VM).
# usage: test_shred_device.sh SHRED_DEVICE_TOOL
. "$(dirname "$0")/../../lib/common.sh"
TOOL=$1
tmp_setup shred-device
S=$T/sys

# disk PATH-UNDER-devices MAJ:MIN ROTATIONAL [VENDOR MODEL]: a disk.
disk() {
  local d=$S/devices/$1
  mkdir -p "$d/queue" "$S/dev/block"
  printf '%s\n' "$2" >"$d/dev"
  printf '%s\n' "$3" >"$d/queue/rotational"
  if [[ -n ${4-} ]]; then
    mkdir -p "$d/../../device-info"
    printf '%-8s\n' "$4" >"$d/../../device-info/vendor"
    printf '%-16s\n' "$5" >"$d/../../device-info/model"
    ln -s ../../device-info "$d/device"
  fi
  ln -s "../../devices/$1" "$S/dev/block/$2"
}

# part DISK-PATH NAME MAJ:MIN: a partition of a disk.
part() {
  local d=$S/devices/$1/$2
  mkdir -p "$d"
  : >"$d/partition"
  printf '%s\n' "$3" >"$d/dev"
  ln -s "../../devices/$1/$2" "$S/dev/block/$3"
}

# stacked KIND NAME MAJ:MIN DM-NAME LOWER-MAJ:MIN...: a dm or md device.
stacked() {
  local kind=$1 name=$2 dev=$3 dmname=$4 lower d target
  shift 4
  d=$S/devices/virtual/block/$name
  mkdir -p "$d/queue" "$d/slaves" "$d/$kind"
  printf '%s\n' "$dev" >"$d/dev"
  printf '1\n' >"$d/queue/rotational"
  [[ $dmname != - ]] && printf '%s\n' "$dmname" >"$d/dm/name"
  for lower; do
    target=$(readlink -f "$S/dev/block/$lower")
    ln -s "$target" "$d/slaves/${target##*/}"
  done
  ln -s "../../devices/virtual/block/$name" "$S/dev/block/$dev"
}

expect() {  # WANT MAJ:MIN PHRASE [DECLARED...]: in-place or not, and why
  local want=$1 dev=$2 phrase=$3 got
  shift 3
  got=$("$TOOL" "$S" "$dev" "$@") || fail "the tool failed on $dev"
  [[ ${got%%:*} == "$want" ]] || fail "$dev${*:+ (declared: $*)}: expected $want, got: $got"
  [[ $got == *"$phrase"* ]] || fail "$dev: expected the reason to say '$phrase', got: $got"
}

disk pci0000:00/0000:00:02.0/virtio1/block/vda 254:0 1
part pci0000:00/0000:00:02.0/virtio1/block/vda vda1 254:1
disk pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda 8:0 1 ATA "WDC WD40EFRX-68N"
part pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda sda1 8:1
disk pci0000:00/0000:00:1f.2/ata2/host1/target1:0:0/1:0:0:0/block/sdb 8:16 0 ATA "Samsung SSD 870"
disk platform/host3/session1/target3:0:0/3:0:0:0/block/sdc 8:32 1 LIO-ORG disk0
disk pci0000:00/0000:00:10.0/host2/target2:0:0/2:0:0:0/block/sdd 8:48 1 QEMU "QEMU HARDDISK"
disk pci0000:00/0000:00:1f.2/ata3/host4/target4:0:0/4:0:0:0/block/sde 8:64 1 ATA "ST4000VN008"
disk pci0000:00/0000:00:1f.2/host5/rport-5:0-0/target5:0:0/5:0:0:0/block/sdf 8:80 1 NETAPP LUN
disk vbd-51712/block/xvda 202:0 1
disk virtual/block/nbd0 43:0 1
disk virtual/block/zram0 252:0 0
mkdir -p "$S/devices/virtual/nvme-fabrics/ctl/nvme0"
printf 'tcp\n' >"$S/devices/virtual/nvme-fabrics/ctl/nvme0/transport"
disk virtual/nvme-fabrics/ctl/nvme0/nvme0n1 259:0 0
ln -s .. "$S/devices/virtual/nvme-fabrics/ctl/nvme0/nvme0n1/device"

stacked md md0 9:0 - 8:1 8:64
stacked dm dm-0 253:0 crypt-home 254:1
stacked dm dm-1 253:1 vg0-data 8:0
stacked dm dm-2 253:2 vg0-lv-real 8:0
stacked dm dm-3 253:3 vg0-lv 253:2
stacked dm dm-4 253:4 lonely
stacked md md1 9:1 - 8:1 254:1

expect in-place 8:0 "sda, a local rotational disk"
expect in-place 8:1 "sda, a local rotational disk"
expect not 254:0 "virtual disk (virtio)"
expect not 254:1 "virtual disk (virtio)"
expect not 8:16 "non-rotational device sdb"
expect not 8:32 "iSCSI"
expect not 8:48 "virtual disk (QEMU QEMU HARDDISK)"
expect not 8:80 "Fibre Channel"
expect not 202:0 "Xen"
expect not 43:0 "network block device"
expect not 252:0 "memory"
expect not 259:0 "NVMe over fabrics (tcp)"
expect not 7:7 "not in sysfs"
# Stacked: every device below must qualify.
expect in-place 9:0 "md0 over 2 devices"
expect not 9:1 "virtio"
expect not 253:0 "virtio"
expect in-place 253:1 "vg0-data on sda"
expect not 253:3 "LVM snapshot"
expect not 253:4 "lower devices are not shown"
# Declared by the admin: at the layer named, by kernel or mapper name.
expect in-place 254:1 "declared" vda
expect in-place 253:0 "declared" crypt-home
expect in-place 253:0 "declared" vda
expect not 253:0 "virtio" sdb

# A loop device: its backing file's file system and device decide. The
# backing file is a real file here, whose device this sysfs says (from now
# on, whatever it said before) is sda.
printf x >"$T/backing.img"
real=$(stat -c '%Hd:%Ld' "$T/backing.img")
ln -sfnT ../../devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda \
  "$S/dev/block/$real"
mkdir -p "$S/devices/virtual/block/loop3/loop" "$S/devices/virtual/block/loop3/queue"
printf '7:3\n' >"$S/devices/virtual/block/loop3/dev"
printf '1\n' >"$S/devices/virtual/block/loop3/queue/rotational"
printf '%s\n' "$T/backing.img" >"$S/devices/virtual/block/loop3/loop/backing_file"
ln -s ../../devices/virtual/block/loop3 "$S/dev/block/7:3"
fstype=$(stat -f -c %T "$T")
case $fstype in
  btrfs|tmpfs|overlayfs|nfs|fuseblk|zfs) expect not 7:3 "does not overwrite in place" ;;
  *) expect in-place 7:3 "loop3 (backing file $T/backing.img) on sda" ;;
esac
printf '0\n' >"$S/devices/virtual/block/loop3/queue/rotational"
expect not 7:3 "non-rotational device loop3"
printf '%s (deleted)\n' "$T/backing.img" >"$S/devices/virtual/block/loop3/loop/backing_file"
printf '1\n' >"$S/devices/virtual/block/loop3/queue/rotational"
expect not 7:3 "cannot be found"
note "every kind of device judged as expected"

#!/bin/bash
# The shred plugin on a real ext4 file system in an image on a loop device:
# after a shred the marker the file held is nowhere in the image, while a
# plainly unlinked control file's marker still is (which shows the grep
# would find a copy if one were left). Also: data=journal, chattr +j and a
# non-rotational device are recorded as logical-delete with the reason.
#
# The image keeps its journal: in the default data=ordered mode ext4
# journals metadata only, so file data never enters the journal and the
# check is meaningful as it stands. Files are a few MB, written and synced
# before the shred, so their blocks are allocated and on disk (no delayed
# allocation left to move them), and the image is unmounted before grep so
# everything has reached it.
# usage: test_shred_fs.sh PLUGIN_DRIVER SHRED_SO
. "$(dirname "$0")/lib.sh"

if ! is_root || ! command -v mkfs.ext4 >/dev/null; then
  echo "SKIP: needs root and mkfs.ext4"
  exit 77
fi

IMG=$WORK/ext4.img
MNT=$WORK/mnt
mkdir -p "$MNT"

# mount_image [OPTIONS]: a fresh ext4 image mounted on $MNT (exit 77 when
# loop mounts are not possible here).
mount_image() {
  rm -f "$IMG"
  truncate -s 64M "$IMG"
  mkfs.ext4 -q -F "$IMG"
  if ! mount -o "loop${1:+,$1}" "$IMG" "$MNT" 2>"$WORK/mount.err"; then
    cat "$WORK/mount.err"
    echo "SKIP: cannot mount an ext4 image on a loop device"
    exit 77
  fi
  MOUNTS+=("$MNT")
}

# mount_other FSTYPE SIZE: a fresh image of another file system on $MNT;
# false (nothing mounted) when its mkfs is missing or the kernel refuses.
mount_other() {
  rm -f "$IMG"
  truncate -s "$2" "$IMG"
  command -v "mkfs.$1" >/dev/null || return 1
  "mkfs.$1" -q -f "$IMG" >/dev/null 2>&1 || return 1
  mount -o loop -t "$1" "$IMG" "$MNT" 2>/dev/null || return 1
  MOUNTS+=("$MNT")
}

unmount_image() {
  umount "$MNT"
  unset 'MOUNTS[${#MOUNTS[@]}-1]'
}

# marker_file PATH WORD: about 4 MB of WORD repeated, written and synced.
marker_file() {
  { yes "$2" || true; } | head -c $((4 * 1024 * 1024)) >"$1"
  sync "$1"
}

loop_dev() { findmnt -n -o SOURCE "$MNT"; }

echo "# ext4, data=ordered: no copy of the shredded file's data is left"
mount_image
SHREDDED=SHREDDED_MARKER_$RANDOM$RANDOM
CONTROL=CONTROL_MARKER_$RANDOM$RANDOM
mkdir "$MNT/dir"
marker_file "$MNT/dir/secret" "$SHREDDED"
marker_file "$MNT/dir/control" "$CONTROL"
sync
rm "$MNT/dir/control"
dev=$(loop_dev)
rot=$(cat "/sys/block/${dev#/dev/}/queue/rotational" 2>/dev/null || echo unknown)
# The loop device's backing file decides, all the way down: on a virtual
# disk (this image on a VM's virtio disk) the level is logical-delete.
marker_file "$MNT/dir/undeclared" U
backing=$(readlink -f "/sys/dev/block/$(stat -c '%Hd:%Ld' "$IMG")")
run -s passes=1 "$PLUGIN" "$MNT/dir/undeclared"
check "deleted" [ "$(result "$OUT")" = deleted ]
case $backing in
  */virtio*|*/vbd-*)
    check "logical-delete on a virtual disk" [ "$(level "$OUT")" = logical-delete ]
    check "reason says virtual disk" contains "$(reason "$OUT")" "virtual disk" ;;
  *) echo "# the image is on ${backing##*/}: $(level "$OUT"), $(reason "$OUT")" ;;
esac
# Declared by the admin (the loop device itself), it is clear.
run -s passes=1 -s "in-place-device=${dev#/dev/}" "$PLUGIN" "$MNT/dir/secret"
check "deleted" [ "$(result "$OUT")" = deleted ]
check "gone" only_names "$MNT/dir"
if [ "$rot" = 1 ]; then
  check "clear on a declared rotational loop device" [ "$(level "$OUT")" = clear ]
  check "reason names ext4" contains "$(reason "$OUT")" "ext4"
  check "reason says declared" contains "$(reason "$OUT")" "declared"
else
  check "logical-delete on a non-rotational device ($rot)" [ "$(level "$OUT")" = logical-delete ]
fi
unmount_image
check "the control's marker is still in the image (the check can see data)" \
  [ "$(grep -a -c "$CONTROL" "$IMG" || true)" -gt 0 ]
check "no copy of the shredded marker in the image" \
  [ "$(grep -a -c "$SHREDDED" "$IMG" || true)" = 0 ]

echo "# a non-rotational device is logical-delete"
mount_image
dev=$(loop_dev)
flag=/sys/block/${dev#/dev/}/queue/rotational
old=$(cat "$flag" 2>/dev/null || true)
if [ -n "$old" ] && echo 0 >"$flag" 2>/dev/null && [ "$(cat "$flag")" = 0 ]; then
  marker_file "$MNT/ssd" X
  run "$PLUGIN" "$MNT/ssd"
  echo "$old" >"$flag" || true
  check "deleted" [ "$(result "$OUT")" = deleted ]
  check "logical-delete" [ "$(level "$OUT")" = logical-delete ]
  check "reason says non-rotational" contains "$(reason "$OUT")" "non-rotational device"
else
  echo "# SKIP: cannot mark the loop device non-rotational"
fi

echo "# chattr +j (data journalling for one file) is logical-delete"
marker_file "$MNT/journalled" Y
if chattr +j "$MNT/journalled" 2>/dev/null; then
  run "$PLUGIN" "$MNT/journalled"
  check "deleted" [ "$(result "$OUT")" = deleted ]
  check "logical-delete" [ "$(level "$OUT")" = logical-delete ]
  check "reason says chattr +j" contains "$(reason "$OUT")" "chattr +j"
else
  echo "# SKIP: chattr +j refused"
fi
unmount_image

echo "# ext4 mounted with data=journal is logical-delete"
mount_image data=journal
marker_file "$MNT/dj" Z
run "$PLUGIN" "$MNT/dj"
check "deleted" [ "$(result "$OUT")" = deleted ]
check "logical-delete" [ "$(level "$OUT")" = logical-delete ]
check "reason names data=journal" contains "$(reason "$OUT")" "data=journal"
check "gone" gone "$MNT/dj"
unmount_image

echo "# data=journal as the superblock's default (not shown in mountinfo)"
mount_image
unmount_image
tune2fs -o journal_data "$IMG" >/dev/null
mount -o loop "$IMG" "$MNT"
MOUNTS+=("$MNT")
marker_file "$MNT/dj" Z
run "$PLUGIN" "$MNT/dj"
check "deleted" [ "$(result "$OUT")" = deleted ]
check "logical-delete" [ "$(level "$OUT")" = logical-delete ]
check "reason names data=journal" contains "$(reason "$OUT")" "data=journal"
unmount_image

echo "# xfs: a reflinked file (shared extents) is logical-delete; its clone keeps its bytes"
# (the loop device is declared, so that only the extents decide)
if mount_other xfs 320M; then
  mkfile "$MNT/own" 1024
  mkfile "$MNT/orig" 1024
  cp "$MNT/orig" "$WORK/orig.copy"
  sync
  if cp --reflink=always "$MNT/orig" "$MNT/clone" 2>/dev/null; then
    dev=$(loop_dev)
    run -s "in-place-device=${dev#/dev/}" "$PLUGIN" "$MNT/orig" "$MNT/own"
    line=$(sed -n 1p <<<"$OUT")
    check "reflinked: deleted" [ "$(result "$line")" = deleted ]
    check "reflinked: logical-delete" [ "$(level "$line")" = logical-delete ]
    check "reflinked: reason says shared extents" contains "$(reason "$line")" "extents shared"
    check "the clone keeps the original bytes" cmp -s "$MNT/clone" "$WORK/orig.copy"
    line=$(sed -n 2p <<<"$OUT")
    if [ "$(cat "/sys/block/${dev#/dev/}/queue/rotational" 2>/dev/null)" = 1 ]; then
      check "unshared file on xfs: clear" [ "$(level "$line")" = clear ]
    fi
  else
    echo "# SKIP: no reflink support"
  fi
  unmount_image
else
  echo "# SKIP: cannot make and mount an xfs image"
fi

echo "# btrfs is copy-on-write: logical-delete naming btrfs"
if mount_other btrfs 128M; then
  mkfile "$MNT/cow" 512
  run "$PLUGIN" "$MNT/cow"
  check "deleted" [ "$(result "$OUT")" = deleted ]
  check "logical-delete" [ "$(level "$OUT")" = logical-delete ]
  check "reason names btrfs" contains "$(reason "$OUT")" "copy-on-write file system (btrfs)"
  check "gone" gone "$MNT/cow"
  unmount_image
else
  echo "# SKIP: cannot make and mount a btrfs image"
fi

finish

#!/bin/bash
# archive-then-shred when the archive cannot be made: bad settings are
# refused in open() naming the key; an archive directory that vanished, is
# full, read-only or immutable makes every item FAILED with the originals
# byte-identical and no partial archive left behind.
# usage: test_archive_then_shred_failure.sh PLUGIN_DRIVER ARCHIVE_THEN_SHRED_SO
. "$(dirname "$0")/lib.sh"

SRC=$WORK/src
COPY=$WORK/copy
ARCH=$WORK/archives
mkdir -p "$ARCH"
chmod 700 "$ARCH"

make_tree() {
  rm -rf "$SRC" "$COPY"
  mkdir -p "$SRC/c"
  mkfile "$SRC/c/one" 1024
  mkfile "$SRC/c/two" 1024
  printf 'three\n' >"$SRC/c/three"
  cp -a "$SRC" "$COPY"
}
ITEMS=("$SRC/c/one" "$SRC/c/two" "$SRC/c/three")

# All items FAILED with an error containing $1; originals intact.
assert_failed_intact() {
  local want=$1 line
  check "three outcomes" [ "$(grep -c . <<<"$OUT")" = 3 ]
  check "every item FAILED" [ "$(grep -c '^failed none ' <<<"$OUT")" = 3 ]
  line=$(sed -n 1p <<<"$OUT")
  check "error says nothing was deleted" contains "$(error_of "$line")" "not deleted: archiving failed"
  check "error says why ($want)" contains "$(error_of "$line")" "$want"
  for f in one two three; do
    check "$f byte-identical" cmp -s "$SRC/c/$f" "$COPY/c/$f"
  done
  check "no temporary names left" only_names "$SRC/c" one two three
}

echo "# settings refused in open(), naming the key"
make_tree
mkdir -p "$WORK/open" "$WORK/world" "$WORK/group" "$WORK/bad\"dir"
chmod 777 "$WORK/world"
chmod 770 "$WORK/group"
chmod 700 "$WORK/bad\"dir"
: >"$WORK/plainfile"
refused() {
  local key=$1 want=$2
  shift 2
  run "$@" "$PLUGIN" "$SRC/c/one"
  check "refused: $*" [ "$RC" = 3 ]
  check "names '$key' and says '$want': $*" contains "$OUT" "open failed: setting '$key'"
  check "... $want" contains "$OUT" "$want"
}
refused archive-dir "is required"
refused archive-dir "absolute path" -s archive-dir=relative/dir
refused archive-dir "No such file" -s archive-dir="$WORK/missing"
refused archive-dir "Not a directory" -s archive-dir="$WORK/plainfile"
refused archive-dir "world-writable (mode 0777)" -s archive-dir="$WORK/world"
refused archive-dir "group- or world-writable (mode 0770)" -s archive-dir="$WORK/group"
refused archive-dir "quote" -s archive-dir="$WORK/bad\"dir"
refused archive-format "expected tar.zst, tar.gz, tar.xz or zip, got 'rar'" \
  -s archive-dir="$ARCH" -s archive-format=rar
refused passes "whole number" -s archive-dir="$ARCH" -s passes=0
refused verify "yes or no" -s archive-dir="$ARCH" -s verify=sometimes
refused compress "unknown to the archive-then-shred plugin" -s archive-dir="$ARCH" -s compress=9
refused archive-dir "more than once" -s archive-dir="$ARCH" -s archive-dir="$ARCH"
check "nothing touched by refused opens" cmp -s "$SRC/c/one" "$COPY/c/one"

# with_signal COMMAND-AFTER-OPEN DRIVER-ARGS...: run a batch; between open()
# and the deletion, run the command.
with_signal() {
  local between=$1
  shift
  rm -f "$WORK/go" "$WORK/go.ready"
  "$DRIVER" files -b -w "$WORK/go" "$@" >"$WORK/out" 2>&1 &
  local pid=$!
  for _ in $(seq 500); do [ -e "$WORK/go.ready" ] && break; sleep 0.02; done
  eval "$between"
  touch "$WORK/go"
  RC=0
  wait $pid || RC=$?
  OUT=$(cat "$WORK/out")
  sed 's/^/    | /' <<<"$OUT"
}

echo "# the archive directory vanished after open()"
make_tree
mkdir -p "$WORK/vanishing"
chmod 700 "$WORK/vanishing"
with_signal 'rmdir "$WORK/vanishing"' -s archive-dir="$WORK/vanishing" "$PLUGIN" "${ITEMS[@]}"
assert_failed_intact "cannot create an archive"

if is_root && mkdir -p "$WORK/small" && mount -t tmpfs -o size=512k,mode=0700 tmpfs "$WORK/small"; then
  MOUNTS+=("$WORK/small")

  echo "# the archive directory fills up while writing"
  make_tree
  run -b -s archive-dir="$WORK/small" -s archive-format=tar.gz "$PLUGIN" "${ITEMS[@]}"
  assert_failed_intact "No space left on device"
  check "the partial archive was removed" [ -z "$(ls -A "$WORK/small")" ]

  echo "# the archive directory is read-only"
  make_tree
  with_signal 'mount -o remount,ro "$WORK/small"' -s archive-dir="$WORK/small" "$PLUGIN" \
    "${ITEMS[@]}"
  assert_failed_intact "Read-only file system"
  mount -o remount,rw "$WORK/small"

  echo "# an item changed since planning stays SKIPPED when archiving fails"
  make_tree
  with_signal 'printf more >>"$SRC/c/three"; cp -p "$SRC/c/three" "$COPY/c/three"' \
    -s archive-dir="$WORK/small" "$PLUGIN" "${ITEMS[@]}"
  check "one: failed" [ "$(result "$(sed -n 1p <<<"$OUT")")" = failed ]
  check "two: failed" [ "$(result "$(sed -n 2p <<<"$OUT")")" = failed ]
  check "three: skipped" [ "$(result "$(sed -n 3p <<<"$OUT")")" = skipped ]
  for f in one two three; do
    check "$f byte-identical" cmp -s "$SRC/c/$f" "$COPY/c/$f"
  done
  check "the partial archive was removed" [ -z "$(ls -A "$WORK/small")" ]
else
  echo "# SKIP: cannot mount a small tmpfs (full and read-only archive directories)"
fi

echo "# the archive directory is immutable"
make_tree
mkdir -p "$WORK/immutable"
chmod 700 "$WORK/immutable"
if chattr +i "$WORK/immutable" 2>/dev/null; then
  run -b -s archive-dir="$WORK/immutable" "$PLUGIN" "${ITEMS[@]}"
  chattr -i "$WORK/immutable"
  assert_failed_intact "Operation not permitted"
else
  echo "# SKIP: chattr +i refused"
fi

finish

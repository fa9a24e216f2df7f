#!/bin/bash
# The shred plugin on ordinary files: what is deleted, what is refused and
# left byte-identical, and what level it claims.
# usage: test_shred.sh PLUGIN_DRIVER SHRED_SO
. "$(dirname "$0")/lib.sh"

D=$WORK/src
OUTSIDE=$WORK/outside
mkdir -p "$D" "$OUTSIDE"

echo "# a plain file is overwritten, truncated and unlinked"
mkfile "$D/plain" 3072
printf 'small' >"$D/small"
run "$PLUGIN" "$D/plain" "$D/small"
line1=$(sed -n 1p <<<"$OUT")
line2=$(sed -n 2p <<<"$OUT")
check "driver exits 0" [ "$RC" = 0 ]
check "plain: deleted" [ "$(result "$line1")" = deleted ]
check "small: deleted" [ "$(result "$line2")" = deleted ]
check "plain: level is clear or logical-delete" \
  contains " clear logical-delete " " $(level "$line1") "
check "plain: the level has a reason" [ -n "$(reason "$line1")" ]
check "plain: method in detail" \
  contains "$(detail "$line1")" '"method":"overwrite (1 pass of ChaCha20 keystream), truncate, rename, unlink"'
check "both files gone, no temporary name left" only_names "$D"

echo "# passes, zero pass and verification"
mkfile "$D/multi" 2100
run -s passes=3 -s zero-pass=yes -s verify=yes "$PLUGIN" "$D/multi"
check "deleted" [ "$(result "$OUT")" = deleted ]
check "method says 3 passes, zero pass, verified" \
  contains "$(detail "$OUT")" "3 passes of ChaCha20 keystream, zero pass, verified"
check "gone" gone "$D/multi"
mkfile "$D/verified" 1500
run -s verify=yes "$PLUGIN" "$D/verified"
check "verify without zero pass: deleted" [ "$(result "$OUT")" = deleted ]
check "verify without zero pass: gone" gone "$D/verified"

echo "# an empty file and a sparse one (holes are not filled)"
: >"$D/empty"
truncate -s 8G "$D/sparse"
printf 'data in the middle' | dd of="$D/sparse" bs=1 seek=$((4 * 1024 * 1024 * 1024)) conv=notrunc status=none
run "$PLUGIN" "$D/empty" "$D/sparse"
check "empty: deleted" [ "$(result "$(sed -n 1p <<<"$OUT")")" = deleted ]
check "sparse: deleted" [ "$(result "$(sed -n 2p <<<"$OUT")")" = deleted ]
check "both gone" only_names "$D"

echo "# a stale planned identity: skipped, byte-identical, mtime kept"
mkfile "$D/stale" 64
cp -p "$D/stale" "$WORK/stale.copy"
mtime_before=$(stat -c %y "$D/stale")
real=$(stat -c 'dev=%d ino=%i size=%s' "$D/stale")
run -I "$real mtime_ns=1 $(status_of "$D/stale")" "$PLUGIN" "$D/stale"
check "skipped" [ "$(result "$OUT")" = skipped ]
check "level none" [ "$(level "$OUT")" = none ]
check "error says it was modified" contains "$(error_of "$OUT")" "changed since planned: modified"
check "byte-identical" cmp -s "$D/stale" "$WORK/stale.copy"
check "mtime untouched" [ "$(stat -c %y "$D/stale")" = "$mtime_before" ]

echo "# modified between planning and deletion: skipped, left as modified"
mkfile "$D/racy" 64
rm -f "$WORK/go" "$WORK/go.ready"
"$DRIVER" files -w "$WORK/go" "$PLUGIN" "$D/racy" >"$WORK/racy.out" 2>&1 &
pid=$!
for _ in $(seq 500); do [ -e "$WORK/go.ready" ] && break; sleep 0.02; done
printf 'appended after planning' >>"$D/racy"
cp -p "$D/racy" "$WORK/racy.copy"
touch "$WORK/go"
wait $pid || true
OUT=$(cat "$WORK/racy.out")
sed 's/^/    | /' <<<"$OUT"
check "skipped" [ "$(result "$OUT")" = skipped ]
check "error says the size changed" contains "$(error_of "$OUT")" "size"
check "byte-identical to the modified file" cmp -s "$D/racy" "$WORK/racy.copy"

echo "# replaced by another file under the same name: skipped"
mkfile "$D/replaced" 16
ident=$(stat -c 'dev=%d ino=%i size=%s' "$D/replaced")
mt=$(stat -c %Y "$D/replaced")
st=$(status_of "$D/replaced")
mv "$D/replaced" "$D/old"
cp -p "$D/old" "$D/replaced"
run -I "$ident mtime_ns=${mt}000000000 $st" "$PLUGIN" "$D/replaced"
check "skipped" [ "$(result "$OUT")" = skipped ]
check "error says another file" contains "$(error_of "$OUT")" "another file now has this name"
check "the newcomer is byte-identical" cmp -s "$D/replaced" "$D/old"
rm -f "$D/replaced" "$D/old" "$D/stale" "$D/racy"

echo "# a hard-linked file is unlinked, never overwritten"
mkfile "$D/linked" 256
ln "$D/linked" "$OUTSIDE/other-link"
cp "$D/linked" "$WORK/linked.copy"
run "$PLUGIN" "$D/linked"
check "deleted" [ "$(result "$OUT")" = deleted ]
check "logical-delete" [ "$(level "$OUT")" = logical-delete ]
check "reason names the hard links" [ "$(reason "$OUT")" = "2 hard links: not overwritten" ]
check "the name is gone" gone "$D/linked"
check "the other link keeps its bytes" cmp -s "$OUTSIDE/other-link" "$WORK/linked.copy"
check "the other link now has one link" [ "$(stat -c %h "$OUTSIDE/other-link")" = 1 ]

echo "# a symlink to a file outside is removed; the target is untouched"
mkfile "$OUTSIDE/target" 128
cp -p "$OUTSIDE/target" "$WORK/target.copy"
ln -s "$OUTSIDE/target" "$D/link"
run "$PLUGIN" "$D/link"
check "deleted" [ "$(result "$OUT")" = deleted ]
check "logical-delete" [ "$(level "$OUT")" = logical-delete ]
check "reason says symbolic link" [ "$(reason "$OUT")" = "symbolic link: nothing to overwrite" ]
check "the link is gone" gone "$D/link"
check "the target keeps its bytes" cmp -s "$OUTSIDE/target" "$WORK/target.copy"
check "the target keeps its mtime" [ "$(stat -c %Y "$OUTSIDE/target")" = "$(stat -c %Y "$WORK/target.copy")" ]

echo "# a symlink swapped in after planning: skipped, the target untouched"
mkfile "$D/swapped" 8
ident=$(stat -c 'dev=%d ino=%i size=%s' "$D/swapped")
mt=$(stat -c %Y "$D/swapped")
st=$(status_of "$D/swapped")
rm "$D/swapped"
ln -s "$OUTSIDE/target" "$D/swapped"
run -I "$ident mtime_ns=${mt}000000000 $st" "$PLUGIN" "$D/swapped"
check "skipped" [ "$(result "$OUT")" = skipped ]
check "the link is still there" [ -L "$D/swapped" ]
check "the target keeps its bytes" cmp -s "$OUTSIDE/target" "$WORK/target.copy"
rm "$D/swapped"

echo "# not a regular file: skipped"
mkfifo "$D/fifo"
run "$PLUGIN" "$D/fifo"
check "fifo skipped" [ "$(result "$OUT")" = skipped ]
check "error names a named pipe" contains "$(error_of "$OUT")" "named pipe"
check "fifo still there" [ -p "$D/fifo" ]
rm "$D/fifo"

echo "# on tmpfs the level is logical-delete, naming tmpfs"
T=
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ -w /dev/shm ]; then
  T=$(mktemp -d /dev/shm/lethe-shred.XXXXXX)
  EXTRA_DIRS+=("$T")
elif is_root && mkdir -p "$WORK/tmpfs" && mount -t tmpfs -o size=16m tmpfs "$WORK/tmpfs"; then
  MOUNTS+=("$WORK/tmpfs")
  T=$WORK/tmpfs
fi
if [ -n "$T" ]; then
  mkfile "$T/inram" 64
  run "$PLUGIN" "$T/inram"
  check "deleted" [ "$(result "$OUT")" = deleted ]
  check "logical-delete" [ "$(level "$OUT")" = logical-delete ]
  check "reason names tmpfs" contains "$(reason "$OUT")" "(tmpfs)"
  check "gone" gone "$T/inram"
else
  echo "# SKIP: no tmpfs available"
fi

echo "# bad settings are refused in open(), naming the key"
mkfile "$D/keep" 4
cp -p "$D/keep" "$WORK/keep.copy"
bad() {
  local want=$1
  shift
  run "$@" "$PLUGIN" "$D/keep"
  check "refused ($*)" [ "$RC" = 3 ]
  check "message names $want ($*)" contains "$OUT" "open failed: setting '$want'"
}
bad passes -s passes=0
bad passes -s passes=36
bad passes -s passes=abc
bad passes -s passes=
bad passes -s passes=1x
bad passes -s passes=99999999999999999999999
bad zero-pass -s zero-pass=maybe
bad verify -s verify=YES!
bad colour -s colour=blue
bad passes -s passes=2 -s passes=3
check "the file was not touched" cmp -s "$D/keep" "$WORK/keep.copy"
run -s passes=35 -s zero-pass=no -s verify=false "$PLUGIN" "$D/keep"
check "passes=35 accepted" [ "$(result "$OUT")" = deleted ]

finish

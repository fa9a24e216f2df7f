#!/bin/bash
# What the purge refuses, leaving the archive byte-identical and nothing
# beside it: a truncated and a corrupt archive (reported with the offset
# reached, "not judged"), an encrypted zip, an archive changed since it was
# listed, a path that is not in it, an archive with two names, a symlink, a
# format libarchive cannot write back, and a leftover of an interrupted
# purge (until it is recovered).
. "$(dirname "$0")/lib.sh"
need tar bsdtar zip gzip zstd

src=$T/src
mkdir -p "$src/keep" "$src/gone"
for i in $(seq 1 40); do head -c 5000 /dev/urandom >"$src/keep/f$i"; done
printf 'secret\n' >"$src/gone/x"

# refused ARCHIVE WHAT-IN-MESSAGE PURGE-ARGS...: exit 3, message, untouched.
refused() {
  local a=$1 want=$2 before rc
  shift 2
  before=$(sha "$a")
  purge "$@" "$a" gone
  rc=$?
  [[ $rc = 3 ]] || fail "$a: exit $rc, not 3 (refused): $(cat "$T/purge.err")"
  grep -q -- "$want" "$T/purge.err" || fail "$a: message lacks '$want': $(cat "$T/purge.err")"
  [[ $(sha "$a") = "$before" ]] || fail "$a: changed by a refused purge"
  no_leftovers "$a"
  note "refused: $(cat "$T/purge.err")"
}

mkdir -p "$T/a"
tar -czf "$T/good.tar.gz" -C "$src" keep gone
tar --zstd -cf "$T/good.tar.zst" -C "$src" keep gone

# Truncated: half of a tar.gz.
head -c $(( $(stat -c %s "$T/good.tar.gz") / 2 )) "$T/good.tar.gz" >"$T/a/cut.tar.gz"
refused "$T/a/cut.tar.gz" "not judged"
grep -q "at byte [0-9]" "$T/purge.err" || fail "no offset in: $(cat "$T/purge.err")"
"$PURGE_TOOL" list "$T/a/cut.tar.gz" >/dev/null 2>"$T/list.err"
[[ $? = 3 ]] || fail "list of a truncated archive does not fail"

# Corrupt: bytes overwritten in the middle of a tar.zst.
cp "$T/good.tar.zst" "$T/a/bad.tar.zst"
printf 'garbage-garbage-garbage' | dd of="$T/a/bad.tar.zst" bs=1 \
  seek=$(( $(stat -c %s "$T/a/bad.tar.zst") / 2 )) conv=notrunc status=none
refused "$T/a/bad.tar.zst" "not judged"

# Corrupt zip data (the central directory still lists every entry).
(cd "$src" && zip -qr "$T/a/bad.zip" keep gone)
printf 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' | dd of="$T/a/bad.zip" bs=1 seek=3000 conv=notrunc status=none
refused "$T/a/bad.zip" "not judged"

# Encrypted zip.
(cd "$src" && zip -qr -P secret "$T/a/enc.zip" keep gone)
refused "$T/a/enc.zip" "encrypted"

# Changed since it was listed.
cp "$T/good.tar.gz" "$T/a/changed.tar.gz"
id=$("$PURGE_TOOL" id "$T/a/changed.tar.gz")
touch -d '2001-01-01' "$T/a/changed.tar.gz"
refused "$T/a/changed.tar.gz" "changed since it was listed" --expect "$id"

# A path that is not in it.
cp "$T/good.tar.gz" "$T/a/nopath.tar.gz"
before=$(sha "$T/a/nopath.tar.gz")
"$PURGE_TOOL" purge "$T/a/nopath.tar.gz" no/such/entry >/dev/null 2>"$T/purge.err"
[[ $? = 3 ]] && grep -q "no entry 'no/such/entry'" "$T/purge.err" ||
  fail "a missing path is not refused: $(cat "$T/purge.err")"
[[ $(sha "$T/a/nopath.tar.gz") = "$before" ]] || fail "nopath.tar.gz changed"
no_leftovers "$T/a/nopath.tar.gz"

# Two names: the other would keep the purged data.
cp "$T/good.tar.gz" "$T/a/twice.tar.gz"
ln "$T/a/twice.tar.gz" "$T/a/twice-too.tar.gz"
refused "$T/a/twice.tar.gz" "has 2 names"
rm "$T/a/twice-too.tar.gz"

# A symlink is not followed.
ln -s good.tar.gz "$T/a/link.tar.gz"
cp "$T/good.tar.gz" "$T/a/good.tar.gz"
before=$(sha "$T/a/good.tar.gz")
"$PURGE_TOOL" purge "$T/a/link.tar.gz" gone >/dev/null 2>"$T/purge.err"
[[ $? != 0 ]] && grep -q "symbolic link" "$T/purge.err" ||
  fail "a symlink is followed: $(cat "$T/purge.err")"
[[ $(sha "$T/a/good.tar.gz") = "$before" ]] || fail "the symlink's target changed"

# A format libarchive reads but the purge does not write back.
(cd "$src/keep" && bsdtar --format ar -cf "$T/a/lib.a" f1 f2)
before=$(sha "$T/a/lib.a")
"$PURGE_TOOL" purge "$T/a/lib.a" f1 >/dev/null 2>"$T/purge.err"
[[ $? = 3 ]] && grep -q "cannot purge a ar" "$T/purge.err" ||
  fail "ar is not refused: $(cat "$T/purge.err")"
[[ $(sha "$T/a/lib.a") = "$before" ]] || fail "lib.a changed"
note "refused: $(cat "$T/purge.err")"

# A leftover of an interrupted purge: refused until recovered.
cp "$T/good.tar.gz" "$T/a/left.tar.gz"
printf 'half' >"$T/a/.lethe-purge-test-1.partial"
before=$(sha "$T/a/left.tar.gz")
"$PURGE_TOOL" purge "$T/a/left.tar.gz" gone >/dev/null 2>"$T/purge.err"
[[ $? = 3 ]] && grep -q "recover it first" "$T/purge.err" ||
  fail "a leftover .partial is not refused: $(cat "$T/purge.err")"
[[ $(sha "$T/a/left.tar.gz") = "$before" ]] || fail "left.tar.gz changed"
[[ $("$PURGE_TOOL" recover "$T/a/left.tar.gz") = rolled-back ]] || fail "recovery did not roll back"
no_leftovers "$T/a/left.tar.gz"
purge "$T/a/left.tar.gz" gone || fail "purge after recovery failed: $(cat "$T/purge.err")"
echo "1 passed, 0 failed"

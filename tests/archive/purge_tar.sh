#!/bin/bash
# Purging entries from tar archives made by GNU tar (GNU and pax formats,
# uncompressed, gzip and zstd): the kept entries come back byte-identical
# with the same mode, mtime and link targets; sparse files stay sparse, hard
# link chains whose first name is purged are repaired, long and non-UTF-8
# names survive, extended attributes are kept where the fs has them, and
# `tar -d` finds nothing changed.
. "$(dirname "$0")/lib.sh"
need tar zstd gzip python3

src=$T/src
mkdir -p "$src/keep/sub" "$src/gone/deep" "$src/links"
printf 'hello\n' >"$src/keep/a.txt"
head -c 300000 /dev/urandom >"$src/keep/sub/random.bin"
printf 'secret\n' >"$src/gone/deep/personal.txt"
printf 'also secret\n' >"$src/gone/list.csv"
long=$(printf 'n%.0s' {1..150})
printf 'long name\n' >"$src/keep/$long"
printf 'not utf-8\n' >"$src/keep/"$'\xff'"name"
printf 'utf-8\n' >"$src/keep/"$'caf\xc3\xa9'
ln -s ../keep/a.txt "$src/links/to-a"
ln -s "$long" "$src/keep/long-link"
# A hard-link chain whose first name (in archive order) is purged.
printf 'linked data\n' >"$src/gone/first"
ln "$src/gone/first" "$src/links/second"
ln "$src/gone/first" "$src/links/third"
# A sparse file: 64 MiB with two small islands of data.
truncate -s 64M "$src/keep/sparse.img"
printf 'island one' | dd of="$src/keep/sparse.img" bs=1 seek=1000000 conv=notrunc status=none
printf 'island two' | dd of="$src/keep/sparse.img" bs=1 seek=50000000 conv=notrunc status=none
chmod 0640 "$src/keep/a.txt"
chmod 0700 "$src/keep/sub"
touch -d '2020-02-29 12:34:56' "$src/keep/sub/random.bin"
xattr_opt=
if python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.lethe", b"kept")' \
     "$src/keep/a.txt" 2>/dev/null; then
  xattr_opt=--xattrs
fi

order=(gone keep links)   # gone/first is archived before links/second

check_one() {   # FORMAT COMPRESS
  local fmt=$1 z=$2 a x0 x1 zopt=() ext=tar xattrs=
  # GNU tar stores extended attributes in pax headers only: with --xattrs
  # a --format=gnu archive would be pax.
  [[ $fmt = pax ]] && xattrs=$xattr_opt
  case $z in
    gzip) zopt=(--gzip); ext=tar.gz ;;
    zstd) zopt=(--zstd); ext=tar.zst ;;
  esac
  a=$T/$fmt.$ext
  tar --format="$fmt" -S $xattrs "${zopt[@]}" -cf "$a" -C "$src" "${order[@]}" ||
    fail "tar cannot make $a"
  x0=$T/x0-$fmt-$z x1=$T/x1-$fmt-$z
  mkdir -p "$x0" "$x1"
  tar $xattrs -xf "$a" -C "$x0" || fail "cannot extract $a"
  tar -tf "$a" | grep -v '^gone' >"$T/expect.list"

  purge "$a" gone || fail "$fmt/$z: purge failed: $(cat "$T/purge.err")"
  no_leftovers "$a"
  tar -tf "$a" >"$T/got.list" 2>/dev/null
  diff "$T/expect.list" "$T/got.list" >&2 || fail "$fmt/$z: listing is not the kept entries"
  grep -q '"removed":\[{"path":"gone/"' "$T/report.json" || fail "$fmt/$z: report: $(cat "$T/report.json")"
  grep -q '"path":"gone/deep/personal.txt","type":"file","size":7,"sha256":"'"$(printf 'secret\n' | sha256sum | cut -d' ' -f1)"'"' \
    "$T/report.json" || fail "$fmt/$z: the report lacks the purged file's hash"
  grep -q '"links_repaired":1' "$T/report.json" || fail "$fmt/$z: hard link not repaired"

  tar $xattrs -xf "$a" -C "$x1" 2>"$T/x1.err" || fail "$fmt/$z: cannot extract the purged archive: $(cat "$T/x1.err")"
  rm -rf "$x0/gone"
  same_tree "$x0" "$x1" "$fmt/$z: kept entries differ"
  (cd "$x1" && tar $xattrs -df "$a" >"$T/d.out" 2>&1) || {
    cat "$T/d.out" >&2
    fail "$fmt/$z: tar -d finds differences"
  }
  # Still sparse: the purged archive holds the islands, not 64 MiB of zeros.
  "$PURGE_TOOL" list "$a" | has '^file 67108864 .* sparse keep/sparse.img$' ||
    fail "$fmt/$z: sparse.img is no longer sparse: $("$PURGE_TOOL" list "$a" | grep sparse.img)"
  if [[ -n $xattrs ]]; then
    python3 -c 'import os,sys; assert os.getxattr(sys.argv[1], "user.lethe") == b"kept"' \
      "$x1/keep/a.txt" 2>/dev/null || fail "$fmt/$z: extended attribute lost"
  fi
  grep -q '"format":"tar ('"${fmt/gnu/GNU}"')"' "$T/report.json" ||
    fail "$fmt/$z: format not detected: $(cat "$T/report.json")"
  note "$fmt/$z ok ($(grep -o '"written_as":"[^"]*"' "$T/report.json"))"
}

for fmt in gnu pax; do
  for z in none gzip zstd; do
    check_one "$fmt" "$z"
  done
done
[[ -n $xattr_opt ]] || note "extended attributes not tested: this file system refuses user.* attributes"
echo "1 passed, 0 failed"

#!/bin/bash
# Purging from every format and filter the purge writes back, each archive
# made by a real tool: GNU tar (GNU format without sparse files stays GNU;
# bzip2, xz, lz4), bsdtar (7-Zip, cpio newc and odc, ustar), Info-ZIP zip and
# python's zipfile. The listing afterwards holds exactly the kept entries,
# which extract byte-identical with the same mode and mtime; zip archives
# pass `unzip -t`.
. "$(dirname "$0")/lib.sh"
need tar bsdtar zip unzip python3 xz bzip2

src=$T/src
mkdir -p "$src/keep/sub" "$src/gone/deep"
printf 'hello\n' >"$src/keep/a.txt"
head -c 200000 /dev/urandom >"$src/keep/sub/random.bin"
printf 'secret\n' >"$src/gone/deep/personal.txt"
printf 'more\n' >"$src/gone/b.txt"
printf 'utf-8 name\n' >"$src/keep/"$'caf\xc3\xa9'
ln -s a.txt "$src/keep/link"
chmod 0600 "$src/keep/a.txt"
touch -d '2021-06-01 08:00:00' "$src/keep/sub/random.bin"

# check NAME ARCHIVE PURGED-PATH EXTRACTOR FORMAT-NAME: purge, then compare.
check() {
  local name=$1 a=$2 gone=$3 x=$4 want=$5 x0=$T/x0-$1 x1=$T/x1-$1
  mkdir -p "$x0" "$x1"
  (cd "$x0" && $x "$a") >/dev/null 2>&1 || fail "$name: cannot extract the original"
  "$PURGE_TOOL" list "$a" | grep -v " ${gone}" >"$T/expect.list"
  purge "$a" "$gone" || fail "$name: purge failed: $(cat "$T/purge.err")"
  no_leftovers "$a"
  grep -q "\"format\":\"$want\"" "$T/report.json" || fail "$name: format: $(cat "$T/report.json")"
  grep -q '"written_as":"'"$want"'"' "$T/report.json" || fail "$name: written as: $(cat "$T/report.json")"
  "$PURGE_TOOL" list "$a" >"$T/got.list" || fail "$name: cannot list the purged archive"
  diff "$T/expect.list" "$T/got.list" >&2 || fail "$name: listing is not the kept entries"
  (cd "$x1" && $x "$a") >/dev/null 2>&1 || fail "$name: cannot extract the purged archive"
  rm -rf "${x0:?}/${gone%/}"
  same_tree "$x0" "$x1" "$name: kept entries differ"
  note "$name ok"
}

# GNU tar, GNU format, no sparse files: stays GNU; other compressions.
for z in bzip2 xz lz4; do
  command -v $z >/dev/null || { note "$z not installed: skipped"; continue; }
  a=$T/gnu-$z.tar.$z
  tar --format=gnu -I $z -cf "$a" -C "$src" keep gone
  x="tar -xf"
  [[ $z = lz4 ]] && x="bsdtar -xf"   # GNU tar does not recognise lz4 by itself
  check "gnu-$z" "$a" gone "$x" "tar (GNU)"
done

a=$T/ustar.tar
(cd "$src" && bsdtar --format ustar -cf "$a" keep gone)
check ustar "$a" gone "tar -xf" "tar (ustar)"

a=$T/a.7z
# 7-Zip names are UTF-16: bsdtar converts them through the locale.
(cd "$src" && LC_ALL=C.UTF-8 bsdtar --format 7zip -cf "$a" keep gone)
check 7zip "$a" gone "env LC_ALL=C.UTF-8 bsdtar -xf" "7-Zip"

for f in newc odc; do
  a=$T/a-$f.cpio
  (cd "$src" && find keep gone | bsdtar -n --format $f -cf "$a" -T -)
  want="cpio ($f)"
  check "cpio-$f" "$a" gone "bsdtar -xf" "$want"
done

# unzip shows a UTF-8 name as such only in a UTF-8 locale; the purge writes
# non-ASCII UTF-8 names with the zip UTF-8 flag (Info-ZIP marks them with a
# Unicode path extra field instead).
a=$T/info.zip
(cd "$src" && zip -qry "$a" keep gone)
check info-zip "$a" gone/ "env LC_ALL=C.UTF-8 unzip -q" zip
unzip -tq "$a" >/dev/null || fail "info-zip: unzip -t finds errors"

a=$T/py.zip
(cd "$src" && python3 -m zipfile -c "$a" keep gone)
check python-zip "$a" gone/ "env LC_ALL=C.UTF-8 unzip -q" zip
unzip -tq "$a" >/dev/null || fail "python-zip: unzip -t finds errors"
LC_ALL=C.UTF-8 unzip -l "$a" | has $'caf\xc3\xa9' || fail "python-zip: UTF-8 name no longer shown as UTF-8"
echo "1 passed, 0 failed"

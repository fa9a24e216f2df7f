#!/bin/bash
# archive-then-shred in every format: the archive lists with bsdtar, its
# files extract byte-identical to the originals, the originals are gone, the
# detail names the archive and its SHA-256; items changed since planning
# are skipped, left alone and kept out of the archive.
# usage: test_archive_then_shred.sh PLUGIN_DRIVER ARCHIVE_THEN_SHRED_SO
. "$(dirname "$0")/lib.sh"

command -v bsdtar >/dev/null || { echo "SKIP: bsdtar missing"; exit 77; }

SRC=$WORK/src
ARCH=$WORK/archives
OUTSIDE=$WORK/outside
COPY=$WORK/copy
mkdir -p "$ARCH" "$OUTSIDE"
chmod 700 "$ARCH"
mkfile "$OUTSIDE/target" 16
cp -p "$OUTSIDE/target" "$WORK/target.copy"

# A client folder: text, a few MB of random data, an empty file, a name
# with a space, a hard link (its twin outside) and a symlink to outside.
make_tree() {
  rm -rf "$SRC" "$COPY" "$OUTSIDE/twin"
  mkdir -p "$SRC/ClientA/sub dir"
  printf 'invoice 1\n' >"$SRC/ClientA/a.txt"
  mkfile "$SRC/ClientA/sub dir/b.bin" 3000
  : >"$SRC/ClientA/empty"
  mkfile "$SRC/ClientA/linked" 8
  ln "$SRC/ClientA/linked" "$OUTSIDE/twin"
  ln -s "$OUTSIDE/target" "$SRC/ClientA/link"
  touch -d '2020-02-03 04:05:06' "$SRC/ClientA/a.txt"
  cp -a "$SRC" "$COPY"
}
FILES=("ClientA/a.txt" "ClientA/sub dir/b.bin" "ClientA/empty" "ClientA/linked" "ClientA/link")

# The one archive in $ARCH made by the last run.
new_archive() { ls -t "$ARCH" | head -n 1; }

# json_field JSON KEY
json_field() { jq -r ".$2" <<<"$1"; }

for fmt in tar.zst tar.gz tar.xz zip; do
  echo "# format $fmt"
  make_tree
  rm -f "$ARCH"/*
  args=()
  for f in "${FILES[@]}"; do args+=("$SRC/$f"); done
  run -b -r "clients/12mo" -S "ClientA/" -R "$SRC" -s "archive-dir=$ARCH/" \
    -s "archive-format=$fmt" "$PLUGIN" "${args[@]}"
  check "driver exits 0" [ "$RC" = 0 ]
  check "five outcomes" [ "$(grep -c . <<<"$OUT")" = 5 ]
  check "all deleted" [ "$(grep -c '^deleted ' <<<"$OUT")" = 5 ]
  for f in "${FILES[@]}"; do
    check "$f gone" gone "$SRC/$f"
  done
  check "no temporary names left" only_names "$SRC/ClientA" "sub dir"
  check "the outside target untouched" cmp -s "$OUTSIDE/target" "$WORK/target.copy"
  check "the hard link's twin keeps its bytes" cmp -s "$OUTSIDE/twin" "$COPY/ClientA/linked"

  name=$(new_archive)
  check "exactly one archive, no partial left" [ "$(ls -A "$ARCH" | wc -l)" = 1 ]
  # The tag after the time is the first item's journalled temporary name
  # (".lethe-RUN-SEQ" without ".lethe-"), which recovery matches on.
  check "archive name is rule-subject-time-tag.$fmt ($name)" \
    matches "$name" "^clients_12mo-ClientA-[0-9]{8}T[0-9]{6}Z-[A-Za-z0-9-]+\\.${fmt//./\\.}\$"
  check "archive mode 0600" [ "$(stat -c %a "$ARCH/$name")" = 600 ]

  line=$(sed -n 1p <<<"$OUT")
  d=$(detail "$line")
  check "detail is JSON" is_json "$d"
  check "detail names the archive" [ "$(json_field "$d" archive)" = "$ARCH/$name" ]
  sum=$(sha256sum "$ARCH/$name" | cut -d' ' -f1)
  check "detail sha256 matches sha256sum" [ "$(json_field "$d" sha256)" = "$sum" ]
  check "every deleted item has the same detail" \
    [ "$(detail "$(sed -n 2p <<<"$OUT")")" = "$d" ]
  check "method says archived, verified, shredded" \
    contains "$(json_field "$d" method)" "archived to $fmt, verified, then shredded"
  check "a.txt: level has a reason mentioning the archive" \
    contains "$(reason "$line")" "a verified copy is kept in the archive"
  line=$(sed -n 4p <<<"$OUT")
  check "linked: logical-delete" [ "$(level "$line")" = logical-delete ]
  check "linked: reason says hard links" contains "$(reason "$line")" "2 hard links: not overwritten"
  check "linked: method says not overwritten" \
    contains "$(json_field "$(detail "$line")" method)" "unlinked (not overwritten)"
  line=$(sed -n 5p <<<"$OUT")
  check "link: reason says symbolic link" contains "$(reason "$line")" "symbolic link"

  listing=$(bsdtar -tvf "$ARCH/$name")
  sed 's/^/    # /' <<<"$listing"
  for f in "${FILES[@]}"; do
    check "bsdtar lists $f" grep -qF -- "$f" <<<"$listing"
  done
  check "bsdtar lists exactly five entries" [ "$(grep -c . <<<"$listing")" = 5 ]
  X=$WORK/extract-$fmt
  mkdir -p "$X"
  check "bsdtar extracts" bsdtar -xf "$ARCH/$name" -C "$X"
  for f in a.txt "sub dir/b.bin" empty linked; do
    check "extracted $f is byte-identical" cmp -s "$X/ClientA/$f" "$COPY/ClientA/$f"
  done
  check "extracted a.txt keeps its mtime" \
    [ "$(stat -c %Y "$X/ClientA/a.txt")" = "$(stat -c %Y "$COPY/ClientA/a.txt")" ]
  check "extracted symlink points at the same target" \
    [ "$(readlink "$X/ClientA/link")" = "$OUTSIDE/target" ]
done

echo "# an item changed after planning is skipped, untouched and not archived"
make_tree
rm -f "$ARCH"/* "$WORK/go" "$WORK/go.ready"
"$DRIVER" files -b -S ClientA -R "$SRC" -w "$WORK/go" -s "archive-dir=$ARCH" "$PLUGIN" \
  "$SRC/ClientA/a.txt" "$SRC/ClientA/sub dir/b.bin" >"$WORK/out" 2>&1 &
pid=$!
for _ in $(seq 500); do [ -e "$WORK/go.ready" ] && break; sleep 0.02; done
printf 'late change\n' >>"$SRC/ClientA/a.txt"
cp -p "$SRC/ClientA/a.txt" "$WORK/a.changed"
touch "$WORK/go"
wait $pid || true
OUT=$(cat "$WORK/out")
sed 's/^/    | /' <<<"$OUT"
check "changed item skipped" [ "$(result "$(sed -n 1p <<<"$OUT")")" = skipped ]
check "its error says it changed" contains "$(error_of "$(sed -n 1p <<<"$OUT")")" "changed since planned"
check "the other item deleted" [ "$(result "$(sed -n 2p <<<"$OUT")")" = deleted ]
check "changed item byte-identical" cmp -s "$SRC/ClientA/a.txt" "$WORK/a.changed"
name=$(new_archive)
check "the archive does not hold the changed item" \
  [ "$(bsdtar -tf "$ARCH/$name")" = "ClientA/sub dir/b.bin" ]

echo "# delete_one (no batch) archives a single item; control bytes in the subject"
make_tree
rm -f "$ARCH"/*
run -S $'Client\001B/x' -R "$SRC" -s "archive-dir=$ARCH" -s passes=2 -s verify=yes \
  "$PLUGIN" "$SRC/ClientA/a.txt"
check "deleted" [ "$(result "$OUT")" = deleted ]
check "gone" gone "$SRC/ClientA/a.txt"
name=$(new_archive)
check "subject sanitised in the name ($name)" like "$name" "test-Client_B_x-*.tar.zst"
check "method carries the shred settings" \
  contains "$(json_field "$(detail "$OUT")" method)" "2 passes of ChaCha20 keystream, verified"
check "extracts byte-identical" \
  cmp -s <(bsdtar -xOf "$ARCH/$name" ClientA/a.txt) "$COPY/ClientA/a.txt"

echo "# all items changed: nothing archived, nothing deleted"
rm -f "$ARCH"/*
real=$(stat -c 'dev=%d ino=%i size=%s' "$SRC/ClientA/empty")
run -b -I "$real mtime_ns=5 $(status_of "$SRC/ClientA/empty")" -s "archive-dir=$ARCH" "$PLUGIN" "$SRC/ClientA/empty"
check "skipped" [ "$(result "$OUT")" = skipped ]
check "no archive created" [ -z "$(ls -A "$ARCH")" ]
check "still there" [ -f "$SRC/ClientA/empty" ]

finish

#!/bin/bash
# archive-then-shred with names that are not ASCII, run by lethe (which runs
# in the C locale): the demo share's "Borealis Énergie" (UTF-8) and names
# that are not UTF-8 at all (Latin-1 bytes, a lone 0xff) are archived in
# every archive format, each archive extracts with GNU tar / bsdtar / unzip
# to the same bytes under the same names, and every original is deleted.
. "$(dirname "$0")/lib.sh"
need_plugins archive-then-shred
setup_tmp
for t in bsdtar unzip tar zstd; do
  command -v "$t" >/dev/null || skip "$t is not installed"
done

names=(
  'Borealis Énergie/contrat signé.txt'
  'Borealis Énergie/Ünïcödé ✓.txt'
  $'Latin1 \xe9t\xe9/r\xe9sum\xe9.txt'
  $'raw/bad\xff\xfe.bin'
  'plain/ascii.txt'
)

for format in tar.zst tar.gz tar.xz zip; do
  D=$T/$format
  make_env "$D" archive-then-shred
  mkdir -p "$D/share" "$D/archive" "$D/copy"
  chmod 700 "$D/archive"
  i=0
  for n in "${names[@]}"; do
    mkdir -p "$D/share/${n%/*}" "$D/copy/${n%/*}"
    printf '%s %d\n' "$format" "$i" >"$D/share/$n"
    head -c $((1000 * i)) /dev/urandom >>"$D/share/$n"
    cp "$D/share/$n" "$D/copy/$n"
    touch -d "@$OLD" "$D/share/$n"
    i=$((i + 1))
  done
  cat >"$D/rules.d/10.ini" <<EOF
[rule names]
source = file://$(uri_encode "$D/share")
retain = 30 days
action = archive-then-shred
archive-dir = $D/archive
archive-format = $format
EOF
  run "run-$format" "$LETHE" run -c "$D/lethe.ini"
  expect_rc 0 "run-$format"
  for n in "${names[@]}"; do
    [[ ! -e $D/share/$n ]] || fail "$format: '$n' was not deleted"
  done
  [[ $(journal_results "$D/state" failed | tr -cd '\0' | wc -c) == 0 ]] ||
    fail "$format: some items failed: $(cat "$T/run-$format.err")"

  a=$(find "$D/archive" -type f ! -name '.*')
  [[ $(wc -l <<<"$a") == 1 && -n $a ]] || fail "$format: expected one archive, found: $a"
  # Each extractor must give back every name's bytes: GNU tar in the C
  # locale, as a script on a server runs it; bsdtar and unzip in a UTF-8 one
  # (in the C locale bsdtar refuses every UTF-8 name and unzip rewrites it
  # as #Uxxxx, whoever wrote the archive).
  case $format in
    zip) extractors=("env LC_ALL=C.UTF-8 unzip -qq -d @DIR@ @ARCHIVE@" "env LC_ALL=C.UTF-8 bsdtar -xf @ARCHIVE@ -C @DIR@") ;;
    *) extractors=("tar -xf @ARCHIVE@ -C @DIR@" "env LC_ALL=C.UTF-8 bsdtar -xf @ARCHIVE@ -C @DIR@") ;;
  esac
  for x in "${extractors[@]}"; do
    rm -rf "$T/x" && mkdir "$T/x"
    cmd=${x//@ARCHIVE@/$a}
    cmd=${cmd//@DIR@/$T/x}
    # shellcheck disable=SC2086
    $cmd 2>"$T/x.err" || fail "$format: '$x' failed: $(cat "$T/x.err")"
    for n in "${names[@]}"; do
      # Info-ZIP unzip drops a 0xff byte from any name, even in an archive
      # Info-ZIP zip made: bsdtar checks that one.
      [[ $x == *unzip* && $n == *$'\xff'* ]] && continue
      cmp -s "$T/x/$n" "$D/copy/$n" ||
        fail "$format: '$x' does not give back '$(printf '%q' "$n")' as it was; got:
$(cd "$T/x" && find . -type f | od -c | head -20)"
    done
  done
  note "$format: ${#names[@]} names archived, extracted alike by ${#extractors[@]} tools"
done

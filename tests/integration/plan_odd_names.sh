#!/bin/bash
# File names are bytes: newlines, invalid UTF-8, leading dashes, spaces,
# '%', quotes, backslashes, and a path deeper than PATH_MAX. The plan still
# exits 0, its JSON is valid, every old file is listed for deletion under a
# correctly percent-encoded URI, and the text and CSV reports stay one
# record per item.
. "$(dirname "$0")/lib.sh"
setup_tmp

now=$(epoch "$FIXED_NOW")
old=$((now - 400 * 86400))
share=$T/share
mkdir -p "$share/odd" "$share/deep"

# name|its path-part of the URI, percent-encoded by hand (RFC 3986: bytes
# outside unreserved and sub-delims, and '%' itself, become %XX).
odd=(
  $'new\nline.mp4'                     'new%0Aline.mp4'
  $'bad-\xff\xfe.mp4'                  'bad-%FF%FE.mp4'
  $'latin1-caf\xe9.mp4'                'latin1-caf%E9.mp4'
  '-rf.mp4'                            '-rf.mp4'
  '--help.mp4'                         '--help.mp4'
  '  two  spaces .mp4'                 '%20%20two%20%20spaces%20.mp4'
  '100%.mp4'                           '100%25.mp4'
  $'tab\there.mp4'                     'tab%09here.mp4'
  'quote"and\backslash.mp4'            'quote%22and%5Cbackslash.mp4'
  '#hash?.mp4'                         '%23hash%3F.mp4'
  '[brackets]*.mp4'                    '%5Bbrackets%5D*.mp4'
  'café, déjà vu.mp4'                  'caf%C3%A9,%20d%C3%A9j%C3%A0%20vu.mp4'
  $'dir\nwith newline/inner.mp4'       'dir%0Awith%20newline/inner.mp4'
  $'\x01ctrl\x7f.mp4'                  '%01ctrl%7F.mp4'
)
n_odd=$((${#odd[@]} / 2))
for ((i = 0; i < ${#odd[@]}; i += 2)); do
  f=$share/odd/${odd[i]}
  mkdir -p -- "$(dirname -- "$f")"
  printf 'old recording %s\n' "$i" >"$f" || fail "cannot create test file #$i"
done

# A directory chain deeper than PATH_MAX (4096), built with relative cds.
seg=$(printf 'd%.0s' {1..200})
(
  cd "$share/deep" || exit 1
  depth=0
  while ((depth <= 4096)); do
    mkdir "$seg" && cd "$seg" || exit 1
    depth=$((depth + ${#seg} + 1))
  done
  printf 'deep recording\n' >deep.mp4 && touch -d "@$old" deep.mp4
) || fail "cannot build the deep directory chain"

find "$share/odd" -exec touch -h -d "@$old" {} +

write_config "$T"
cat >"$T/rules.d/odd.ini" <<EOF
[rule recordings]
source = file://$(uri_encode "$share")
select = **/*.mp4
retain = 180 days
action = shred
EOF

run json "$LETHE" plan -c "$T/lethe.ini" --now "$FIXED_NOW" --format json
expect_rc 0 json
json_ok "$T/json.out" "plan --format json"
p=$T/json.out

items=$(jq '.items | length' "$p")
[[ $items == $((n_odd + 1)) ]] || fail "$items items, expected $((n_odd + 1)) (the odd names and the deep file):
$(jq -r '.items[] | .decision + " " + .path' "$p" | cut -c1-200)"

base=file://$(uri_encode "$share")
for ((i = 0; i < ${#odd[@]}; i += 2)); do
  want=odd/${odd[i + 1]}
  got=$(jq -r --arg x "$want" '.items[] | select(.path == $x) | [.decision, .kind, .uri] | join(" ")' "$p")
  [[ $got == "delete file $base/$want" ]] ||
    fail "file #$((i / 2)) ($(printf '%q' "${odd[i]}")): expected 'delete file $base/$want', got '$got'"
  # The encoding decodes back to the very bytes of the name.
  [[ $(uri_decode "${odd[i + 1]}"; echo .) == "${odd[i]}." ]] ||
    fail "file #$((i / 2)): the hand-written encoding does not decode to the name"
done

deep=$(jq -r '.items[] | select(.path | endswith("/deep.mp4")) | [.decision, (.path | length)] | join(" ")' "$p")
read -r ddec dlen <<<"$deep"
[[ $ddec == delete ]] || fail "the file deeper than PATH_MAX was not planned for deletion (got '$deep')"
((dlen > 4096)) || fail "the deep file's path is only $dlen bytes long"
jq -e --arg s "deep/$seg/$seg/" '.items[] | select(.path | endswith("/deep.mp4")) | .path | startswith($s)' \
  "$p" >/dev/null || fail "the deep file's path does not start with deep/$seg/$seg/"

# Text: one line per item and one per reason, no raw control or invalid bytes.
run text "$LETHE" plan -c "$T/lethe.ini" --now "$FIXED_NOW"
expect_rc 0 text
grep -q 'odd/new?line.mp4$' "$T/text.out" || fail "text report: the newline in a name is not shown as '?'"
LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f\xff\xfe]' "$T/text.out" &&
  fail "text report holds raw control or invalid UTF-8 bytes"
item_lines=$(grep -cE '^  delete +[0-9.]+ [KMGT]?i?B  ' "$T/text.out")
[[ $item_lines == "$items" ]] || fail "text report: $item_lines item lines for $items items"

# CSV: one row per item.
run csv "$LETHE" plan -c "$T/lethe.ini" --now "$FIXED_NOW" --format csv
expect_rc 0 csv
[[ $(wc -l <"$T/csv.out") == $((items + 1)) ]] ||
  fail "CSV: $(wc -l <"$T/csv.out") lines for $items items and a header"

note "ok"

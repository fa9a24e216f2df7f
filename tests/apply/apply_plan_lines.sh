#!/bin/bash
# lethe apply --plan reads a saved plan a line at a time (header, one entry
# a line, "]}"), so its memory does not grow with the plan; a plan a tool
# re-indented is still read whole. Either way the same items are deleted.
# A plan whose lines were tampered with deletes nothing and the error names
# the item: cut short, an entry that is not JSON, an entry of a rule the
# plan does not have, entries moved out of their rule's place.
. "$(dirname "$0")/lib.sh"
setup_tmp
need_plugins unlink

# env DIR: a share with two rules' old and new files, a plan saved.
env() {
  local d=$1 f
  make_env "$d" unlink
  mkdir -p "$d/share/rec" "$d/share/docs"
  for f in rec/a.mp4 rec/b.mp4 rec/new.mp4 docs/x.txt docs/y.txt docs/new.txt; do
    echo "$f" >"$d/share/$f"
  done
  find "$d/share" -type f ! -name 'new*' -exec touch -d "@$OLD" {} +
  cat >"$d/rules.d/10.ini" <<EOF
[rule recordings]
source = file://$(uri_encode "$d/share/rec")
select = *.mp4
retain = 30 days
action = unlink

[rule documents]
source = file://$(uri_encode "$d/share/docs")
select = *.txt
retain = 30 days
action = unlink
EOF
  run plan "$LETHE" plan -c "$d/lethe.ini" --format json -o "$d/plan.json"
  expect_rc 0 plan
}

left() { (cd "$1/share" && find . -type f | LC_ALL=C sort | tr '\n' ' '); }
want="./docs/new.txt ./rec/new.mp4 "

# As lethe wrote it: line by line.
env "$T/lines"
[[ $(head -n 1 "$T/lines/plan.json") == *',"items":[' && $(tail -n 1 "$T/lines/plan.json") == ']}' ]] ||
  fail "the saved plan is not laid out a line at a time: $(head -c 200 "$T/lines/plan.json")"
[[ $(wc -l <"$T/lines/plan.json") == 6 ]] || fail "expected a header, 4 entries and ]}"
P=$T/lines/plan.json
sed '$d' "$P" >"$T/short.json"
sed '3s/^{/{{/' "$P" >"$T/notjson.json"
{ sed '$d' "$P" | sed '$s/$/,/'; sed -n 5p "$P" | sed 's/"rule":"documents"/"rule":"elsewhere"/'
  echo ']}'; } >"$T/stranger.json"
{ head -n 1 "$P"; sed -n 4p "$P"; sed -n 2,3p "$P"; sed -n 5p "$P"; tail -n 1 "$P"; } >"$T/order.json"
[[ $(sed -n 2p "$P" | jq -r .rule) == recordings && $(sed -n 4p "$P" | jq -r .rule) == documents ]] ||
  fail "expected the recordings' entries before the documents'"
for name in short notjson stranger order; do
  run "$name" "$LETHE" apply -c "$T/lines/lethe.ini" --plan "$T/$name.json" --yes
  [[ $RC != 0 ]] || fail "$name: a spoiled plan was applied"
  [[ $(left "$T/lines") == "./docs/new.txt ./docs/x.txt ./docs/y.txt ./rec/a.mp4 ./rec/b.mp4 ./rec/new.mp4 " ]] ||
    fail "$name: a spoiled plan deleted $(left "$T/lines")"
done
expect_in short "the plan ends before its items do"
expect_in notjson "item 2: not a JSON object on its line"
expect_in stranger "item 5 names rule 'elsewhere'"
expect_in order "item 2 names rule 'recordings', which is not among the plan's rules in their order"
run apply "$LETHE" apply -c "$T/lines/lethe.ini" --plan "$P" --yes
expect_rc 0 apply
[[ $(left "$T/lines") == "$want" ]] || fail "line by line: left $(left "$T/lines")"

# Re-indented by jq: read whole, the same deletions.
env "$T/whole"
jq . "$T/whole/plan.json" >"$T/whole/pretty.json" || fail "jq"
run pretty "$LETHE" apply -c "$T/whole/lethe.ini" --plan "$T/whole/pretty.json" --yes
expect_rc 0 pretty
[[ $(left "$T/whole") == "$want" ]] || fail "re-indented: left $(left "$T/whole")"
note "a saved plan read line by line or whole deletes the same; spoiled lines delete nothing"

#!/bin/bash
# The demo share planned at a fixed instant gives exactly the hand-written
# expected plan; the text and CSV reports agree with it; the plan hash is
# stable and follows the tree; --rule and -o behave.
. "$(dirname "$0")/lib.sh"
setup_tmp

demo=$T/demo
"$LETHE_DEMO" --now "$FIXED_NOW" "$demo" >"$T/demo.out" 2>&1 ||
  fail "make-demo-share.sh failed: $(cat "$T/demo.out")"
grep -q -- "lethe plan -c .*lethe.ini --now $FIXED_NOW" "$T/demo.out" ||
  fail "make-demo-share.sh did not print the plan command"
cfg=$demo/lethe.ini
share=$demo/share
plan=("$LETHE" plan -c "$cfg" --now "$FIXED_NOW")

# --- the generator refuses to overwrite, and regenerates with --force ------

"$LETHE_DEMO" --now "$FIXED_NOW" "$demo" >/dev/null 2>&1 &&
  fail "make-demo-share.sh accepted a non-empty DIR without --force"
touch "$demo/share/Clients/stray file"
printf 'mine\n' >"$demo/notes.txt"
"$LETHE_DEMO" --now "$FIXED_NOW" --force "$demo" >/dev/null 2>&1 ||
  fail "make-demo-share.sh --force failed on its own demo"
[[ ! -e $demo/share/Clients/stray\ file ]] || fail "--force kept a file of the old share"
[[ $(cat "$demo/notes.txt") == mine ]] || fail "--force touched a file that is not the demo's"

# --- JSON: the list of (rule, decision, path) --------------------------------

run json "${plan[@]}" --format json
expect_rc 0 json
json_ok "$T/json.out" "plan --format json"
plan_lines "$T/json.out" >"$T/actual.txt"
expected_lines "$EXPECTED_DIR/realistic.txt" >"$T/expected.txt"
if ! diff -u "$T/expected.txt" "$T/actual.txt" >"$T/diff.txt"; then
  fail "the plan differs from expected/realistic.txt (- expected, + lethe):
$(cat "$T/diff.txt")"
fi

j() { jq -r "$@" "$T/json.out"; }

[[ $(j '.schema') == lethe-plan/1 ]] || fail "schema is $(j '.schema'), expected lethe-plan/1"
[[ $(j '.now') == "$FIXED_NOW" ]] || fail "now is $(j '.now'), expected $FIXED_NOW"
[[ $(j '.hash') =~ ^sha256:[0-9a-f]{64}$ ]] || fail "hash looks wrong: $(j '.hash')"
[[ $(j '[.rules[].name] | join(" ")') == \
   "clients-confidential clients-archive recordings backups consent" ]] ||
  fail "rules are $(j '[.rules[].name] | join(" ")'), expected the five demo rules in file order"

# Totals agree with the expected list.
for d in delete grace held skip; do
  want=$(grep -c " | $d | " "$T/expected.txt")
  got=$(j ".totals.$d.count")
  [[ $got == "$want" ]] || fail "totals.$d.count is $got, expected $want"
done

# Every item's URI is its rule's source plus its path, and every field the
# design requires is there.
bad=$(jq -r '
  (.rules | map({key: .name, value: .source}) | from_entries) as $src
  | .items[]
  | select(.uri != $src[.rule] + "/" + .path
           or (.reason | type) != "string" or .reason == ""
           or (.clock | type) != "object" or (.clock.name | type) != "string"
           or .kind != "file" or .store != "file"
           or (.identity | type) != "string"
           or (.decision != "skip" and (.expires | type) != "string"))
  | .uri' "$T/json.out")
[[ -z $bad ]] || fail "items with a wrong uri or missing fields:
$bad"

# Spot checks, each worked out by hand from the generator's timestamps.
item() { # RULE PATH-ENCODED JQ-EXPR
  jq -r --arg r "$1" --arg p "$2" ".items[] | select(.rule == \$r and .path == \$p) | $3" \
    "$T/json.out"
}
check() { # RULE PATH EXPR WANT
  local got
  got=$(item "$1" "$2" "$3")
  [[ $got == "$4" ]] || fail "$1 $2: $3 is '$got', expected '$4'"
}
bor=Borealis%20%C3%89nergie
check clients-confidential "$bor/0%20Confidential/R%C3%A9clamation,%202025.docx" \
  '[.decision, .hold, .clock.name, .clock.value] | join(" ")' \
  "held borealis-complaint newest 2025-10-18T12:00:00Z"
check clients-confidential "$bor/0%20Confidential/Participants%20list.xlsx" \
  '[.decision, .expires, .action, .subject] | join(" ")' \
  "delete 2026-10-18T12:00:00Z shred $bor"
check clients-archive "$bor/Invoices/INV-2025-0042.pdf" '.action' archive-then-shred
check clients-archive "Gal%C3%A1pagos%20Tours/Brochure%202024.pdf" \
  '[.decision, .hold, .clock.value] | join(" ")' "held .lethe-hold 2025-04-01T12:00:00Z"
check recordings "Acme%20Ltd/Recordings/Kick-off.mp4" \
  '[.decision, .clock.name, .clock.value, .expires] | join(" ")' \
  "delete mtime 2026-05-25T12:00:00Z 2026-11-21T12:00:00Z"
check recordings "Dupont,%20Martin%20&%20Associ%C3%A9s/Recordings/Q3%20review.mp4" \
  '.uri' "file://$(uri_encode "$share")/Clients/Dupont,%20Martin%20&%20Associ%C3%A9s/Recordings/Q3%20review.mp4"
check backups "backup-2019-11-20.tar.gz" \
  '[.decision, .clock.name, .clock.value, .expires, .due] | join(" ")' \
  "grace name 2019-11-20T00:00:00Z 2026-11-20T00:00:00Z 2026-12-04T00:00:00Z"
check backups "backup-weekly.tar.gz" '[.decision, (.expires // "null")] | join(" ")' "skip null"
check consent "2020/Smith,%20Anna.pdf" '[.decision, .clock.name, .expires] | join(" ")' \
  "delete events 2026-11-22T12:00:00Z"
check consent "2020/Dupr%C3%A9,%20Jean-Luc.pdf" '.clock.value' "2020-11-12T00:00:00Z"

# Generated for the current time (the default), the demo decides alike at
# the instant it prints: only the backups' names move with the date.
"$LETHE_DEMO" "$T/today" >"$T/today-gen.out" 2>&1 || fail "make-demo-share.sh without --now failed"
today_now=$(sed -n 's/.*lethe plan -c .* --now \([^ ]*\)$/\1/p' "$T/today-gen.out")
[[ -n $today_now ]] || fail "make-demo-share.sh did not print its --now: $(cat "$T/today-gen.out")"
run today "$LETHE" plan -c "$T/today/lethe.ini" --now "$today_now" --format json
expect_rc 0 today
diff <(plan_lines "$T/today.out" | grep -v '^backups ') <(grep -v '^backups ' "$T/expected.txt") \
  >"$T/diff.txt" || fail "the demo made for now ($today_now) plans differently:
$(cat "$T/diff.txt")"
diff <(plan_lines "$T/today.out" | grep '^backups ' | cut -d'|' -f1,2) \
     <(grep '^backups ' "$T/expected.txt" | cut -d'|' -f1,2) >/dev/null ||
  fail "the demo made for now ($today_now) decides differently on backups"

# --- text -------------------------------------------------------------------

run text "${plan[@]}"
expect_rc 0 text
hash=$(j '.hash')
grep -qF "Lethe plan $hash" "$T/text.out" || fail "text report does not name plan $hash"
for r in $(j '.rules[].name'); do
  grep -q "^rule $r " "$T/text.out" || fail "text report has no section for rule $r"
done
grep -qF "Borealis Énergie/0 Confidential/Réclamation, 2025.docx" "$T/text.out" ||
  fail "text report does not show decoded UTF-8 paths"
grep -q "^total: delete $(j '.totals.delete.count') " "$T/text.out" ||
  fail "text report total does not match the JSON: $(grep '^total' "$T/text.out")"

# --- CSV --------------------------------------------------------------------

run csv "${plan[@]}" --format csv
expect_rc 0 csv
header='rule,decision,uri,kind,size,clock,clock_value,expires,due,hold,action,reason'
[[ $(head -n 1 "$T/csv.out" | tr -d '\r') == "$header" ]] ||
  fail "CSV header is '$(head -n 1 "$T/csv.out")'"
rows=$(($(wc -l <"$T/csv.out") - 1))
items=$(j '.items | length')
[[ $rows == "$items" ]] || fail "CSV has $rows rows, the JSON $items items"
crlf=$(grep -c $'\r$' "$T/csv.out")
[[ $crlf == $((items + 1)) ]] || fail "CSV lines must end in CRLF ($crlf of $((items + 1)) do)"
# Each row starts with its rule and decision, in the JSON's order.
diff <(tail -n +2 "$T/csv.out" | cut -d, -f1,2) <(j '.items[] | .rule + "," + .decision') \
  >/dev/null || fail "CSV rows do not follow the JSON items"
# A URI with a comma is quoted.
grep -qF '"file://' "$T/csv.out" || fail "CSV does not quote URIs that hold a comma"

# --- the hash: stable, and it follows the tree --------------------------------

run json2 "${plan[@]}" --format json
expect_rc 0 json2
[[ $(jq -r .hash "$T/json2.out") == "$hash" ]] || fail "two runs gave different hashes"
cmp -s "$T/json.out" "$T/json2.out" || fail "two runs gave different JSON documents"

kick=$share/Clients/Acme\ Ltd/Recordings/Kick-off.mp4
mtime=$(stat -c %Y "$kick")
touch -d "@$mtime.5" "$kick" # the same second, half a second later
run json3 "${plan[@]}" --format json
expect_rc 0 json3
h3=$(jq -r .hash "$T/json3.out")
[[ $h3 != "$hash" ]] || fail "the hash did not change when an item's mtime changed by 0.5 s"
plan_lines "$T/json3.out" | cmp -s - "$T/actual.txt" ||
  fail "a sub-second mtime change altered the decisions"

touch -d "@$((mtime - 86400))" "$kick"
run json4 "${plan[@]}" --format json
expect_rc 0 json4
h4=$(jq -r .hash "$T/json4.out")
[[ $h4 != "$hash" && $h4 != "$h3" ]] || fail "the hash did not change when an item's mtime moved a day"

# --- --rule -----------------------------------------------------------------

run only "${plan[@]}" --format json --rule backups --rule consent
expect_rc 0 only
[[ $(jq -r '[.rules[].name] | join(" ")' "$T/only.out") == "backups consent" ]] ||
  fail "--rule backups --rule consent planned rules: $(jq -r '[.rules[].name] | join(" ")' "$T/only.out")"
diff <(plan_lines "$T/only.out") <(grep -E '^(backups|consent) ' "$T/expected.txt") >/dev/null ||
  fail "--rule backups --rule consent: items differ from those rules' expected lines"

run nosuch "${plan[@]}" --rule no-such-rule
expect_rc 2 nosuch
grep -q "no-such-rule" "$T/nosuch.err" || fail "--rule no-such-rule: the error does not name the rule"
[[ ! -s $T/nosuch.out ]] || fail "--rule no-such-rule: a report was written anyway"

# --- -o FILE ----------------------------------------------------------------

mkdir "$T/out"
run o1 "${plan[@]}" --format json -o "$T/out/plan.json"
expect_rc 0 o1
[[ ! -s $T/o1.out ]] || fail "-o: the report also went to stdout"
[[ $(stat -c %a "$T/out/plan.json") == 600 ]] ||
  fail "-o: the report has mode $(stat -c %a "$T/out/plan.json"), expected 600"
json_ok "$T/out/plan.json" "-o report"
[[ $(jq -r .hash "$T/out/plan.json") == "$(jq -r .hash "$T/json4.out")" ]] ||
  fail "-o: the report's hash differs from the same plan on stdout"

(umask 000 && "${plan[@]}" --format csv -o "$T/out/umask0.csv") ||
  fail "-o under umask 000 failed"
[[ $(stat -c %a "$T/out/umask0.csv") == 600 ]] ||
  fail "-o under umask 000: mode $(stat -c %a "$T/out/umask0.csv"), expected 600"

# A symlink at the -o path is refused; its target is left alone.
printf 'not a report\n' >"$T/out/victim"
ln -s victim "$T/out/link.json"
run olink "${plan[@]}" --format json -o "$T/out/link.json"
[[ $RC != 0 ]] || fail "-o onto a symlink was accepted"
[[ $(cat "$T/out/victim") == "not a report" ]] || fail "-o wrote through a symlink"

# An existing report file, readable by all, must not stay so once it holds
# the plan (the report names people's files).
printf 'old\n' >"$T/out/existing.json"
chmod 644 "$T/out/existing.json"
run oexist "${plan[@]}" --format json -o "$T/out/existing.json"
expect_rc 0 oexist
json_ok "$T/out/existing.json" "-o over an existing file"
[[ $(stat -c %a "$T/out/existing.json") == 600 ]] ||
  fail "-o over an existing 0644 file left it mode $(stat -c %a "$T/out/existing.json") (the report names personal data: expected 600)"

note "ok"

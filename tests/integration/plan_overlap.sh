#!/bin/bash
# Two rules selecting the same expired file: the first in rule order plans
# its deletion; the later one reports it as skipped, naming the first, so the
# plan never lists one file for deletion twice.
source "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/share/Client/Recordings" "$T/rules.d"
printf 'x' >"$T/share/Client/Recordings/old.mp4"
printf 'y' >"$T/share/Client/notes.txt"
touch -d 2024-01-01 "$T/share/Client/Recordings/old.mp4" "$T/share/Client/notes.txt"
printf '[agent]\nrules = rules.d\nstate = state\n' >"$T/lethe.ini"
cat >"$T/rules.d/10.ini" <<EOR
[rule archive-client]
source = file://$T/share
subject = */
select = */**
clock = newest
retain = 12 months
action = unlink

[rule recordings]
source = file://$T/share
select = **/*.mp4
retain = 180 days
action = unlink
EOR
"$LETHE" plan -c "$T/lethe.ini" --now "$FIXED_NOW" --format json -o "$T/plan.json" ||
  fail "plan failed"
got=$(jq -r '.items[] | "\(.rule) \(.decision) \(.path)"' "$T/plan.json" | sort)
want=$(printf '%s\n' "archive-client delete Client/Recordings/old.mp4" \
  "archive-client delete Client/notes.txt" "recordings skip Client/Recordings/old.mp4" | sort)
[ "$got" = "$want" ] || fail "plan items:"$'\n'"$got"$'\n'"expected:"$'\n'"$want"
reason=$(jq -r '.items[] | select(.rule == "recordings") | .reason' "$T/plan.json")
[ "$reason" = "also selected by rule archive-client, which deletes it first" ] ||
  fail "reason: $reason"
note "ok"

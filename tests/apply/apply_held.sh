#!/bin/bash
# Holds beat retention, also when they appear after the plan was made:
# lethe apply --plan re-checks [hold] sections and .lethe-hold markers right
# before each deletion. Items held then survive and are journalled as "skip"
# records with result "held" naming the hold; a hold whose 'until' has
# passed holds nothing; everything else in the plan goes.
. "$(dirname "$0")/lib.sh"
setup_tmp
need_plugins unlink shred

for plugin in unlink shred; do
  D=$T/$plugin
  share=$D/share
  make_env "$D" "$plugin"
  mkdir -p "$share/legal" "$share/marked/deeper" "$share/parent/child" "$share/expired" "$share/free"
  for f in legal/a.txt legal/b.txt marked/m.txt marked/deeper/m2.txt parent/child/p.txt \
    expired/e.txt free/f1.txt free/f2.txt "free/legal.txt"; do
    printf 'contents of %s\n' "$f" >"$share/$f"
  done
  find "$share" -mindepth 1 ! -type d -exec touch -d "@$OLD" {} +
  cat >"$D/rules.d/10-rule.ini" <<EOF
[rule held]
source = file://$(uri_encode "$share")
select = **
retain = 30 days
action = $plugin
EOF
  run plan "$LETHE" plan -c "$D/lethe.ini" --format json -o "$D/plan.json"
  expect_rc 0 plan
  [[ $(jq '[.items[] | select(.decision == "delete")] | length' "$D/plan.json") == 9 ]] ||
    fail "$plugin: the plan should delete all 9 files"

  # After the plan: a [hold] section, an expired hold, and markers.
  cat >"$D/rules.d/20-holds.ini" <<EOF
[hold litigation]
match = file://$share/legal/**
reason = claim 2026-117
[hold over]
match = file://$share/expired/**
reason = settled
until = $(date -u -d "@$((NOW - DAY))" +%Y-%m-%dT%H:%M:%SZ)
EOF
  : >"$share/marked/.lethe-hold"
  : >"$share/parent/.lethe-hold"
  nul_list "$share" ! -type d >"$D/all"
  states_of "$D/before" <"$D/all"
  printf '%s\0' "$share/expired/e.txt" "$share/free/f1.txt" "$share/free/f2.txt" \
    "$share/free/legal.txt" | sort -z >"$D/gone"

  run apply "$LETHE" apply -c "$D/lethe.ini" --plan "$D/plan.json" --yes
  expect_rc 0 apply
  check_after "$D/before" "$D/gone"
  for d in legal marked marked/deeper parent/child; do
    [[ -d $share/$d ]] || fail "$plugin: held directory $d was removed"
  done
  journals_all_ended "$D/state"
  j=$(journal_files "$D/state")

  journal_skips "$D/state" held >"$D/held"
  printf '%s\0' "$share/legal/a.txt" "$share/legal/b.txt" "$share/marked/m.txt" \
    "$share/marked/deeper/m2.txt" "$share/parent/child/p.txt" | sort -z >"$D/held.want"
  same_set "$D/held.want" "$D/held" "$plugin: items journalled as held"
  for f in legal/a.txt legal/b.txt; do
    jq -se --arg p "$f" 'map(select(.type == "skip" and .path == $p))
      | length == 1 and all(.reason | test("litigation"))' \
      "$j" >/dev/null || fail "$plugin: the held record of $f does not name hold litigation"
  done
  for f in marked/m.txt marked/deeper/m2.txt parent/child/p.txt; do
    jq -se --arg p "$f" 'map(select(.type == "skip" and .path == $p))
      | length == 1 and all(.reason | test("lethe-hold"))' \
      "$j" >/dev/null || fail "$plugin: the held record of $f does not name .lethe-hold"
  done
  # Held items were never handed to the plugin.
  bad=$(jq -r 'select(.type == "intent") | .path' "$j" | grep -E '^(legal|marked|parent)/' || true)
  [[ -z $bad ]] || fail "$plugin: intents written for held items: $bad"
  journal_results "$D/state" deleted >"$D/deleted"
  same_set "$D/gone" "$D/deleted" "$plugin: deleted outcomes vs files gone"
  grep -q '5 held' "$T/apply.err" || fail "$plugin: the summary does not count 5 held:
$(cat "$T/apply.err")"

  # lethe run (a fresh plan) holds them too, and deletes nothing more.
  states_of "$D/before2" <"$D/all"
  : >"$D/none"
  run again "$LETHE" run -c "$D/lethe.ini"
  expect_rc 0 again
  check_after "$D/before2" "$D/none"
  note "$plugin: ok"
done

note "ok"

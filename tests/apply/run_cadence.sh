#!/bin/bash
# lethe run applies each rule when it is due: a rule with 'every = 6 months'
# once per period (remembered in STATE/cadence as "RULE ISO8601" lines), the
# others every time. A rule with 'review = required' is never applied by
# run (nor by apply without a saved plan), and says so naming the rule; a
# reviewed plan applied with lethe apply --plan deletes its items.
. "$(dirname "$0")/lib.sh"
setup_tmp
need_plugins unlink

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# files DIR N WHEN: N new files in DIR dated WHEN (epoch).
files() {
  local i f
  mkdir -p "$1"
  for ((i = 0; i < $2; i++)); do
    f=$1/f$i-$RANDOM$RANDOM.txt
    printf 'file %s\n' "$f" >"$f"
    touch -d "@$3" "$f"
  done
}

D=$T/cadence
make_env "$D" unlink
dormant=$D/share/dormant
always=$D/share/always
cat >"$D/rules.d/cadence.ini" <<EOF
[rule dormant]
description = CS mailbox '4, Dormant Clients' emptied every six months
source = file://$(uri_encode "$dormant")
retain = 0
every = 6 months
action = unlink
remove-empty-dirs = no

[rule always]
source = file://$(uri_encode "$always")
retain = 30 days
action = unlink
remove-empty-dirs = no
EOF

# First run: everything in the dormant folder goes (retain 0), the cadence
# is recorded.
files "$dormant" 6 $((NOW - 120))
files "$always" 3 "$OLD"
files "$always/new" 2 "$RECENT"
nul_list "$D/share" ! -type d >"$D/all"
states_of "$D/before" <"$D/all"
{ nul_list "$dormant" -type f; nul_list "$always" -maxdepth 1 -type f; } | sort -z >"$D/gone"
run run1 "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 run1
check_after "$D/before" "$D/gone"
[[ -f $D/state/cadence ]] || fail "no STATE/cadence after the first run"
line=$(grep '^dormant ' "$D/state/cadence") || fail "STATE/cadence has no line for rule dormant:
$(cat "$D/state/cadence")"
when=$(date -u -d "${line#dormant }" +%s) ||
  fail "STATE/cadence: bad time in '$line'"
((when >= NOW - 5 && when <= $(date +%s) + 5)) || fail "STATE/cadence: '$line' is not the time of the run"

# Second run: new files in the dormant folder stay (not due); the rule
# without 'every' still runs.
files "$dormant" 4 $((NOW - 120))
files "$always" 2 "$OLD"
nul_list "$D/share" ! -type d >"$D/all"
states_of "$D/before" <"$D/all"
nul_list "$always" -maxdepth 1 -type f >"$D/gone"
run run2 "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 run2
check_after "$D/before" "$D/gone"
[[ $(grep -c '^dormant ' "$D/state/cadence") == 1 ]] || fail "STATE/cadence: not one line for dormant"
grep -qx "$line" "$D/state/cadence" || fail "a run that did not apply dormant changed its cadence:
$(cat "$D/state/cadence")"

# Seven months later, by the cadence file: due again.
sed -i "s/^dormant .*/dormant $(iso "$(date -u -d '7 months ago' +%s)")/" "$D/state/cadence"
nul_list "$D/share" ! -type d >"$D/all"
states_of "$D/before" <"$D/all"
nul_list "$dormant" -type f >"$D/gone"
run run3 "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 run3
check_after "$D/before" "$D/gone"
line3=$(grep '^dormant ' "$D/state/cadence")
when=$(date -u -d "${line3#dormant }" +%s) || fail "STATE/cadence: bad time in '$line3'"
((when >= NOW - 5)) || fail "STATE/cadence was not updated by the run that applied dormant: '$line3'"
journals_all_ended "$D/state"

# Five months back: not yet due.
sed -i "s/^dormant .*/dormant $(iso "$(date -u -d '5 months ago' +%s)")/" "$D/state/cadence"
files "$dormant" 2 $((NOW - 120))
nul_list "$D/share" ! -type d >"$D/all"
states_of "$D/before" <"$D/all"
: >"$D/none"
run run4 "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 run4
check_after "$D/before" "$D/none"

# Only the cadence rule, not due: "no rule is due", nothing touched.
rm "$D/rules.d/cadence.ini"
cat >"$D/rules.d/only.ini" <<EOF
[rule dormant]
source = file://$(uri_encode "$dormant")
retain = 0
every = 6 months
action = unlink
EOF
run run5 "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 run5
grep -qi 'no rule is due' "$T/run5.err" || fail "run with nothing due does not say so:
$(cat "$T/run5.err")"
check_after "$D/before" "$D/none"

# review = required: run and apply (fresh) leave it, naming the rule.
R=$T/review
make_env "$R" unlink
rv=$R/share/reviewed
free=$R/share/free
cat >"$R/rules.d/review.ini" <<EOF
[rule reviewed]
source = file://$(uri_encode "$rv")
retain = 30 days
action = unlink
review = required

[rule free]
source = file://$(uri_encode "$free")
retain = 30 days
action = unlink
EOF
files "$rv" 5 "$OLD"
files "$free" 2 "$OLD"
nul_list "$R/share" ! -type d >"$R/all"
states_of "$R/before" <"$R/all"
nul_list "$free" -type f >"$R/gone"
cp "$R/gone" "$R/gone.free"
run rrun "$LETHE" run -c "$R/lethe.ini"
expect_rc 0 rrun
check_after "$R/before" "$R/gone"
grep -q 'reviewed' "$T/rrun.err" || fail "run does not name the rule awaiting review:
$(cat "$T/rrun.err")"
grep -qi 'review' "$T/rrun.err" || fail "run does not say the rule needs review"

states_of "$R/before" <"$R/all"
: >"$R/none"
run rapply "$LETHE" apply -c "$R/lethe.ini" --yes
[[ $RC == 0 ]] || fail "apply --yes with only a rule awaiting review: exit $RC:
$(cat "$T/rapply.err")"
check_after "$R/before" "$R/none"
grep -q 'reviewed' "$T/rapply.err" || fail "apply does not name the rule awaiting review:
$(cat "$T/rapply.err")"

# The saved, reviewed plan is applied.
run rplan "$LETHE" plan -c "$R/lethe.ini" --rule reviewed --format json -o "$R/plan.json"
expect_rc 0 rplan
[[ $(jq '[.items[] | select(.decision == "delete")] | length' "$R/plan.json") == 5 ]] ||
  fail "the plan of rule reviewed does not delete its 5 files"
nul_list "$rv" -type f >"$R/gone"
run rsaved "$LETHE" apply -c "$R/lethe.ini" --plan "$R/plan.json" --yes
expect_rc 0 rsaved
check_after "$R/before" "$R/gone"
journal_results "$R/state" deleted >"$R/deleted"
sort -z "$R/gone" "$R/gone.free" >"$R/gone.all"
same_set "$R/gone.all" "$R/deleted" "deleted outcomes over the run and the reviewed plan"

note "ok"

#!/bin/bash
# What lethe run refuses to count, each deleting nothing and named in its
# message: an expired approval (approval-valid), an approval signed by a
# key that is not in approvers (put there by hand), a kept plan edited
# after it was approved, too few approvals (approvals = 2) until the second
# comes (a key of lethe keygen, PEM, signing in process; refused while a
# run holds the state directory). And lethe check:
# the review keys where they mean nothing, an approvers file that is
# missing or is no allowed_signers file, too few keys, each at FILE:LINE.
. "$(dirname "$0")/lib.sh"
setup_tmp

untouched() {
  [[ $(share_files "$1") == "new.txt old1.txt old2.txt old3.txt " ]] ||
    fail "$2: deleted: $(share_files "$1")"
}

# Expired: made and approved 20 days ago, valid 14 days.
D=$T/expired
make_env "$D" "approval-valid = 14 days"
L=(-c "$D/lethe.ini")
run plan "$LETHE" plan "${L[@]}" --now "$(iso $((NOW - 20 * DAY)))" --format json -o "$T/old.json"
expect_rc 0 plan
# lethe approve refuses to date an approval so early that it has expired
# already: it could never count.
run approve "$LETHE" approve "$T/old.json" --key "$D/alice" --now "$(iso $((NOW - 19 * DAY)))" "${L[@]}"
expect_rc 2 approve
expect_in approve "--now $(iso $((NOW - 19 * DAY))): an approval given then expired $(iso $((NOW - 5 * DAY)))"
expect_in approve "approval-valid = 14 days of rule clients); nothing was approved"
[[ ! -e $(plan_dir "$D" "$T/old.json") ]] || fail "a refused approval left its plan in the state"
run future "$LETHE" approve "$T/old.json" --key "$D/alice" --now "$(iso $((NOW + DAY)))" "${L[@]}"
expect_rc 2 future
run before "$LETHE" approve "$T/old.json" --key "$D/alice" --now "$(iso $((NOW - 21 * DAY)))" "${L[@]}"
expect_rc 2 before
expect_in before "was made after that instant"
# One given 19 days ago all the same (signed by hand, as lethe approve did
# then): the run does not count it.
alice=$(approve_by_hand "$D" "$T/old.json" alice "$(iso $((NOW - 19 * DAY)))") || fail "no approval by hand"
run run "$LETHE" run "${L[@]}"
expect_rc 0 run
expect_in run "$(keyid "$D/alice.pub").approval: the approval by alice@example.org"
expect_in run "expired"
expect_in run "approval-valid = 14 days of rule clients"
expect_in run "rule clients has 0 of the 1 approval it needs"
untouched "$D" "an expired approval"

# A key not in approvers, its approval signed with ssh-keygen and put in
# place by hand: the run does not count it.
D=$T/intruder
make_env "$D"
L=(-c "$D/lethe.ini")
run plan "$LETHE" plan "${L[@]}" --format json -o "$T/p.json"
expect_rc 0 plan
bob=$(approve_by_hand "$D" "$T/p.json" bob "$(iso "$NOW")") || fail "no approval by hand"
run run "$LETHE" run "${L[@]}"
expect_rc 0 run
expect_in run "$bob: signed by $(fingerprint "$D/bob.pub"), a key that is not in approvers"
untouched "$D" "an approval by a key not in approvers"
# Signed for another namespace by an approver: refused as well.
alice=$(approve_by_hand "$D" "$T/p.json" alice "$(iso "$NOW")" file) || fail "no approval by hand"
run run2 "$LETHE" run "${L[@]}"
expect_rc 0 run2
expect_in run2 "$alice: its signature"
expect_in run2 "does not verify"
untouched "$D" "an approval for another namespace"

# The kept plan edited after Alice approved it: refused.
D=$T/tampered
make_env "$D"
L=(-c "$D/lethe.ini")
run plan "$LETHE" plan "${L[@]}" --format json -o "$T/t.json"
expect_rc 0 plan
run approve "$LETHE" approve "$T/t.json" --key "$D/alice" "${L[@]}"
expect_rc 0 approve
dir=$(plan_dir "$D" "$T/t.json")
jq -c '.items |= map(if .path == "old1.txt" then .path = "new.txt" else . end)' \
  "$dir/plan.json" >"$T/x.json" && cp "$T/x.json" "$dir/plan.json"
run run "$LETHE" run "${L[@]}"
expect_rc 0 run
expect_in run "$dir/plan.json: the plan's hash does not match its items"
untouched "$D" "a tampered plan"
# Another plan (a whole one, its hash right) in its place: no approval is
# of it.
run plan2 "$LETHE" plan "${L[@]}" --now "$(iso $((NOW - 3600)))" --format json -o "$T/t2.json"
expect_rc 0 plan2
cp "$T/t2.json" "$dir/plan.json"
run run2 "$LETHE" run "${L[@]}"
expect_rc 0 run2
expect_in run2 "not the plan beside it"
untouched "$D" "an approval of another plan"

# Two approvals needed: one is not enough, the second applies the plan.
# The second reviewer, Dora, has a key of lethe's own (PEM), signed with in
# process.
D=$T/two
make_env "$D" "approvals = 2"
L=(-c "$D/lethe.ini")
mkdir -p "$D/dora"
printf '[agent]\nrules = rules.d\nstate = state\nkey = dora/dora.key\n' >"$D/dora.ini"
run doragen "$LETHE" keygen -c "$D/dora.ini"
expect_rc 0 doragen
printf 'dora@example.org namespaces="approval@lethe" %s\n' "$(cut -d' ' -f1,2 "$D/dora/dora.key.pub")" \
  >>"$D/approvers"
run plan "$LETHE" plan "${L[@]}" --format json -o "$T/2.json"
expect_rc 0 plan
run alice "$LETHE" approve "$T/2.json" --key "$D/alice" "${L[@]}"
expect_rc 0 alice
expect_in alice "clients: 1 of 2 approvals"
run run "$LETHE" run "${L[@]}"
expect_rc 0 run
expect_in run "rule clients has 1 of the 2 approvals it needs"
untouched "$D" "one approval of two"
# While a run holds the state directory, approve waits (--wait) or refuses.
if command -v flock >/dev/null; then
  (exec 9>>"$D/state/lock" && flock 9 && : >"$D/locked" && exec sleep 3) &
  holder=$!
  CLEANUP_HOOKS+=("kill $holder 2>/dev/null")
  for ((i = 0; i < 100; i++)); do [[ -e $D/locked ]] && break; sleep 0.05; done
  run locked "$LETHE" approve "$T/2.json" --key "$D/dora/dora.key" "${L[@]}"
  expect_rc 3 locked
  expect_in locked "is in use by another lethe"
  [[ -z $(find "$D/state/approvals" -name "$(keyid "$D/dora/dora.key.pub").approval") ]] ||
    fail "an approval was kept while the state directory was locked"
  wait "$holder"
fi
run dora "$LETHE" approve "$T/2.json" --key "$D/dora/dora.key" --wait "${L[@]}"
expect_rc 0 dora
expect_in dora "clients: 2 of 2 approvals"
run run2 "$LETHE" run "${L[@]}"
expect_rc 0 run2
[[ $(share_files "$D") == "new.txt " ]] || fail "two approvals: left $(share_files "$D")"
cert=$(cert_of_plan "$D" "$(jq -r .hash "$T/2.json")")
[[ $(jq -r '[.approvals[].principal] | sort | join(" ")' "$cert") == \
   "alice@example.org dora@example.org" ]] || fail "approvers: $(jq -c .approvals "$cert")"

# lethe check: each problem at FILE:LINE.
D=$T/check
make_env "$D" "approvals = 3"
run three "$LETHE" check -c "$D/lethe.ini"
expect_rc 2 three
expect_in three "$D/rules.d/clients.ini:6: [rule clients]: approvers"
expect_in three "fewer than the 3 approvals"
sed -i 's/^approvals = 3$/approvals = 1/' "$D/rules.d/clients.ini"
echo 'not an allowed_signers line' >>"$D/approvers"
run bad "$LETHE" check -c "$D/lethe.ini"
expect_rc 2 bad
expect_in bad "$D/rules.d/clients.ini:6: [rule clients]: approvers: "
expect_in bad "approvers:3: not a line of the form"
rm "$D/approvers"
run missing "$LETHE" check -c "$D/lethe.ini"
expect_rc 2 missing
expect_in missing "clients.ini:6:"
sed -i 's/^review = required$/review = none/' "$D/rules.d/clients.ini"
run noreview "$LETHE" check -c "$D/lethe.ini"
expect_rc 2 noreview
expect_in noreview "clients.ini:6: [rule clients]: 'approvers' applies only to a rule with 'review = required'"

#!/bin/bash
# lethe confirm away from the central ledger: the deletions are certified
# and the attestation signed and kept in the trainer's ledger, with a
# warning that it waits (exit 0); lethe confirm --push fails (exit 1)
# while the remote cannot be reached, and pushes everything once it can.
# And a confirm killed while deleting: the next one recovers and certifies
# what the killed one did, and its attestation lists both certificates.
. "$(dirname "$0")/lib.sh"
setup_tmp
make_home
make_trainer "Ada Trainer" ada@example.org
CFG=$HOME/.config/lethe/confirm.ini
L=$HOME/.local/state/lethe/ledger
sed -i "s|^remote = .*|remote = $T/unreachable/central.git|" "$CFG"

run away "$LETHE" confirm --yes
expect_rc 0 away
expect_in away "the attestation waits in $L"
[[ -n $(the_attestation "$L") ]] || fail "no attestation kept while offline"
run push_away "$LETHE" confirm --push
expect_rc 1 push_away
expect_in push_away "goes with the next lethe confirm"

sed -i "s|^remote = .*|remote = $T/central.git|" "$CFG"
run push "$LETHE" confirm --push
expect_rc 0 push
expect_in push "pushed to $T/central.git"
branch=$(git -C "$T/central.git" for-each-ref --format='%(refname:short)' refs/heads/confirm/)
[[ -n $branch && $(git -C "$T/central.git" rev-parse "$branch") == $(git -C "$L" rev-parse HEAD) ]] ||
  fail "the waiting attestation did not reach the central ledger"

# killed while deleting, then run again
need_fault_injection
rm -rf "$HOME/Downloads" "$HOME/Desktop" "$HOME/Documents"
make_home
for ((k = 3; k <= 12; k++)); do
  LETHE_TEST_KILL_AT=$k run killed "$LETHE" confirm --yes
  [[ $RC == 137 ]] && break
done
[[ $RC == 137 ]] || fail "no fault point killed lethe confirm (last status $RC)"
left=$(while IFS= read -r f; do [[ -e $HOME/$f ]] && echo "$f"; done <"$T/planted" | wc -l)
run after "$LETHE" confirm --yes
expect_rc 0 after
expect_in after "recovered"
att=$(the_attestation "$L")
jq -e '(.certificates | length) == 2 and ([.certificates[].deleted] | add) == 7 and
  .after.files == 0' "$L/$att" >/dev/null ||
  fail "after the kill ($left left): $(jq -c '{certificates, before, after}' "$L/$att")"
while IFS= read -r f; do
  [[ ! -e $HOME/$f ]] || fail "$f survived"
done <"$T/planted"
note "offline attestation waited and was pushed; killed at fault point $k with $left files left, recovered"

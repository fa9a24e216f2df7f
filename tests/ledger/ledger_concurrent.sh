#!/bin/bash
# Two lethe configurations (separate state directories, one ledger and one
# key) certify at the same time. Writers of one ledger take turns (a lock on
# its directory), and the branch moves by compare-and-swap besides: a writer
# that lost a race makes its certificate again on the new head. No commit is
# lost, no writer removes another's git lock, the history stays one line,
# and the chain of previous hashes holds. (A commit that lost a race stays
# unreferenced until git gc: git fsck calls it dangling, which is no error.)
. "$(dirname "$0")/lib.sh"
setup_tmp

D=$T/env
make_env "$D"
keygen "$D"
mkdir -p "$D/state2"
sed 's|^state = state$|state = state2|' "$D/lethe.ini" >"$D/other.ini"
: >"$D/rules.d/10-old.ini" # nothing to delete: each run is one quick certificate

ROUNDS=6
writer() {
  local cfg=$1 tag=$2 i
  for ((i = 1; i <= ROUNDS; i++)); do
    run "$tag$i" "$LETHE" apply -c "$cfg" --yes
    [[ $RC == 0 ]] || { printf '%s\n' "$tag$i" >>"$T/failed"; return; }
  done
}
writer "$D/lethe.ini" a &
writer "$D/other.ini" b &
wait
[[ ! -e $T/failed ]] || fail "runs failed: $(cat "$T/failed"); $(cat "$T/$(head -1 "$T/failed").err")"

L=$D/ledger
[[ $(git -C "$L" rev-list --count HEAD) == $((2 * ROUNDS)) ]] ||
  fail "expected $((2 * ROUNDS)) commits, got $(git -C "$L" rev-list --count HEAD)"
[[ $(git -C "$L" rev-list --merges --count HEAD) == 0 ]] || fail "merges in the ledger"
[[ -z $(find "$D/state/journal" "$D/state2/journal" -maxdepth 1 -name '*.jsonl') ]] ||
  fail "journals left uncertified"
run verify "$LETHE" verify -c "$D/lethe.ini"
expect_rc 0 verify
expect_in verify "verified: $((2 * ROUNDS)) certificates"
# one more commit brings the work tree to the head, whatever the race left
run last "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 0 last
ALLOW_DANGLING=1 check_ledger "$L"
races=$(git -C "$L" fsck 2>&1 | grep -c '^dangling commit ')
note "$((2 * ROUNDS)) certificates from two writers, chain intact ($races lost races retried)"

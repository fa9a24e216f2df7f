#!/bin/bash
# Only one lethe runs against a state directory at a time. While another
# process holds STATE/lock, apply and run exit 3 saying the state directory
# is in use and delete nothing; with --wait they wait for it and then
# proceed. Two applies started together over the same tree never delete (or
# certify) a file twice: the union of their journals' deleted outcomes has
# no duplicate and is exactly the set of expired files, all gone.
. "$(dirname "$0")/lib.sh"
setup_tmp
need_plugins unlink
command -v flock >/dev/null || skip "flock (util-linux) not installed"

# setup NAME N: $D with N expired and 3 recent files in a few directories.
setup() {
  D=$T/$1
  share=$D/share
  make_env "$D" unlink
  mkdir -p "$D/state" "$share"/{a,b,c,d}
  local sub=(a b c d)
  for ((i = 0; i < $2; i++)); do printf 'old %s\n' "$i" >"$share/${sub[i % 4]}/old$i.txt"; done
  for i in 1 2 3; do printf 'new %s\n' "$i" >"$share/a/new$i.txt"; done
  find "$share" -mindepth 1 ! -type d -exec touch -d "@$OLD" {} +
  set_recent "$share"/a/new*.txt
  nul_list "$share" ! -type d >"$D/all"
  states_of "$D/before" <"$D/all"
  nul_list "$share" ! -type d -name 'old*' >"$D/expired"
  : >"$D/none"
  cat >"$D/rules.d/lock.ini" <<EOF
[rule lock]
source = file://$(uri_encode "$share")
select = **
retain = 30 days
action = unlink
remove-empty-dirs = no
EOF
}

# hold_lock SECONDS: hold STATE/lock from a background process; sets HOLDER.
hold_lock() {
  rm -f "$D/locked"
  # One process, so that killing it releases the lock (flock CMD would leave
  # CMD holding the inherited descriptor).
  (exec 9>>"$D/state/lock" && flock 9 && : >"$D/locked" && exec sleep "$1") &
  HOLDER=$!
  CLEANUP_HOOKS+=("kill $HOLDER 2>/dev/null; true")
  for ((i = 0; i < 100; i++)); do [[ -e $D/locked ]] && break; sleep 0.05; done
  [[ -e $D/locked ]] || fail "could not take the lock with flock"
}

setup held 10
hold_lock 30
for cmd in apply run; do
  if [[ $cmd == apply ]]; then
    run $cmd "$LETHE" apply -c "$D/lethe.ini" --yes
  else
    run $cmd "$LETHE" run -c "$D/lethe.ini"
  fi
  expect_rc 3 $cmd
  grep -q 'in use by another lethe' "$T/$cmd.err" || fail "$cmd: stderr does not say the state is in use:
$(cat "$T/$cmd.err")"
  check_after "$D/before" "$D/none"
  [[ -z $(journal_files "$D/state") ]] || fail "$cmd: a journal was written without the lock"
done
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null

# --wait: blocks while the lock is held, then does the work.
hold_lock 2
start=$(date +%s%N)
run wait "$LETHE" apply -c "$D/lethe.ini" --yes --wait
end=$(date +%s%N)
expect_rc 0 wait
wait "$HOLDER" 2>/dev/null
((end - start >= 1000000000)) || fail "apply --wait returned after $(((end - start) / 1000000)) ms \
while the lock was held for 2 s"
check_after "$D/before" "$D/expired"

# Two applies at once, over and over: each file deleted and journalled once.
rounds=0 refused=0
for round in 1 2 3 4 5 6; do
  setup "race$round" 200
  run plan "$LETHE" plan -c "$D/lethe.ini" --format json -o "$D/plan.json"
  expect_rc 0 plan
  # One plans afresh, the other applies the saved plan; --wait on one side
  # only on odd rounds, so that both the refusal and the queueing happen.
  w=(); ((round % 2)) && w=(--wait)
  "$LETHE" apply -c "$D/lethe.ini" --yes --wait >"$T/p1.out" 2>"$T/p1.err" &
  p1=$!
  "$LETHE" apply -c "$D/lethe.ini" --plan "$D/plan.json" --yes "${w[@]}" >"$T/p2.out" 2>"$T/p2.err" &
  p2=$!
  wait $p1
  rc1=$?
  wait $p2
  rc2=$?
  no_sanitizer_report "$T/p1.err" "round $round, apply"
  no_sanitizer_report "$T/p2.err" "round $round, apply --plan"
  [[ $rc1 == 0 ]] || fail "round $round: apply --wait exited $rc1: $(cat "$T/p1.err")"
  # The second may find everything gone (3: every item changed) or the
  # state locked (3, without --wait) or do part of the work (0).
  [[ $rc2 == 0 || $rc2 == 3 ]] || fail "round $round: apply --plan exited $rc2: $(cat "$T/p2.err")"
  if grep -q 'in use' "$T/p2.err"; then
    ((${#w[@]} == 0)) || fail "round $round: apply --wait refused: $(cat "$T/p2.err")"
    refused=$((refused + 1))
  fi
  check_after "$D/before" "$D/expired"
  journals_all_ended "$D/state"
  journal_results "$D/state" deleted >"$D/deleted"
  d=$(dups "$D/deleted")
  [[ -z $d ]] || fail "round $round: files journalled as deleted twice:
$d"
  same_set "$D/expired" "$D/deleted" "round $round: deleted outcomes over both journals vs expired files"
  rounds=$((rounds + 1))
done

note "ok ($rounds concurrent rounds; the second apply found the lock taken $refused times)"

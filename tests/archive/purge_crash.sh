#!/bin/bash
# kill -9 at every fault point of a purge (LETHE_TEST_KILL_AT=1, 2, ... until
# a run completes), then recovery: the file under the archive's name is
# always byte-identical to the original or to the verified purged archive,
# never missing or partial, and no .partial or .old is left.
. "$(dirname "$0")/lib.sh"
need_fault_injection
need tar zstd

src=$T/src
mkdir -p "$src/keep" "$src/gone"
for i in $(seq 1 60); do head -c 3000 /dev/urandom >"$src/keep/f$i"; done
for i in $(seq 1 20); do printf 'personal %d\n' "$i" >"$src/gone/p$i"; done
ln "$src/gone/p1" "$src/keep/link-to-p1"
mkdir -p "$T/a"
tar --zstd -cf "$T/orig.tar.zst" -C "$src" gone keep
orig=$(sha "$T/orig.tar.zst")

# The purged archive a run that is not killed makes.
cp "$T/orig.tar.zst" "$T/a/ref.tar.zst"
purge --run ref --seq 1 "$T/a/ref.tar.zst" gone || fail "reference purge: $(cat "$T/purge.err")"
ref=$(sha "$T/a/ref.tar.zst")
[[ $ref != "$orig" ]] || fail "the reference purge changed nothing"
rm "$T/a/ref.tar.zst"

a=$T/a/backup.tar.zst
kills=0
for n in $(seq 1 500); do
  cp "$T/orig.tar.zst" "$a"
  # In a subshell, so that bash's "Killed" notice goes to /dev/null.
  (LETHE_TEST_KILL_AT=$n "$PURGE_TOOL" purge --run crash --seq 7 "$a" gone \
    >"$T/report.json" 2>"$T/purge.err"; exit $?) 2>/dev/null
  rc=$?
  if [[ $rc = 0 ]]; then
    [[ $(sha "$a") = "$ref" ]] || fail "run $n completed but the archive is not the purged one"
    no_leftovers "$a"
    break
  fi
  [[ $rc = 137 ]] || fail "run $n: exit $rc: $(cat "$T/purge.err")"
  kills=$((kills + 1))
  where=$(sed -n 's/.*killed at [0-9]* (\(.*\))/\1/p' "$T/purge.err")
  state=$("$PURGE_TOOL" recover --run crash --seq 7 "$a") || fail "run $n ($where): recovery failed"
  [[ -f $a ]] || fail "run $n ($where): the archive is gone after recovery ($state)"
  now=$(sha "$a")
  case $state in
    clean|rolled-back) [[ $now = "$orig" ]] ||
      { [[ $now = "$ref" ]] || fail "run $n ($where): $state but the archive is neither"; } ;;
    done*) [[ $now = "$ref" ]] || fail "run $n ($where): done but not the purged archive" ;;
    *) fail "run $n ($where): unknown state $state" ;;
  esac
  [[ $now = "$orig" || $now = "$ref" ]] || fail "run $n ($where): the archive is neither"
  no_leftovers "$a"
  note "killed at $n ($where): $state"
done
[[ $kills -ge 10 ]] || fail "only $kills fault points were reached"
# After a rollback, the purge can run again and complete.
cp "$T/orig.tar.zst" "$a"
(LETHE_TEST_KILL_AT=1 "$PURGE_TOOL" purge --run crash --seq 8 "$a" gone >/dev/null 2>&1) 2>/dev/null
"$PURGE_TOOL" recover --run crash --seq 8 "$a" >/dev/null || fail "recovery failed"
purge --run crash --seq 9 "$a" gone || fail "purge after recovery: $(cat "$T/purge.err")"
[[ $(sha "$a") = "$ref" ]] || fail "purge after recovery made another archive"
echo "1 passed, 0 failed"

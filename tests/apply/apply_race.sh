#!/bin/bash
# The symlink race: while lethe apply deletes the files of directory D in a
# share, an adversary keeps swapping D for a symlink to a directory X outside
# the share that holds old files with the same names (mv D D.real; ln -s X D;
# rm D; mv D.real D), and now and then a subdirectory of D likewise. lethe
# must never follow the link: every file of X stays byte-identical, nothing
# outside the share changes, and each run's journal names as deleted only
# paths inside the share whose files are gone -- exactly the files gone.
#
# Runs are repeated with fresh files until the adversary has swapped D
# LETHE_RACE_SWAPS times (default 1000; subdirectory swaps come on top),
# or until LETHE_RACE_SECONDS (60) have passed; fewer than a fifth of the
# swaps wanted means the race was not exercised, and fails.
# Runs alternate: lethe apply --plan (planned before the attack) and lethe
# apply --yes (planned under attack), with the shred and the unlink plugin.
. "$(dirname "$0")/lib.sh"
setup_tmp
need_plugins unlink shred

WANT_SWAPS=${LETHE_RACE_SWAPS:-1000}
MAX_SECONDS=${LETHE_RACE_SECONDS:-60}
SUBDIRS=20
PER_DIR=100

share=$T/share
X=$T/X
tmpl=$T/template
mkdir -p "$share" "$X" "$tmpl/D"
for ((s = 0; s < SUBDIRS; s++)); do
  sd=$(printf 's%02d' "$s")
  mkdir -p "$tmpl/D/$sd" "$X/$sd"
  for ((i = 0; i < PER_DIR; i++)); do
    printf 'in share %s %s\n' "$sd" "$i" >"$tmpl/D/$sd/f$i.txt"
    printf 'OUTSIDE %s %s must survive\n' "$sd" "$i" >"$X/$sd/f$i.txt"
  done
done
printf 'keeps D from being emptied\n' >"$tmpl/D/keeper.txt"
printf 'outside top\n' >"$X/keeper.txt"
find "$tmpl" "$X" -mindepth 1 -exec touch -h -d "@$OLD" {} +
set_recent "$tmpl/D/keeper.txt"
touch -d "@$OLD" "$X"

# Everything outside the share: X and the template, files and directories.
{ nul_list "$X"; nul_list "$tmpl"; printf '%s\0' "$X"; } | sort -z >"$T/outside.list"
states_of "$T/outside.before" <"$T/outside.list"
: >"$T/none"

make_env "$T/cfg" unlink shred
for action in unlink shred; do
  mkdir -p "$T/cfg/rules.$action"
  cat >"$T/cfg/rules.$action/race.ini" <<EOF
[rule race]
source = file://$(uri_encode "$share")
select = **
retain = 30 days
action = $action
EOF
done

# adversary COUNTFILE STOPFILE: swap until STOPFILE exists, then leave the
# share as it was and write the number of swaps (D, subdirectory).
adversary() {
  local n=0 m=0 k=0 sd
  while [[ ! -e $2 ]]; do
    k=$((k + 1))
    if ((k % 4)); then
      mv -T "$share/D" "$share/D.real" 2>/dev/null || continue
      ln -s "$X" "$share/D"
      rm "$share/D"
      mv -T "$share/D.real" "$share/D"
      n=$((n + 1))
    else
      printf -v sd 's%02d' $((RANDOM % SUBDIRS))
      mv -T "$share/D/$sd" "$share/D/$sd.real" 2>/dev/null || continue
      ln -s "$X/$sd" "$share/D/$sd"
      rm "$share/D/$sd"
      mv -T "$share/D/$sd.real" "$share/D/$sd"
      m=$((m + 1))
    fi
  done
  printf '%s %s\n' "$n" "$m" >"$1"
}

swaps=0 subswaps=0 runs=0 deleted_total=0 status1=0
start=$SECONDS
while ((swaps < WANT_SWAPS && SECONDS - start < MAX_SECONDS)); do
  runs=$((runs + 1))
  # (plan, shred), (fresh, shred), (plan, unlink), (fresh, shred),
  # (plan, shred), (fresh, unlink), ...: shred runs last longest and see the
  # most swaps.
  action=shred
  ((runs % 3 == 0)) && action=unlink
  rm -rf "$share/D" "$T/cfg/state" "$T/cfg/rules.d"
  cp -a "$tmpl/D" "$share/D"
  cp -a "$T/cfg/rules.$action" "$T/cfg/rules.d"
  nul_list "$share" >"$T/share.before"
  mode=fresh
  if ((runs % 2)); then
    mode=plan
    run plan "$LETHE" plan -c "$T/cfg/lethe.ini" --format json -o "$T/plan.json"
    expect_rc 0 plan
  fi

  rm -f "$T/stop" "$T/count"
  adversary "$T/count" "$T/stop" &
  adv=$!
  CLEANUP_HOOKS+=("touch '$T/stop'; wait $adv 2>/dev/null; true")
  sleep 0.02
  if [[ $mode == plan ]]; then
    run apply "$LETHE" apply -c "$T/cfg/lethe.ini" --plan "$T/plan.json" --yes
  else
    run apply "$LETHE" apply -c "$T/cfg/lethe.ini" --yes
  fi
  touch "$T/stop"
  wait "$adv"
  read -r n m <"$T/count" || fail "the adversary did not report"
  swaps=$((swaps + n))
  subswaps=$((subswaps + m))

  # The adversary left the share as it found it.
  [[ -d $share/D && ! -L $share/D && ! -e $share/D.real ]] || fail "run $runs: D not restored"
  [[ -z $(find "$share" -name '*.real' -print -quit) ]] || fail "run $runs: a .real directory is left"
  # 0 done; 1 a directory could not be removed (the adversary had moved it);
  # 3 every item changed (unlikely). Anything else is a crash or an error.
  [[ $RC == 0 || $RC == 1 || $RC == 3 ]] || fail "run $runs ($mode, $action): exit $RC:
$(head -c 3000 "$T/apply.err")"
  if [[ $RC == 1 ]]; then
    # Acceptable only when what failed is the removal of a directory the
    # adversary had just moved, or the scan of a directory that vanished.
    jq -e -s 'all(.[]; .type != "outcome" or .result != "failed" or .method == "rmdir (empty directory)")' \
      $(journal_files "$T/cfg/state") >/dev/null || fail "run $runs: items failed:
$(head -c 3000 "$T/apply.err")"
    status1=$((status1 + 1))
  fi

  # Outside: untouched.
  check_after "$T/outside.before" "$T/none"
  [[ -L $share/D ]] && fail "run $runs: D is a symlink"

  # The journal: ended, deleted outcomes inside the share and gone, and the
  # files gone exactly those (a path under D.real/ is D's, renamed).
  journals_all_ended "$T/cfg/state"
  journal_results "$T/cfg/state" deleted all >"$T/deleted.raw"
  while IFS= read -r -d '' p; do
    [[ $p == "$share"/* ]] || fail "run $runs: a deleted outcome outside the share: $p"
    [[ $p == *..* ]] && fail "run $runs: a deleted outcome with '..': $p"
    q=${p/#"$share/D.real/"/"$share/D/"}
    [[ $q == "$share/D.real" ]] && q=$share/D
    printf '%s\0' "$q"
  done <"$T/deleted.raw" | sort -z >"$T/deleted"
  [[ -z $(dups "$T/deleted") ]] || fail "run $runs: deleted twice: $(dups "$T/deleted")"
  nul_list "$share" >"$T/share.after"
  minus "$T/share.before" "$T/share.after" >"$T/gone"
  same_set "$T/gone" "$T/deleted" "run $runs ($mode, $action): entries gone vs journalled as deleted"
  no_lethe_temps "$share"
  ndel=$(tr -cd '\0' <"$T/deleted" | wc -c)
  deleted_total=$((deleted_total + ndel))
  note "run $runs ($mode, $action): exit $RC, $ndel deleted, $n D swaps, $m subdirectory swaps"
done

((swaps >= WANT_SWAPS / 5)) ||
  fail "only $swaps swaps of D in $MAX_SECONDS s ($runs runs): the race was not exercised enough"
((deleted_total > 0)) || fail "nothing was ever deleted: the runs did not work"
note "ok: $runs runs ($status1 exited 1), $swaps D swaps + $subswaps subdirectory swaps, $deleted_total entries deleted, X intact"

#!/bin/bash
# kill -9 at any instant leaves a state that the next run completes and
# certifies (invariant 5). For K = 1, 2, ... lethe apply is killed at its
# K-th fault point (LETHE_TEST_KILL_AT: after each journal commit and after
# each plugin deletion, or batch for a batching plugin), then lethe run
# recovers and finishes. Each time, over every journal: each has an end
# record, and the outcomes "deleted" (seq mapped to the intent's path in the
# same journal) are exactly the entries gone from the share -- none twice;
# every expired file is gone, every other file intact, and no .lethe-*
# temporary name is left. K goes past the last fault point of the run (to
# at least 50 with unlink). Done with unlink, shred and archive-then-shred
# (which deletes a subject at a time in batches), then again killing at
# random instants with timeout -s KILL. Every archive archive-then-shred
# leaves must be named by a journal (else a later purge of deleted subjects
# misses it).
. "$(dirname "$0")/lib.sh"
setup_tmp
need_fault_injection
need_plugins unlink shred archive-then-shred

MIN_K=${LETHE_CRASH_MIN_K:-50}
RANDOM_RUNS=${LETHE_CRASH_RANDOM_RUNS:-20}

# setup DIR PLUGIN: a fresh case in DIR: 20 expired files in four client
# folders (some nested, so that emptied directories are removed too), and
# recent files that must stay.
setup() {
  D=$1
  local plugin=$2 subject=
  share=$D/share
  rm -rf "$D"
  make_env "$D" "$plugin"
  mkdir -p "$share/c1" "$share/c2/sub" "$share/c3" "$share/c4/a/b" "$share/c5"
  for i in 1 2 3 4 5; do
    printf 'c1 %s\n' "$i" >"$share/c1/f$i.txt"
    printf 'c2 %s\n' "$i" >"$share/c2/sub/f$i.txt"
    printf 'c3 %s\n' "$i" >"$share/c3/f$i.txt"
    printf 'c4 %s\n' "$i" >"$share/c4/a/b/f$i.txt"
  done
  printf 'keep\n' >"$share/c1/keep.txt"
  printf 'keep\n' >"$share/c5/keep.txt"
  head -c 100000 /dev/urandom >"$share/c3/f5.txt" # something to overwrite
  find "$share" -mindepth 1 ! -type d -exec touch -d "@$OLD" {} +
  set_recent "$share/c1/keep.txt" "$share/c5/keep.txt"
  {
    printf '[rule crash]\nsource = file://%s\nselect = **\nretain = 30 days\naction = %s\n' \
      "$(uri_encode "$share")" "$plugin"
    if [[ $plugin == archive-then-shred ]]; then
      mkdir -p -m 0700 "$D/archive"
      printf 'subject = */\narchive-dir = %s\narchive-format = tar.gz\nremove-empty-dirs = subject\n' \
        "$D/archive"
    fi
  } >"$D/rules.d/crash.ini"
  nul_list "$share" >"$D/entries.before"
  nul_list "$share" ! -type d >"$D/all"
  states_of "$D/before" <"$D/all"
  nul_list "$share" -name 'f*.txt' >"$D/expired"
}

# unended STATE: how many journals lack an end record (read as text: the
# last line of a killed run's journal may be torn).
unended() {
  local j n=0
  while IFS= read -r j; do
    grep -q '"type":"end"' "$j" || n=$((n + 1))
  done < <(journal_files "$1")
  printf '%s' "$n"
}

# verify WHAT: after lethe run, the whole state is complete and consistent.
verify() {
  local what=$1 bad
  journal_report "$D/state" >"$D/report"
  bad=$(grep -E '^(E|X) ' "$D/report")
  [[ -z $bad ]] || fail "$what: journals incomplete or inconsistent:
$bad"
  sed -n 's/^D //p' "$D/report" | decode_lines >"$D/deleted"
  [[ -z $(dups "$D/deleted") ]] || fail "$what: journalled as deleted more than once:
$(dups "$D/deleted")"
  check_after "$D/before" "$D/expired"
  no_lethe_temps "$share"
  nul_list "$share" >"$D/entries.after"
  minus "$D/entries.before" "$D/entries.after" >"$D/gone"
  same_set "$D/gone" "$D/deleted" "$what: entries gone vs outcomes \"deleted\" over all journals"
}

# run_case WHAT: lethe run after an apply (killed or not) and the checks.
# $RC is the apply's status.
after_apply() {
  local what=$1 open
  open=$(unended "$D/state")
  if [[ $RC == 137 ]]; then
    # A kill after the journal was created leaves one to recover.
    ((open <= 1)) || fail "$what: $open journals without an end record after one kill"
  else
    [[ $RC == 0 ]] || fail "$what: apply exited $RC, expected 0 or 137 (killed):
$(head -c 3000 "$T/apply.err")"
    [[ $open == 0 ]] || fail "$what: apply exited 0 but left a journal without an end record"
  fi
  run recover "$LETHE" run -c "$D/lethe.ini"
  expect_rc 0 recover
  if ((open)); then
    # (a run killed before its first intent deleted nothing: its journal
    # is removed, not certified)
    grep -q -e 'recovered 1 interrupted run' -e 'stopped before deleting anything; removed' \
      "$T/recover.err" ||
      fail "$what: lethe run did not report the recovery:
$(cat "$T/recover.err")"
  fi
  verify "$what"
  [[ -d $D/archive ]] && check_archives "$what"
}

# check_archives WHAT: every archive archive-then-shred left is named by an
# outcome (its detail.archive) in some journal: an archive nobody knows of
# holds copies of data certified as deleted that a later purge cannot find.
# Counted in ORPHANS, judged at the end (so that the other checks run).
ORPHANS=0 ORPHAN_EXAMPLE=
check_archives() {
  local a
  while IFS= read -r -d '' a; do
    if ! jq -c --arg a "$a" 'select(.type == "outcome" and .detail.archive? == $a)' \
      $(journal_files "$D/state") /dev/null 2>/dev/null | has .; then
      ORPHANS=$((ORPHANS + 1))
      [[ -n $ORPHAN_EXAMPLE ]] || ORPHAN_EXAMPLE="$1: ${a##*/} ($(stat -c %s "$a") bytes)"
    fi
  done < <(find "$D/archive" -type f -print0)
}

declare -A points=()
total_kills=0
for plugin in unlink shred archive-then-shred; do
  finished=0
  last_killed=0
  for ((K = 1; K <= 200; K++)); do
    setup "$T/case" "$plugin"
    LETHE_TEST_KILL_AT=$K run apply "$LETHE" apply -c "$D/lethe.ini" --yes
    if [[ $RC == 137 ]]; then
      ((finished == 0)) || fail "$plugin: killed at K=$K after a run had finished at a smaller K"
      last_killed=$K
      total_kills=$((total_kills + 1))
    fi
    [[ $RC == 0 ]] && finished=$((finished + 1))
    after_apply "$plugin, killed at fault point $K"
    # unlink goes on to K = MIN_K; the others stop two past their last point.
    ((finished >= 2)) && { ((K >= MIN_K)) || [[ $plugin != unlink ]]; } && break
  done
  ((finished >= 2)) || fail "$plugin: the run was still killed at K=$K: more fault points than expected"
  ((last_killed >= 20)) || fail "$plugin: only $last_killed fault points for 20 items"
  points[$plugin]=$last_killed
  note "$plugin: killed at each of its $last_killed fault points, K up to $K"
done

# Random instants: kill after a random delay up to the length of a whole run.
setup "$T/case" shred
start=$(date +%s%N)
run full "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 0 full
span=$((($(date +%s%N) - start) / 1000000))
((span < 20)) && span=20
random_killed=0
for ((r = 1; r <= RANDOM_RUNS; r++)); do
  plugins=(unlink shred archive-then-shred)
  plugin=${plugins[r % 3]}
  setup "$T/case" "$plugin"
  ms=$((RANDOM % span + 1))
  run apply timeout -s KILL "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))" "$LETHE" apply -c "$D/lethe.ini" --yes
  [[ $RC == 137 ]] && random_killed=$((random_killed + 1))
  after_apply "$plugin, killed after $ms ms"
done
((random_killed > 0)) || fail "no random kill hit a running apply (span $span ms)"

note "fault points unlink ${points[unlink]}, shred ${points[shred]}, archive-then-shred \
${points[archive-then-shred]} ($total_kills kills); $random_killed of $RANDOM_RUNS random kills \
within ${span} ms hit"
((ORPHANS == 0)) || fail "$ORPHANS archives left by archive-then-shred are named by no journal, e.g. after
$ORPHAN_EXAMPLE"
note "ok"

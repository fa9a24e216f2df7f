#!/bin/bash
# Between plan and apply, planned files change: one is replaced by a new file
# of the same name, size and (old) mtime but another inode, one has its
# contents rewritten in place with size and mtime restored, one is deleted.
# lethe apply --plan deletes the others and leaves the changed ones alone,
# journalling each as skipped with a reason. When every planned item has
# changed, apply exits 3 and deletes nothing. With unlink and shred. The
# in-place rewrite is checked last, on its own: it keeps (dev, ino, size,
# mtime_ns), so only a check of ctime or contents can see it.
. "$(dirname "$0")/lib.sh"
setup_tmp
need_plugins unlink shred

# closing_record J PATH: result and reason of the record that closed the
# item (outcome after an intent, or a skip record), "result|reason".
closing_record() {
  jq -rs --arg p "$(uri_encode "$2")" '
    (map(select(.type == "intent" and .path == $p)) | map(.seq)) as $seqs
    | [ (.[] | select(.type == "outcome" and (.seq as $s | $seqs | index($s)))),
        (.[] | select(.type == "skip" and .path == $p)) ]
    | map("\(.result)|\(.error // .reason // "")") | join(";")' "$1"
}

setup_case() {
  local D=$1 plugin=$2
  share=$D/share
  make_env "$D" "$plugin"
  mkdir -p "$share/d1" "$share/d2"
  for i in 1 2 3 4 5 6; do printf 'file %s contents\n' "$i" >"$share/d1/f$i.txt"; done
  printf 'other\n' >"$share/d2/g.txt"
  printf 'keep me\n' >"$share/d2/new.txt"
  find "$share" -mindepth 1 ! -type d -exec touch -d "@$OLD" {} +
  set_recent "$share/d2/new.txt"
  cat >"$D/rules.d/changed.ini" <<EOF
[rule changed]
source = file://$(uri_encode "$share")
select = **
retain = 30 days
action = $plugin
remove-empty-dirs = no
EOF
  run plan "$LETHE" plan -c "$D/lethe.ini" --format json -o "$D/plan.json"
  expect_rc 0 plan
  [[ $(jq '[.items[] | select(.decision == "delete")] | length' "$D/plan.json") == 7 ]] ||
    fail "$plugin: the plan should delete 7 files"
}

# replace PATH: a new file (other inode) with the same name, size and mtime.
replace() {
  local f=$1
  head -c "$(stat -c %s "$f")" /dev/zero | tr '\0' 'R' >"$f.new"
  touch -r "$f" "$f.new"
  mv -f "$f.new" "$f"
}

# modify PATH: new bytes in place, same size, the old mtime put back.
modify() {
  local f=$1 ref
  ref=$(dirname "$f")/../ref.$$
  touch -r "$f" "$ref"
  printf 'MODIFIED' | dd of="$f" conv=notrunc status=none
  touch -r "$ref" "$f"
  rm -f "$ref"
}

for plugin in unlink shred; do
  # A: one replaced, one deleted; the others go.
  D=$T/$plugin
  setup_case "$D" "$plugin"
  s=$share/d1
  ino_before=$(stat -c %i "$s/f1.txt")
  replace "$s/f1.txt"
  [[ $(stat -c %i "$s/f1.txt") != "$ino_before" ]] || fail "the replacement kept its inode"
  rm -f "$s/f3.txt"
  nul_list "$share" ! -type d >"$D/all"
  states_of "$D/before" <"$D/all"

  run apply "$LETHE" apply -c "$D/lethe.ini" --plan "$D/plan.json" --yes
  expect_rc 0 apply
  printf '%s\0' "$s/f2.txt" "$s/f4.txt" "$s/f5.txt" "$s/f6.txt" "$share/d2/g.txt" | sort -z >"$D/gone"
  check_after "$D/before" "$D/gone"
  no_lethe_temps "$share"
  journals_all_ended "$D/state"
  j=$(journal_files "$D/state")
  for f in f1.txt f3.txt; do
    rec=$(closing_record "$j" "d1/$f")
    [[ $rec == skipped\|?* ]] ||
      fail "$plugin: d1/$f should be journalled once as skipped with a reason, got '$rec'"
  done
  journal_results "$D/state" deleted >"$D/deleted"
  same_set "$D/gone" "$D/deleted" "$plugin: deleted outcomes vs files gone"
  grep -q '5 deleted' "$T/apply.err" || fail "$plugin: the summary does not say 5 deleted:
$(cat "$T/apply.err")"

  # B: every planned item changed (replaced, or gone with its directory):
  # refused with 3, nothing deleted.
  for variant in replaced dir-gone; do
    E=$D/all-$variant
    setup_case "$E" "$plugin"
    for f in "$share"/d1/f*.txt; do replace "$f"; done
    if [[ $variant == dir-gone ]]; then
      rm -rf "$share/d2" # its planned file goes with it
    else
      replace "$share/d2/g.txt"
    fi
    nul_list "$share" ! -type d >"$E/all"
    states_of "$E/before" <"$E/all"
    run all "$LETHE" apply -c "$E/lethe.ini" --plan "$E/plan.json" --yes
    : >"$E/none"
    check_after "$E/before" "$E/none"
    journals_all_ended "$E/state"
    [[ -z $(journal_results "$E/state" deleted all | tr -d '\0') ]] ||
      fail "$plugin: every item changed ($variant), yet the journal records deletions"
    [[ $RC == 3 ]] || fail "$plugin: every planned item changed ($variant): exit $RC, expected 3:
$(cat "$T/all.err")"
  done

  # C: contents rewritten in place, size kept and mtime put back (touch -r):
  # not the file that was planned, so not deleted.
  E=$D/modified
  setup_case "$E" "$plugin"
  modify "$share/d1/f2.txt"
  nul_list "$share" ! -type d >"$E/all"
  states_of "$E/before" <"$E/all"
  nul_list "$share" ! -type d ! -name f2.txt ! -name new.txt >"$E/gone"
  run modified "$LETHE" apply -c "$E/lethe.ini" --plan "$E/plan.json" --yes
  expect_rc 0 modified
  check_after "$E/before" "$E/gone"
  rec=$(closing_record "$(journal_files "$E/state")" "d1/f2.txt")
  [[ $rec == skipped\|?* ]] ||
    fail "$plugin: d1/f2.txt (modified) should be journalled as skipped with a reason, got '$rec'"
  note "$plugin: ok"
done

note "ok"

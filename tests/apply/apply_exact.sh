#!/bin/bash
# lethe apply --plan deletes exactly the plan's "delete" items and nothing
# else: every other file (inside the share and outside it, including the
# other name of a hard link and the target of a symlink) keeps its bytes and
# mtime; the journal has one intent and one "deleted" outcome per item and an
# end record. Without --yes and without a terminal it refuses (2), and a plan
# edited after it was made is refused (3); both delete nothing. Done with the
# unlink and the shred plugin.
. "$(dirname "$0")/lib.sh"
setup_tmp
need_plugins unlink shred

NL=$'\n'

# make_tree SHARE OUTSIDE: the generated share; prints nothing.
make_tree() {
  local s=$1 o=$2
  mkdir -p "$s/a/b/c" "$s/a/only-old" "$s/with space" "$s/empty-before" "$o"
  echo old1 >"$s/old1.txt"
  echo new1 >"$s/new1.txt"
  echo 'deep old' >"$s/a/b/c/deep-old.txt"
  echo 'deep new' >"$s/a/b/c/deep-new.txt"
  echo x >"$s/a/only-old/x.txt"
  echo y >"$s/a/only-old/y.txt"
  echo 'spaced' >"$s/with space/old file.txt"
  echo 'newline' >"$s/new${NL}line.txt"
  echo 'newline new' >"$s/recent${NL}line.txt"
  : >"$s/empty-old"
  echo hidden >"$s/.hidden-old"
  echo 'outside target' >"$o/target.txt"
  ln -s "$o/target.txt" "$s/link-out"            # old symlink: the link goes, not its target
  ln -s new1.txt "$s/link-new"                   # recent symlink: stays
  echo 'two names' >"$s/hard-a.txt"
  ln "$s/hard-a.txt" "$s/a/hard-b.txt"           # both names old: both go
  echo 'linked outside' >"$s/hard-out.txt"
  ln "$s/hard-out.txt" "$o/hard-out-copy.txt"    # the outside name keeps its bytes
  echo 'new hard' >"$s/a/b/new-hard.txt"
  ln "$s/a/b/new-hard.txt" "$s/a/b/new-hard-2.txt"
  find "$s" "$o" -mindepth 1 -exec touch -h -d "@$OLD" {} +
  set_recent "$s/new1.txt" "$s/a/b/c/deep-new.txt" "$s/recent${NL}line.txt" "$s/link-new" \
    "$s/a/b/new-hard.txt"
}

expected_deletes() {
  local s=$1 f
  for f in old1.txt a/b/c/deep-old.txt a/only-old/x.txt a/only-old/y.txt "with space/old file.txt" \
    "new${NL}line.txt" empty-old .hidden-old link-out hard-a.txt a/hard-b.txt hard-out.txt; do
    printf '%s\0' "$s/$f"
  done | sort -z
}

for plugin in unlink shred; do
  D=$T/$plugin
  share=$D/share
  outside=$D/outside
  make_env "$D" "$plugin"
  make_tree "$share" "$outside"
  cat >"$D/rules.d/exact.ini" <<EOF
[rule exact]
source = file://$(uri_encode "$share")
select = **
retain = 30 days
action = $plugin
EOF
  { nul_list "$share" ! -type d; nul_list "$outside" ! -type d; } | sort -z >"$D/all"
  states_of "$D/before" <"$D/all"
  nul_list "$share" -type d >"$D/dirs.before"
  : >"$D/none"

  run plan "$LETHE" plan -c "$D/lethe.ini" --format json -o "$D/plan.json"
  expect_rc 0 plan
  plan_deletes "$D/plan.json" >"$D/planned"
  expected_deletes "$share" >"$D/expected"
  same_set "$D/expected" "$D/planned" "$plugin: the plan does not delete exactly the old entries"

  # No --yes and no terminal: refused with 2, nothing deleted, no journal.
  run noyes "$LETHE" apply -c "$D/lethe.ini" --plan "$D/plan.json"
  expect_rc 2 noyes
  grep -q -- '--yes' "$T/noyes.err" || fail "$plugin: refusal without --yes does not say why:
$(cat "$T/noyes.err")"
  check_after "$D/before" "$D/none"
  [[ -z $(journal_files "$D/state") ]] || fail "$plugin: a refused apply wrote a journal"

  # The plan edited after it was made (one delete item dropped): refused.
  jq 'del(.items[[.items[] | .decision == "delete"] | index(true)])' "$D/plan.json" \
    >"$D/edited.json"
  [[ $(jq '.items | length' "$D/edited.json") == $(($(jq '.items | length' "$D/plan.json") - 1)) ]] ||
    fail "could not edit the plan"
  run edited "$LETHE" apply -c "$D/lethe.ini" --plan "$D/edited.json" --yes
  expect_rc 3 edited
  grep -qi 'changed' "$T/edited.err" || fail "$plugin: refusal of an edited plan does not say why:
$(cat "$T/edited.err")"
  check_after "$D/before" "$D/none"
  [[ -z $(journal_files "$D/state") ]] || fail "$plugin: a refused plan wrote a journal"

  # A plan made for a future instant (it could delete what is not yet due).
  run future "$LETHE" plan -c "$D/lethe.ini" --format json -o "$D/future.json" \
    --now "$(date -u -d "@$((NOW + 2 * DAY))" +%Y-%m-%dT%H:%M:%SZ)"
  expect_rc 0 future
  run futureapply "$LETHE" apply -c "$D/lethe.ini" --plan "$D/future.json" --yes
  expect_rc 3 futureapply
  grep -qi 'future' "$T/futureapply.err" || fail "$plugin: refusal of a future plan does not say why:
$(cat "$T/futureapply.err")"
  check_after "$D/before" "$D/none"
  [[ -z $(journal_files "$D/state") ]] || fail "$plugin: a refused future plan wrote a journal"

  # The real thing.
  run apply "$LETHE" apply -c "$D/lethe.ini" --plan "$D/plan.json" --yes
  expect_rc 0 apply
  check_after "$D/before" "$D/planned"
  no_lethe_temps "$share"

  # Directories: those emptied by the run are gone, all others are there.
  nul_list "$share" -type d >"$D/dirs.after"
  minus "$D/dirs.before" "$D/dirs.after" >"$D/dirs.gone"
  printf '%s\0' "$share/a/only-old" "$share/with space" | sort -z >"$D/dirs.expected"
  same_set "$D/dirs.expected" "$D/dirs.gone" "$plugin: removed directories"

  # The journal: one, ended, one intent and one deleted outcome per item.
  mapfile -t js < <(journal_files "$D/state")
  [[ ${#js[@]} == 1 ]] || fail "$plugin: expected one journal, found ${#js[@]}"
  j=${js[0]}
  journals_all_ended "$D/state"
  [[ $(jq -rs 'map(select(.type == "end")) | length' "$j") == 1 ]] || fail "$plugin: not one end record"
  [[ $(jq -rs 'map(select(.type == "end"))[0].status' "$j") == done ]] ||
    fail "$plugin: end status is not done"
  [[ $(jq -rs 'map(select(.type == "begin")) | length' "$j") == 1 ]] || fail "$plugin: not one begin record"
  jq -r 'select(.type == "intent" and .kind != "directory") | .root + "/" + .path' "$j" |
    decode_lines >"$D/intents"
  [[ -z $(dups "$D/intents") ]] || fail "$plugin: items with several intents: $(dups "$D/intents")"
  same_set "$D/planned" "$D/intents" "$plugin: journal intents vs plan"
  journal_results "$D/state" deleted file >"$D/deleted"
  [[ -z $(dups "$D/deleted") ]] || fail "$plugin: items with several outcomes: $(dups "$D/deleted")"
  same_set "$D/planned" "$D/deleted" "$plugin: journal deleted outcomes vs plan"
  journal_results "$D/state" deleted dir >"$D/deleted.dirs"
  same_set "$D/dirs.expected" "$D/deleted.dirs" "$plugin: journal removed directories"
  n_int=$(jq -s 'map(select(.type == "intent")) | length' "$j")
  n_out=$(jq -s 'map(select(.type == "outcome")) | length' "$j")
  [[ $n_int == "$n_out" ]] || fail "$plugin: $n_int intents but $n_out outcomes"
  bad=$(jq -rs '(map(select(.type == "intent") | .seq) | sort) as $i
                | (map(select(.type == "outcome") | .seq) | sort) as $o
                | if $i == $o and ($i | unique | length) == ($i | length) then empty
                  else "intent seqs \($i) outcome seqs \($o)" end' "$j")
  [[ -z $bad ]] || fail "$plugin: intents and outcomes do not pair: $bad"
  bad=$(jq -r 'select(.type == "outcome" and .result != "deleted") | .seq' "$j")
  [[ -z $bad ]] || fail "$plugin: outcomes other than deleted (seq $bad)"
  # The journal's entries name their source and the plan's rule.
  bad=$(jq -r --arg root "$share" 'select(.type == "intent" and (.root != $root or .rule != "exact"))
         | .path' "$j")
  [[ -z $bad ]] || fail "$plugin: intents with the wrong root or rule: $bad"
  grep -q "$(jq -r .hash "$D/plan.json")" "$j" || fail "$plugin: the journal does not name the plan"
  note "$plugin: $(tr -cd '\0' <"$D/planned" | wc -c) items deleted exactly"
done

note "ok"

#!/bin/bash
# A plan's hash only proves it was not changed by accident: anyone can edit
# a plan and compute the hash again (sha256 over the schema, "now" and the
# items' lines). So lethe apply must not trust a plan's paths: a hand-made
# entry that names a file outside the source ("../", "%2E%2E/", "a/../../",
# an absolute path), or reaches it through a symlink inside the source (as
# a directory on the way, or as the item itself with the outside file's
# identity), deletes nothing and is journalled as skipped; the file outside
# keeps its bytes. And the journal names what was deleted by the source and
# path it actually used, not by a "uri" the plan made up.
. "$(dirname "$0")/lib.sh"
setup_tmp
need_plugins unlink shred

# rehash PLAN: set .hash as lethe computes it.
rehash() {
  local h
  h=$({
    printf 'lethe-plan/1\n%s\n' "$(jq -r .now "$1")"
    jq -c '.rules[].name as $n | .items[] | select(.rule == $n)' "$1"
  } | sha256sum | cut -d' ' -f1)
  jq --arg h "sha256:$h" '.hash = $h' "$1" >"$1.tmp" && mv "$1.tmp" "$1"
}

# identity PATH: lethe's identity text of PATH (not following symlinks).
identity() {
  local dev
  dev=$(stat -c '%d' -- "$1")
  local m c
  m=$(stat -c %.9Y -- "$1")
  c=$(stat -c %.9Z -- "$1")
  printf 'dev=%s ino=%s size=%s mtime_ns=%s ctime_ns=%s nlink=%s' "$dev" "$(stat -c %i -- "$1")" \
    "$(stat -c %s -- "$1")" "$((10#${m/./}))" "$((10#${c/./}))" "$(stat -c %h -- "$1")"
}

for plugin in unlink shred; do
  D=$T/$plugin
  share=$D/share
  outside=$D/outside
  make_env "$D" "$plugin"
  mkdir -p "$share/sub" "$outside"
  printf 'inside\n' >"$share/inside.txt"
  printf 'inside too\n' >"$share/sub/also.txt"
  printf 'victim outside the source\n' >"$outside/victim.txt"
  ln -s "$outside" "$share/link-dir"
  ln -s "$outside/victim.txt" "$share/link-file"
  find "$share" "$outside" -mindepth 1 -exec touch -h -d "@$OLD" {} +
  cat >"$D/rules.d/forged.ini" <<EOF
[rule forged]
source = file://$(uri_encode "$share")
select = **
except = link-*
retain = 30 days
action = $plugin
EOF
  run plan "$LETHE" plan -c "$D/lethe.ini" --format json -o "$D/plan.json"
  expect_rc 0 plan
  cp "$D/plan.json" "$D/check.json"
  rehash "$D/check.json"
  [[ $(jq -r .hash "$D/check.json") == $(jq -r .hash "$D/plan.json") ]] ||
    fail "cannot recompute a plan's hash as lethe does; this test needs updating"

  vid=$(identity "$outside/victim.txt")
  enc_share=$(uri_encode "$share")
  # Forged entries, each a copy of the entry of inside.txt with another
  # path (and identity, kind, uri).
  jq --arg vid "$vid" --arg share "$enc_share" --arg out "$(uri_encode "$outside")" '
    (.items[] | select(.path == "inside.txt")) as $t
    | def forge($p; $id; $kind): $t + {path: $p, identity: $id, kind: $kind,
                                      uri: ("file://" + $share + "/" + $p)};
      .items += [
        forge("../outside/victim.txt"; $vid; "file"),
        forge("%2E%2E/outside/victim.txt"; $vid; "file"),
        forge("sub/../../outside/victim.txt"; $vid; "file"),
        forge("sub/%2E%2E/%2E%2E/outside/victim.txt"; $vid; "file"),
        forge("%2F" + ($out | ltrimstr("/")) + "/victim.txt"; $vid; "file"),
        forge("link-dir/victim.txt"; $vid; "file"),
        forge("link-file"; $vid; "file")
      ]
    | (.items[] | select(.path == "sub/also.txt")) |= (.uri = "file:///etc/passwd")' \
    "$D/plan.json" >"$D/forged.json"
  rehash "$D/forged.json"
  [[ $(jq '.items | length' "$D/forged.json") == 9 ]] || fail "could not forge the plan"

  { nul_list "$share" ! -type d; nul_list "$outside" ! -type d; } | sort -z >"$D/all"
  states_of "$D/before" <"$D/all"
  printf '%s\0' "$share/inside.txt" "$share/sub/also.txt" | sort -z >"$D/gone"

  run apply "$LETHE" apply -c "$D/lethe.ini" --plan "$D/forged.json" --yes
  # The forged plan's hash is good: it is applied; the forged entries are
  # skipped, or the plan refused as a whole (3). Never a crash.
  if [[ $RC == 3 ]]; then
    : >"$D/gone"
    check_after "$D/before" "$D/gone"
    note "$plugin: the forged plan was refused as a whole"
    continue
  fi
  expect_rc 0 apply
  check_after "$D/before" "$D/gone"
  [[ -L $share/link-dir && -L $share/link-file ]] || fail "$plugin: a symlink inside the source was removed"
  journals_all_ended "$D/state"
  j=$(journal_files "$D/state")
  journal_results "$D/state" deleted >"$D/deleted"
  same_set "$D/gone" "$D/deleted" "$plugin: deleted outcomes"
  n=$(jq -s '[.[] | select((.type == "skip" and .result == "skipped") or
                          (.type == "outcome" and .result == "skipped"))] | length' "$j")
  [[ $n == 7 ]] || fail "$plugin: expected the 7 forged entries journalled as skipped, found $n"
  # The journal names the item deleted by its real place.
  bad=$(jq -r --arg base "file://$enc_share/" \
    'select(.type == "intent" and .uri != $base + .path) | "\(.path): uri \(.uri)"' "$j")
  [[ -z $bad ]] || fail "$plugin: the journal names items by a uri the plan made up, not by what was deleted:
$bad"
  note "$plugin: ok"
done

note "ok"

#!/bin/bash
# Directories a run empties are removed, deepest first: with subject = */,
# below the subject folder by default (and with remove-empty-dirs = yes),
# the subject folder too with remove-empty-dirs = subject, none with
# remove-empty-dirs = no. A directory still holding anything -- a file not
# planned (recent, excluded, or arrived after the plan), an empty directory
# the run did not empty -- is never removed, nor is the source root. Each
# removal is journalled as a deletion.
. "$(dirname "$0")/lib.sh"
setup_tmp
need_plugins unlink

# setup NAME SETTING: $D, its share and a plan; SETTING is the rule's
# remove-empty-dirs line ("" for none).
setup() {
  D=$T/$1
  share=$D/share
  C=$share/Clients
  make_env "$D" unlink
  mkdir -p "$C/Acme/a/b" "$C/Acme/c" "$C/Beta/x" "$C/Beta/y" "$C/Beta/z" \
    "$C/Gamma/empty-before" "$C/Delta/d/empty-sub" "$C/Epsilon/e" "$C/Zeta"
  for f in Acme/a/b/f1.txt Acme/a/f2.txt Acme/c/f3.txt Acme/top.txt Beta/x/old.txt \
    Beta/x/new.txt Beta/y/old.txt Beta/z/keep.log Gamma/old.txt Delta/d/old.txt \
    Epsilon/e/old.txt Zeta/only.txt; do
    printf '%s\n' "$f" >"$C/$f"
  done
  find "$share" -mindepth 1 -exec touch -d "@$OLD" {} +
  set_recent "$C/Beta/x/new.txt"
  {
    printf '[rule clients]\nsource = file://%s\nsubject = */\nselect = */**\n' "$(uri_encode "$C")"
    printf 'except = **/*.log\nretain = 30 days\naction = unlink\n'
    [[ -n $2 ]] && printf 'remove-empty-dirs = %s\n' "$2"
  } >"$D/rules.d/clients.ini"
  run plan "$LETHE" plan -c "$D/lethe.ini" --format json -o "$D/plan.json"
  expect_rc 0 plan
  plan_deletes "$D/plan.json" >"$D/planned"
  [[ $(tr -cd '\0' <"$D/planned" | wc -c) == 10 ]] || fail "$1: the plan should delete 10 files:
$(show_nul "$D/planned")"
  # Arrives after the plan: its directory must stay.
  printf 'newcomer\n' >"$C/Epsilon/e/newcomer.txt"
  nul_list "$share" ! -type d >"$D/all"
  states_of "$D/before" <"$D/all"
  nul_list "$share" -type d >"$D/dirs.before"
}

# check NAME DIR...: apply the plan; exactly the directories DIR... (below
# Clients) are gone, and journalled as deleted.
check() {
  local name=$1 d
  shift
  run apply "$LETHE" apply -c "$D/lethe.ini" --plan "$D/plan.json" --yes
  expect_rc 0 apply
  check_after "$D/before" "$D/planned"
  for d; do printf '%s\0' "$C/$d"; done | sort -z >"$D/dirs.want"
  nul_list "$share" -type d >"$D/dirs.after"
  minus "$D/dirs.before" "$D/dirs.after" >"$D/dirs.gone"
  same_set "$D/dirs.want" "$D/dirs.gone" "$name: directories removed"
  journal_results "$D/state" deleted dir >"$D/dirs.journal"
  same_set "$D/dirs.want" "$D/dirs.journal" "$name: directories journalled as removed"
  journals_all_ended "$D/state"
  [[ -d $C ]] || fail "$name: the source root was removed"
}

below=(Acme/a/b Acme/a Acme/c Beta/y)
setup default ""
check "default" "${below[@]}"
setup yes yes
check "remove-empty-dirs = yes" "${below[@]}"
setup subject subject
check "remove-empty-dirs = subject" "${below[@]}" Acme Zeta
setup no no
check "remove-empty-dirs = no"

# Without subject: any emptied directory, but never the source root.
D=$T/root
share=$D/share
C=$share
make_env "$D" unlink
mkdir -p "$share/only/deeper"
printf 'x\n' >"$share/only/deeper/x.txt"
printf 'y\n' >"$share/y.txt"
find "$share" -mindepth 1 -exec touch -d "@$OLD" {} +
cat >"$D/rules.d/root.ini" <<EOF
[rule root]
source = file://$(uri_encode "$share")
retain = 30 days
action = unlink
EOF
run plan "$LETHE" plan -c "$D/lethe.ini" --format json -o "$D/plan.json"
expect_rc 0 plan
plan_deletes "$D/plan.json" >"$D/planned"
nul_list "$share" ! -type d >"$D/all"
states_of "$D/before" <"$D/all"
nul_list "$share" -type d >"$D/dirs.before"
check "no subject" only/deeper only
[[ -d $share && -z $(ls -A "$share") ]] || fail "no subject: the root should be left, empty"

note "ok"

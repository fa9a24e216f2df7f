#!/bin/bash
# Invariant 1: "lethe plan writes nothing outside its report file: no
# content, name or timestamp changes anywhere." The demo tree is compared
# before and after every kind of plan (and lethe check): names, types, sizes,
# modes, owners, mtimes, ctimes, inodes, link counts, symlink targets and
# file contents, and the atimes of everything in the share, which are set in
# the past first so that any read of a file or listing of a directory shows
# (the file system is likely relatime, which would hide a recent one).
. "$(dirname "$0")/lib.sh"
setup_tmp

demo=$T/demo
"$LETHE_DEMO" --now "$FIXED_NOW" "$demo" >/dev/null 2>&1 || fail "make-demo-share.sh failed"
cfg=$demo/lethe.ini
reports=$T/reports
mkdir "$reports"

# A few extra shapes of entry the walk meets: symlinks, a FIFO, an empty and
# an unreadable directory, a hard link.
share=$demo/share
ln -s "Acme Ltd/Recordings/Kick-off.mp4" "$share/Clients/shortcut.mp4"
ln -s /nonexistent "$share/Clients/Acme Ltd/dangling.mp4"
mkfifo "$share/Clients/Acme Ltd/Recordings/pipe.mp4"
mkdir "$share/Clients/Acme Ltd/Empty"
mkdir -m 000 "$share/Clients/Borealis Énergie/Locked"
ln "$share/Backups/backup-2019-10-23.tar.gz" "$share/Backups/backup-2019-10-23 (copy).tar.gz"

# Contents first (hashing reads every file), then the listings, then the
# atimes are moved to the past, and only then the metadata is taken.
content_snapshot "$T/sha.before" "$demo"
list_names "$T/names.before" "$demo"
list_names "$T/share.names" "$share"
age_atimes "$T/names.before" "$(epoch 2020-01-01T00:00:00Z)"
stat_names "$T/names.before" "$T/stat.before"

planrun() { # NAME ARGS...: a plan that must succeed
  local name=$1
  shift
  run "$name" "$LETHE" plan -c "$cfg" "$@"
  expect_rc 0 "$name"
}
planrun text --now "$FIXED_NOW"
planrun json --now "$FIXED_NOW" --format json
planrun csv --now "$FIXED_NOW" --format csv
planrun real-now --format json
planrun o-text --now "$FIXED_NOW" -o "$reports/plan.txt"
planrun o-json --now "$FIXED_NOW" --format json -o "$reports/plan.json"
planrun o-csv --now "$FIXED_NOW" --format csv -o "$reports/plan.csv"
planrun one-rule --now "$FIXED_NOW" --rule recordings --format json
run check "$LETHE" check -c "$cfg"
expect_rc 0 check
json_ok "$T/json.out" "plan --format json"
json_ok "$reports/plan.json" "plan -o plan.json"
[[ $(jq '.items | length' "$T/json.out") -gt 0 ]] || fail "the plan is empty: nothing was tested"

stat_names "$T/names.before" "$T/stat.after"
list_names "$T/names.after" "$demo"
content_snapshot "$T/sha.after" "$demo"

cmp -s "$T/names.before" "$T/names.after" ||
  fail "names in the demo tree changed:
$(diff <(tr '\0' '\n' <"$T/names.before") <(tr '\0' '\n' <"$T/names.after"))"
cmp -s "$T/sha.before" "$T/sha.after" ||
  fail "file contents changed:
$(diff "$T/sha.before" "$T/sha.after")"

# Everything but the atime, everywhere.
no_atime() { cut -d'|' -f1-7,9- "$1"; }
diff -u <(no_atime "$T/stat.before") <(no_atime "$T/stat.after") >"$T/diff.txt" ||
  fail "metadata changed in the demo tree:
$(cat "$T/diff.txt")"

# Atimes in the share: lethe has no reason to read a file or to list a
# directory without O_NOATIME there.
in_share() { grep -F -- "$share" "$1"; }
diff -u <(in_share "$T/stat.before") <(in_share "$T/stat.after") >"$T/diff.txt" ||
  fail "lethe moved the atime of (read without O_NOATIME):
$(grep '^+/' "$T/diff.txt" | cut -d'|' -f1 | sed "s#^+$demo/#  #")"

# Atimes of the configuration it reads (lethe.ini, rules, events) may move
# like any read file's; say so without failing.
if ! diff -q "$T/stat.before" "$T/stat.after" >/dev/null; then
  note "note: reading the configuration moved atimes of: $(diff "$T/stat.before" "$T/stat.after" |
    grep '^>' | cut -d'|' -f1 | sed "s#^> $demo/##" | tr '\n' ' ')"
fi

note "ok"

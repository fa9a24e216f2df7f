#!/bin/bash
# Symlinks inside a share never lead lethe outside it: the plan lists only
# names inside the source (a symlink is an item of kind "symlink" in its own
# right), the targets are not read or judged, and nothing outside changes.
. "$(dirname "$0")/lib.sh"
setup_tmp

now=$(epoch "$FIXED_NOW")
old=$((now - 400 * 86400))
recent=$((now - 86400))

share=$T/share
outside=$T/outside
mkdir -p "$share/Clients/Old Client" "$outside/old-dir/deeper" "$outside/recent"

# Outside the share: old files that any rule would delete, and recent ones
# that would make a client look active if lethe followed a link to them.
for i in 1 2 3; do
  printf 'outside secret %s\n' "$i" >"$outside/old-dir/outside-secret-$i.txt"
  printf 'outside secret deeper %s\n' "$i" >"$outside/old-dir/deeper/outside-secret-deep-$i.txt"
done
printf 'outside old file\n' >"$outside/outside-secret-file.txt"
printf 'outside recent\n' >"$outside/recent/outside-recent.txt"
find "$outside" -exec touch -d "@$old" {} +
touch -d "@$recent" "$outside/recent/outside-recent.txt"

# Inside: ordinary old files and every kind of escaping symlink.
printf 'inside\n' >"$share/inside-old.txt"
printf 'client doc\n' >"$share/Clients/Old Client/doc.txt"
ln -s "$outside/old-dir" "$share/escape-dir"                 # absolute, to a directory
ln -s ../outside/outside-secret-file.txt "$share/escape-file.txt"  # relative, to a file
ln -s .. "$share/up"                                          # the share's parent
ln -s / "$share/root"                                         # the root directory
ln -s loop "$share/loop"                                      # a loop
ln -s "$outside/missing" "$share/dangling"                    # dangling
ln -s "$outside/recent" "$share/Clients/Old Client/Shared"    # to recent files
ln -s "$outside/recent/outside-recent.txt" "$share/Clients/Old Client/recent-link.txt"
find "$share" -mindepth 1 -exec touch -h -d "@$old" {} +

write_config "$T"
cat >"$T/rules.d/escape.ini" <<EOF
[rule everything]
source = file://$(uri_encode "$share")
select = **
retain = 30 days
action = shred

[rule clients]
source = file://$(uri_encode "$share")/Clients
subject = */
clock = newest
retain = 12 months
select = */**
action = shred
EOF

list_names "$T/outside.names" "$outside"
content_snapshot "$T/outside.sha.before" "$outside"
age_atimes "$T/outside.names" $((now - 1000 * 86400))
stat_names "$T/outside.names" "$T/outside.before"

run plan "$LETHE" plan -c "$T/lethe.ini" --now "$FIXED_NOW" --format json
expect_rc 0 plan
json_ok "$T/plan.out" "plan"
p=$T/plan.out

# Nothing outside a rule's source appears.
enc_share=file://$(uri_encode "$share")
stray=$(jq -r --arg s "$enc_share/" '.items[] | select(.uri | startswith($s) | not) | .uri' "$p")
[[ -z $stray ]] || fail "items outside the share:
$stray"
stray=$(jq -r '.items[] | select(.path | test("(^|/)\\.\\.(/|$)|^/|outside-")) | .path' "$p")
[[ -z $stray ]] || fail "items that name things outside the share:
$stray"

# Rule "everything" lists exactly the non-directories inside the share, as
# find (which does not follow symlinks) sees them; all are old.
(cd "$share" && find . -mindepth 1 ! -type d -printf '%P\n') | LC_ALL=C sort >"$T/inside.txt"
jq -r '.items[] | select(.rule == "everything") | .path' "$p" |
  while IFS= read -r x; do uri_decode "$x"; echo; done | LC_ALL=C sort >"$T/listed.txt"
diff -u "$T/inside.txt" "$T/listed.txt" >"$T/diff.txt" ||
  fail "rule everything did not list exactly the entries inside the share:
$(cat "$T/diff.txt")"
bad=$(jq -r '.items[] | select(.rule == "everything" and .decision != "delete") |
             .path + " " + .decision' "$p")
[[ -z $bad ]] || fail "old entries not planned for deletion: $bad"

# Each symlink is an item of kind symlink, judged by its own mtime and size.
for l in escape-dir escape-file.txt up root loop dangling "Clients/Old Client/Shared"; do
  k=$(jq -r --arg x "$(uri_encode "$l")" \
      '.items[] | select(.rule == "everything" and .path == $x) | .kind' "$p")
  [[ $k == symlink ]] || fail "symlink '$l' listed with kind '$k', expected symlink"
done
size=$(jq -r '.items[] | select(.rule == "everything" and .path == "escape-dir") | .size' "$p")
target=$(readlink "$share/escape-dir")
[[ $size == "${#target}" ]] ||
  fail "symlink escape-dir has size $size: expected the link's own size ${#target}"

# The client's newest time comes from the links themselves, not from the
# recent files they point to: the client is inactive and its items due. They
# are skipped here only because rule everything, earlier, deletes them first.
got=$(jq -r '.items[] | select(.rule == "clients") | [.path, .decision, .clock.value] | join(" | ")' "$p" |
      LC_ALL=C sort)
want=$(printf '%s\n' "doc.txt" "recent-link.txt" "Shared" |
       sed "s#^#Old%20Client/#; s#\$# | skip | $(date -u -d "@$old" +%Y-%m-%dT%H:%M:%SZ)#" |
       LC_ALL=C sort)
[[ $got == "$want" ]] || fail "rule clients: got
$got
expected
$want"

# Nothing outside was read or changed.
stat_names "$T/outside.names" "$T/outside.after"
diff -u "$T/outside.before" "$T/outside.after" >"$T/diff.txt" ||
  fail "files outside the share changed (metadata or atime):
$(cat "$T/diff.txt")"
content_snapshot "$T/outside.sha.after" "$outside"
cmp -s "$T/outside.sha.before" "$T/outside.sha.after" || fail "contents outside the share changed"

# A source that is itself a symlink is refused, not followed.
ln -s "$outside/old-dir" "$T/linked-share"
mkdir -p "$T/c2/rules.d"
write_config "$T/c2"
cat >"$T/c2/rules.d/linked.ini" <<EOF
[rule through-link]
source = file://$(uri_encode "$T/linked-share")
retain = 1 day
action = shred
EOF
stat_names "$T/outside.names" "$T/outside.before2"
run linked "$LETHE" plan -c "$T/c2/lethe.ini" --now "$FIXED_NOW" --format json
expect_rc 1 linked
grep -qi "symbolic link" "$T/linked.err" || fail "a symlinked source: stderr does not say why:
$(cat "$T/linked.err")"
json_ok "$T/linked.out" "plan with a symlinked source"
[[ $(jq '.items | length' "$T/linked.out") == 0 ]] || fail "a symlinked source yielded items"
jq -e '.rules[0].error | test("symbolic link")' "$T/linked.out" >/dev/null ||
  fail "a symlinked source: the report's rule has no error"
stat_names "$T/outside.names" "$T/outside.after2"
diff -u "$T/outside.before2" "$T/outside.after2" >"$T/diff.txt" ||
  fail "a symlinked source: files behind it were read or changed:
$(cat "$T/diff.txt")"

note "ok"

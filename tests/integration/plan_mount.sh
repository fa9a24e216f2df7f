#!/bin/bash
# lethe never crosses a mount point: a tmpfs and a bind mount inside the
# share, full of old recordings, yield no delete items, only a skip entry of
# kind "directory" for each mount point, and nothing on them is read.
#
# Needs to mount: as root directly, else in a private mount namespace
# (unshare -m, or unshare -r -m for an unprivileged user); exits 77 (skip)
# when neither works.
. "$(dirname "$0")/lib.sh"

can_mount() {
  local d rc
  d=$(mktemp -d "${TMPDIR:-/tmp}/lethe-mnt-probe.XXXXXXXX") || return 1
  mount -t tmpfs lethe-probe "$d" 2>/dev/null
  rc=$?
  ((rc == 0)) && umount "$d"
  rmdir "$d"
  return "$rc"
}

if ! can_mount; then
  [[ -z ${LETHE_TEST_IN_NS:-} ]] || skip "cannot mount even inside a mount namespace"
  export LETHE_TEST_IN_NS=1
  if unshare -m --propagation private true 2>/dev/null; then
    exec unshare -m --propagation private bash "$0" "$@"
  fi
  if unshare -r -m --propagation private true 2>/dev/null; then
    exec unshare -r -m --propagation private bash "$0" "$@"
  fi
  skip "mounting is not permitted here (not root, and unshare -m / unshare -r -m fail)"
fi

setup_tmp

now=$(epoch "$FIXED_NOW")
old=$((now - 400 * 86400))

share=$T/share
clients=$share/Clients
mkdir -p "$clients/Acme/Recordings" "$clients/Acme/Bound" "$clients/Mounted Client" \
  "$T/outside/sub"

# The mounts: a tmpfs on a folder, a bind mount of a folder of the same file
# system (only the mount-root flag tells it apart), and a tmpfs on a whole
# client folder (a subject).
mount -t tmpfs lethe-test "$clients/Acme/Recordings" || fail "mount tmpfs failed"
CLEANUP_HOOKS+=("umount '$clients/Acme/Recordings'")
mount --bind "$T/outside" "$clients/Acme/Bound" || fail "bind mount failed"
CLEANUP_HOOKS+=("umount '$clients/Acme/Bound'")
mount -t tmpfs lethe-test "$clients/Mounted Client" || fail "mount tmpfs failed"
CLEANUP_HOOKS+=("umount '$clients/Mounted Client'")

for d in "$clients/Acme/Recordings" "$clients/Acme/Bound" "$clients/Acme/Bound/sub" \
         "$clients/Mounted Client"; do
  for n in 1 2; do
    printf 'recording %s\n' "$n" >"$d/old recording $n.mp4"
  done
done
printf 'local\n' >"$clients/Acme/local.mp4"
find "$share" "$T/outside" -exec touch -d "@$old" {} +

write_config "$T"
cat >"$T/rules.d/mounts.ini" <<EOF
[rule recordings]
source = file://$(uri_encode "$clients")
select = **/*.mp4
retain = 180 days
action = shred

[rule clients]
source = file://$(uri_encode "$clients")
subject = */
clock = newest
retain = 12 months
select = */**
action = shred
EOF

# What is on the mounts, with atimes moved to the past: a read would show.
mounted=("$clients/Acme/Recordings" "$clients/Acme/Bound" "$clients/Mounted Client")
list_names "$T/mounted.names" "${mounted[@]}"
age_atimes "$T/mounted.names" $((now - 1000 * 86400))
stat_names "$T/mounted.names" "$T/mounted.before"

run plan "$LETHE" plan -c "$T/lethe.ini" --now "$FIXED_NOW" --format json
expect_rc 0 plan
json_ok "$T/plan.out" "plan"

# recordings comes first in rule order and deletes local.mp4: clients, which
# selects it too, reports it as skipped.
got=$(jq -r '.items[] | [.rule, .decision, .kind, .path] | join(" | ")' "$T/plan.out" |
      LC_ALL=C sort)
want=$(LC_ALL=C sort <<'EOF'
clients | skip | file | Acme/local.mp4
clients | skip | directory | Acme/Bound
clients | skip | directory | Acme/Recordings
clients | skip | directory | Mounted%20Client
recordings | delete | file | Acme/local.mp4
recordings | skip | directory | Acme/Bound
recordings | skip | directory | Acme/Recordings
recordings | skip | directory | Mounted%20Client
EOF
)
[[ $got == "$want" ]] || fail "plan across mount points: got
$got
expected
$want"
jq -e '[.items[] | select(.kind == "directory") | .reason | test("mount")] | all' \
  "$T/plan.out" >/dev/null || fail "a mount point's skip reason does not say 'mount'"

stat_names "$T/mounted.names" "$T/mounted.after"
diff -u "$T/mounted.before" "$T/mounted.after" >"$T/diff.txt" ||
  fail "lethe read or changed something on a mounted file system (atime moved):
$(cat "$T/diff.txt")"

note "ok"

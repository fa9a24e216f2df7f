#!/bin/bash
# A share lethe cannot write to is said so, with the fix, before anything is
# deleted or journalled:
# - lethe check reads lethe.service and its drop-ins (from SYSTEMD_UNIT_PATH,
#   as systemd would) and warns about each source, archive-dir, state and
#   ledger outside its ReadWritePaths=, naming the drop-in line; a drop-in
#   that lists them silences it.
# - on a read-only mount, lethe check warns, and lethe run stops the rule
#   with one error naming the share (under systemd: the drop-in line)
#   instead of failing every item with "Read-only file system".
. "$(dirname "$0")/lib.sh"
need_plugins unlink archive-then-shred
setup_tmp

D=$T/site
make_env "$D" unlink archive-then-shred
mkdir -p "$D/share/a" "$D/archive"
chmod 700 "$D/archive"
printf 'x\n' >"$D/share/a/old.txt"
touch -d "@$OLD" "$D/share/a/old.txt"
cat >"$D/rules.d/10.ini" <<EOF
[rule old]
source = file://$(uri_encode "$D/share")
retain = 30 days
action = unlink
[rule kept]
source = file://$(uri_encode "$D/share")
select = nothing/**
retain = 30 days
action = archive-then-shred
archive-dir = $D/archive
EOF

# 1. The unit as shipped (ProtectSystem=strict, ReadWritePaths=/var/lib/lethe).
U=$T/units
mkdir -p "$U"
sed 's|@bindir@|/usr/bin|' "$SRC_ROOT/packaging/systemd/lethe.service" >"$U/lethe.service"
SYSTEMD_UNIT_PATH=$U run check "$LETHE" check -c "$D/lethe.ini"
expect_rc 0 check
for p in "source $D/share" "archive-dir $D/archive" "state directory $D/state"; do
  expect_in check "$p is read-only under lethe.service (ProtectSystem=strict"
done
expect_in check "systemctl edit lethe.service"
expect_in check "ReadWritePaths=$D/state $D/share $D/archive"
[[ $(grep -c "is read-only under" "$T/check.err") == 3 ]] ||
  fail "expected 3 warnings (state, share, archive), each path once and not the ledger inside the state: $(cat "$T/check.err")"
# The drop-in an admin writes with systemctl edit.
mkdir -p "$U/lethe.service.d"
printf '[Service]\nReadWritePaths=%s -%s\n' "$D/share $D/archive" "$D/state" \
  >"$U/lethe.service.d/override.conf"
SYSTEMD_UNIT_PATH=$U run check2 "$LETHE" check -c "$D/lethe.ini"
expect_rc 0 check2
! grep -q "read-only under lethe.service" "$T/check2.err" ||
  fail "the drop-in lists every path, yet: $(cat "$T/check2.err")"
# Without the unit installed, nothing is said.
SYSTEMD_UNIT_PATH=$T/none run check3 "$LETHE" check -c "$D/lethe.ini"
! grep -q "lethe.service" "$T/check3.err" || fail "no unit, yet: $(cat "$T/check3.err")"

# 2. A read-only mount (a read-only bind mount of the share onto itself).
if ! mount --bind "$D/share" "$D/share" 2>/dev/null; then
  note "cannot bind-mount here: the read-only mount part is skipped"
  exit 0
fi
CLEANUP_HOOKS+=("umount '$D/share'")
mount -o remount,bind,ro "$D/share" || fail "cannot remount the bind mount read-only"
run check4 "$LETHE" check -c "$D/lethe.ini"
expect_in check4 "source $D/share is on a read-only mount here"
run ro "$LETHE" run -c "$D/lethe.ini"
expect_rc 1 ro
expect_in ro "rule old: $D/share is on a read-only mount, so nothing can be deleted from it"
! grep -q "Read-only file system" "$T/ro.err" || fail "items failed one by one: $(cat "$T/ro.err")"
[[ -f $D/share/a/old.txt ]] || fail "the file went"
[[ $(cat $(journal_files "$D/state") /dev/null | jq -s '[.[] | select(.type == "intent")] | length') == 0 ]] ||
  fail "an intent was journalled for a rule that could not run"
# A run that deleted nothing leaves no certificate of nothing behind: its
# journal is removed by the next run, not certified.
expect_in ro "stopped before deleting anything; removed"
! grep -q "certified run" "$T/ro.err" "$T/ro-unit.err" ||
  fail "a run that deleted nothing was certified: $(cat "$T/ro-unit.err")"
INVOCATION_ID=0123456789abcdef run ro-unit "$LETHE" run -c "$D/lethe.ini"
expect_rc 1 ro-unit
expect_in ro-unit "'systemctl edit lethe.service' and add '[Service]' then 'ReadWritePaths=$D/share'"
note "ok"

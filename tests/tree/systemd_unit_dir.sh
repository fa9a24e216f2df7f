#!/bin/bash
# The units install where systemd looks for them: with prefix /usr, the
# directory systemd's pkg-config file names (Debian 12: /lib/systemd/system,
# not /usr/lib/systemd/system); with another prefix, under that prefix.
# Checked from meson's install plan of a fresh setup (nothing is built).
. "$(dirname "$0")/../lib/common.sh"
tmp_setup systemd-units
command -v meson >/dev/null || skip "meson is not installed"
want=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null) ||
  skip "systemd's pkg-config file is not installed"
installed() {  # PREFIX: the install paths of lethe.service and lethe.timer
  rm -rf "$T/b"
  meson setup "$T/b" "$SRC_ROOT" --prefix="$1" >"$T/setup.out" 2>&1 ||
    fail "meson setup --prefix=$1 failed: $(tail -5 "$T/setup.out")"
  meson introspect --installed "$T/b" | jq -r '.[]' | grep -E '/lethe\.(service|timer)$' | sort
}
got=$(installed /usr)
[[ $got == "$want/lethe.service"$'\n'"$want/lethe.timer" ]] ||
  fail "prefix /usr: units go to
$got
but systemd.pc says $want"
got=$(installed /opt/lethe)
[[ $got == /opt/lethe/lib/systemd/system/lethe.service$'\n'/opt/lethe/lib/systemd/system/lethe.timer ]] ||
  fail "prefix /opt/lethe: units go to
$got"
note "units in $want (prefix /usr) and under the prefix otherwise"

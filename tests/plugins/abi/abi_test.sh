#!/bin/bash
# Checks that the loader fixtures are what their names say, so that the
# host's loader tests fail for the reason they mean to, that the agent's
# loader refuses each, and that plugins built for ABI 1 and ABI 2 both run:
#   abi_test.sh fixtures|mock|abi1 PLUGIN_TOOL PLUGIN_DIR
set -euo pipefail
case_=$1 driver=$2 dir=$3
T=$(mktemp -d "${TMPDIR:-/tmp}/lethe-abi.XXXXXX")
trap 'rm -rf "$T"' EXIT

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$(printf 'expected: %s\ngot:      %s' "$2" "$1")"; }

case $case_ in
fixtures)
  i() { "$driver" inspect "$dir/$1.so"; }
  expect_eq "$(i bad-version)" "abi=999 name=bad-version stores=1 open=1 delete_one=1 delete_batch=0 close=1"
  expect_eq "$(i no-entry)" "entry=missing"
  expect_eq "$(i null-entry)" "entry=null"
  expect_eq "$(i missing-delete)" "abi=2 name=missing-delete stores=1 open=1 delete_one=0 delete_batch=0 close=1"
  expect_eq "$(i missing-open)" "abi=2 name=missing-open stores=1 open=0 delete_one=1 delete_batch=0 close=1"
  expect_eq "$(i crash-on-delete)" "abi=2 name=crash-on-delete stores=1 open=1 delete_one=1 delete_batch=0 close=1"
  expect_eq "$(i mock)" "abi=2 name=mock stores=1 open=1 delete_one=1 delete_batch=0 close=1"
  # The agent's loader (which plugin_tool item uses) refuses each broken one,
  # saying why; a plugin for a version it does not know, how to rebuild.
  refusal() { "$driver" item "$dir/$1.so" 2>&1 >/dev/null || true; }
  refusal bad-version | grep -q "built for plugin ABI version 999; this lethe loads versions 1 to 2: rebuild the plugin" ||
    fail "bad-version: $(refusal bad-version)"
  refusal no-entry | grep -q "no lethe_plugin_entry symbol" || fail "no-entry: $(refusal no-entry)"
  refusal null-entry | grep -q "returned no plugin" || fail "null-entry: $(refusal null-entry)"
  refusal missing-delete | grep -q "neither delete_one nor delete_batch" ||
    fail "missing-delete: $(refusal missing-delete)"
  refusal missing-open | grep -q "has no open method" || fail "missing-open: $(refusal missing-open)"
  # crash-on-delete opens fine and dies of SIGABRT in delete_one.
  expect_eq "$("$driver" item "$dir/crash-on-delete.so")" "OPENED"
  rc=0
  "$driver" item "$dir/crash-on-delete.so" -- path=x > /dev/null 2>&1 || rc=$?
  expect_eq "$rc" 134
  ;;

mock)
  log=$T/calls.log
  expect_eq "$("$driver" item "$dir/mock.so" "log=$log" 'fail-glob=*fail*' -- path=a/keep.txt)" \
    "DELETED|logical-delete|mock: nothing was removed|"
  expect_eq "$("$driver" item "$dir/mock.so" "log=$log" 'fail-glob=*fail*' -- path=b/fail-me.txt)" \
    "FAILED|none||mock: failure requested by fail-glob"
  expect_eq "$("$driver" item "$dir/mock.so" "log=$log")" "OPENED"
  expect_eq "$(cat "$log")" "$(printf '%s\n' open 'delete a/keep.txt' close open 'delete b/fail-me.txt' close open close)"
  rc=0
  out=$("$driver" item "$dir/mock.so" colour=blue) || rc=$?
  expect_eq "$rc:$out" "2:OPEN-REFUSED|unknown or repeated setting 'colour'"
  ;;

abi1)
  # Built against the frozen version 1 header: loaded, driven through the
  # host's conversion, its outcome read back.
  expect_eq "$("$driver" inspect "$dir/mock-abi1.so")" \
    "abi=1 name=mock-abi1 stores=1 open=1 delete_one=1 delete_batch=0 close=1"
  log=$T/abi1.log
  expect_eq "$("$driver" item --detail "$dir/mock-abi1.so" "log=$log" -- path=a/old.txt)" \
    "DELETED|logical-delete|mock: nothing was removed||"
  expect_eq "$(cat "$log")" "$(printf '%s\n' open 'delete a/old.txt' close)"
  # Built for version 2, the mock reads members version 1 did not have (the
  # typed identity, the item's journal number) and answers with one
  # (detail_json, longer than version 1's detail could hold).
  mkdir "$T/d" && printf 'x\n' >"$T/d/f"
  out=$("$driver" item --detail "$dir/mock.so" -- path=f "dir=$T/d" name=f identity=auto seq=42)
  detail=${out##*|}
  [ ${#detail} -gt 1024 ] || fail "the ABI 2 detail is only ${#detail} bytes: $out"
  expect_eq "$(jq -r '"\(.seq) \(.identity_store) \(.ino)"' <<<"$detail")" "42 1 $(stat -c %i "$T/d/f")"
  ;;

*)
  echo "unknown case: $case_" >&2
  exit 2
  ;;
esac

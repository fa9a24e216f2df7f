#!/bin/bash
# Checks that the loader fixtures are what their names say, so that the
# host's loader tests fail for the reason they mean to:
#   abi_test.sh fixtures|mock DRIVER PLUGIN_DIR
set -euo pipefail
case_=$1 driver=$2 dir=$3
T=$(mktemp -d "${TMPDIR:-/tmp}/lethe-abi.XXXXXX")
trap 'rm -rf "$T"' EXIT

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$(printf 'expected: %s\ngot:      %s' "$2" "$1")"; }

case $case_ in
fixtures)
  i() { "$driver" --inspect "$dir/$1.so"; }
  expect_eq "$(i bad-version)" "abi=999 name=bad-version stores=1 open=1 delete_one=1 delete_batch=0 close=1"
  expect_eq "$(i no-entry)" "entry=missing"
  expect_eq "$(i null-entry)" "entry=null"
  expect_eq "$(i missing-delete)" "abi=1 name=missing-delete stores=1 open=1 delete_one=0 delete_batch=0 close=1"
  expect_eq "$(i missing-open)" "abi=1 name=missing-open stores=1 open=0 delete_one=1 delete_batch=0 close=1"
  expect_eq "$(i crash-on-delete)" "abi=1 name=crash-on-delete stores=1 open=1 delete_one=1 delete_batch=0 close=1"
  expect_eq "$(i mock)" "abi=1 name=mock stores=1 open=1 delete_one=1 delete_batch=0 close=1"
  # crash-on-delete opens fine and dies of SIGABRT in delete_one.
  expect_eq "$("$driver" "$dir/crash-on-delete.so")" "OPENED"
  rc=0
  "$driver" "$dir/crash-on-delete.so" -- path=x > /dev/null 2>&1 || rc=$?
  expect_eq "$rc" 134
  ;;

mock)
  log=$T/calls.log
  expect_eq "$("$driver" "$dir/mock.so" "log=$log" 'fail-glob=*fail*' -- path=a/keep.txt)" \
    "DELETED|logical-delete|mock: nothing was removed|"
  expect_eq "$("$driver" "$dir/mock.so" "log=$log" 'fail-glob=*fail*' -- path=b/fail-me.txt)" \
    "FAILED|none||mock: failure requested by fail-glob"
  expect_eq "$("$driver" "$dir/mock.so" "log=$log")" "OPENED"
  expect_eq "$(cat "$log")" "$(printf '%s\n' open 'delete a/keep.txt' close open 'delete b/fail-me.txt' close open close)"
  rc=0
  out=$("$driver" "$dir/mock.so" colour=blue) || rc=$?
  expect_eq "$rc:$out" "2:OPEN-REFUSED|unknown or repeated setting 'colour'"
  ;;

*)
  echo "unknown case: $case_" >&2
  exit 2
  ;;
esac

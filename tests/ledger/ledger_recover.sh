#!/bin/bash
# A run killed part way (kill -9 at a fault point) is completed by the next
# lethe run, which certifies it: its certificate says recovered, its status
# is "recovered", the outcomes recovery established are marked, and every
# file deleted appears as deleted in exactly one certificate. The ledger
# then verifies as any other. Git lock files a killed writer left are
# removed by the next one.
. "$(dirname "$0")/lib.sh"
setup_tmp
need_fault_injection

for K in 2 4 6; do
  D=$T/k$K
  make_env "$D"
  keygen "$D"
  mapfile -t files < <(cd "$D/share" && find . -type f | sed 's|^\./||' | sort)
  LETHE_TEST_KILL_AT=$K run "crash$K" "$LETHE" apply -c "$D/lethe.ini" --yes
  expect_rc 137 "crash$K"
  [[ ! -e $D/ledger ]] || fail "K=$K: a killed run was certified before recovery"

  run "run$K" "$LETHE" run -c "$D/lethe.ini"
  expect_rc 0 "run$K"
  expect_in "run$K" "recovered 1 interrupted run"
  expect_in "run$K" "(recovered)"
  [[ -z $(find "$D/share" -type f) ]] || fail "K=$K: files left: $(find "$D/share" -type f)"
  [[ -z $(find "$D/state/journal" -maxdepth 1 -name '*.jsonl') ]] ||
    fail "K=$K: a journal was left uncertified"

  L=$D/ledger
  mapfile -t C < <(certs "$L")
  [[ ${#C[@]} == 2 ]] || fail "K=$K: expected 2 certificates (crashed run, then this run), got ${#C[@]}"
  jq -e '.recovered == true and .status == "recovered"' "$L/${C[0]}" >/dev/null ||
    fail "K=$K: the crashed run's certificate is not marked recovered: $(head -c 800 "$L/${C[0]}")"
  jq -e '.recovered == false and .status == "done"' "$L/${C[1]}" >/dev/null ||
    fail "K=$K: the second run's certificate: $(head -c 800 "$L/${C[1]}")"
  if ((K < 6)); then
    # killed before the outcomes were journalled: recovery established them
    cert_items "$L/${C[0]}" | jq -se '[.[] | select(.recovered)] | length > 0 and
      all(.method == "recovery" and (.result == "deleted" or .result == "skipped"))' \
      >/dev/null || fail "K=$K: no item marked recovered: $(cert_items "$L/${C[0]}")"
  fi
  # every file deleted exactly once over both certificates
  deleted=$({ cert_items "$L/${C[0]}"; cert_items "$L/${C[1]}"; } |
    jq -r 'select(.kind == "file" and .result == "deleted") | .uri' | while IFS= read -r u; do printf '%b\n' "${u//%/\\x}"; done | sort)
  want=$(printf "file://$D/share/%s\n" "${files[@]}" | sort)
  [[ $deleted == "$want" ]] || fail "K=$K: files deleted per the certificates:
$deleted
expected:
$want"
  check_ledger "$L"
  run "verify$K" "$LETHE" verify -c "$D/lethe.ini"
  expect_rc 0 "verify$K"
  note "K=$K: recovered and certified"
done
# A run that stops part way without dying (the second rule's plugin gives
# up) is completed by recovery at once and certified as recovered.
D=$T/stopped
make_env "$D"
keygen "$D"
[[ -f ${LETHE_PLUGIN_MOCK:-} ]] || skip "the mock test plugin was not built"
cp "$LETHE_PLUGIN_MOCK" "$D/plugins/mock.so"
mkdir -p "$D/other"
printf 'x\n' >"$D/other/x.txt"
touch -d "@$OLD" "$D/other/x.txt"
printf '[rule zz-missing]\nsource = file://%s/other\nselect = **\nretain = 30 days\naction = mock\ngive-up-glob = *\n' \
  "$D" >"$D/rules.d/20-missing.ini"
run stopped "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 1 stopped
expect_in stopped "recovered 1 interrupted run"
expect_in stopped "(recovered)"
[[ -f $D/other/x.txt ]] || fail "stopped: the rule whose plugin gave up deleted something"
c=$D/ledger/$(cert_json "$D/ledger" 1)
jq -e '.recovered and .status == "recovered" and .totals.deleted > 0' "$c" >/dev/null ||
  fail "stopped: certificate $(head -c 600 "$c")"
[[ $(cert_items "$c" | jq -s '[.[] | select(.rule == "zz-missing" and .result == "deleted")] | length') == 0 ]] ||
  fail "stopped: the rule whose plugin gave up is certified as deleting"
[[ -z $(find "$D/state/journal" -maxdepth 1 -name '*.jsonl') ]] || fail "stopped: journal left"
check_ledger "$D/ledger"
note "a run stopped part way: recovered and certified at once"

# A writer killed inside git leaves git's lock files, which git never takes
# over: the ledger being created (config.lock in a half-made .git), or a
# certificate being committed (index.lock, the branch's lock). The next run
# removes them, says so, and certifies; the lock files themselves were never
# committed.
for where in create commit; do
  D=$T/lock-$where
  make_env "$D"
  keygen "$D"
  if [[ $where == create ]]; then
    mkdir -p "$D/ledger/.git"
    : >"$D/ledger/.git/config.lock"
  else
    run "first-$where" "$LETHE" run -c "$D/lethe.ini"
    expect_rc 0 "first-$where"
    add_old_files "$D" later
    : >"$D/ledger/.git/index.lock"
    : >"$D/ledger/.git/refs/heads/main.lock"
  fi
  run "locked-$where" "$LETHE" run -c "$D/lethe.ini"
  expect_rc 0 "locked-$where"
  expect_in "locked-$where" "left by a writer that was interrupted"
  [[ -z $(find "$D/ledger/.git" -name '*.lock') ]] || fail "$where: lock files left: $(find "$D/ledger/.git" -name '*.lock')"
  [[ -z $(find "$D/state/journal" -maxdepth 1 -name '*.jsonl') ]] || fail "$where: a journal was left uncertified"
  check_ledger "$D/ledger"
  note "$where: a killed writer's git locks removed, the run certified"
done

no_secrets "$T/k2/key/signing.key"

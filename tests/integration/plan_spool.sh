#!/bin/bash
# The plan spools its entries to an unnamed file in $TMPDIR. When that cannot
# be made, lethe plan must fail (exit 1, the reason named), never print an
# empty plan as if nothing were due; a usable $TMPDIR is honoured.
source "$(dirname "$0")/lib.sh"
setup_tmp
"$LETHE_DEMO" --now "$FIXED_NOW" "$T/demo" >/dev/null 2>&1 || fail "make-demo-share.sh failed"
TMPDIR=$T/missing run broken "$LETHE" plan -c "$T/demo/lethe.ini" --now "$FIXED_NOW"
expect_rc 1 broken
grep -q "cannot create the plan's spool file in $T/missing" "$T/broken.err" ||
  fail "the error does not name the spool directory: $(cat "$T/broken.err")"
[[ ! -s $T/broken.out ]] || fail "a plan was printed although none could be made"
mkdir "$T/spool"
TMPDIR=$T/spool run good "$LETHE" plan -c "$T/demo/lethe.ini" --now "$FIXED_NOW" --format json
expect_rc 0 good
json_ok "$T/good.out" "plan with TMPDIR set"
[[ -z $(ls -A "$T/spool") ]] || fail "the spool left a file behind in TMPDIR"
note "ok"

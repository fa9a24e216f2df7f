#!/bin/bash
# max-delete is a circuit breaker: a run that would delete more than a
# rule's max-delete (a count, or a percentage of the items in its source)
# deletes nothing at all -- not even other rules' items -- exits 3 and says
# how many and the limit; no journal records a deletion and the plugin is
# never opened. Within the limit the run deletes as planned.
. "$(dirname "$0")/lib.sh"
setup_tmp
need_plugins unlink mock

# setup NAME: $D with a share of 5 expired and 3 recent files (8 items).
setup() {
  D=$T/$1
  share=$D/share
  make_env "$D" unlink mock
  mkdir -p "$share/sub"
  for i in 1 2 3; do printf 'old %s\n' "$i" >"$share/old$i.txt"; done
  for i in 4 5; do printf 'old %s\n' "$i" >"$share/sub/old$i.txt"; done
  for i in 1 2 3; do printf 'new %s\n' "$i" >"$share/new$i.txt"; done
  find "$share" -mindepth 1 ! -type d -exec touch -d "@$OLD" {} +
  set_recent "$share"/new*.txt
  nul_list "$share" ! -type d >"$D/all"
  states_of "$D/before" <"$D/all"
  nul_list "$share" ! -type d -name 'old*' >"$D/expired"
  : >"$D/none"
}

# rule NAME MAX [ACTION [SOURCE]]: a rule file.
rule() {
  cat >"$D/rules.d/$1.ini" <<EOF
[rule $1]
source = file://$(uri_encode "${4:-$share}")
select = **
retain = 30 days
action = ${3:-unlink}
max-delete = $2
EOF
  [[ ${3:-unlink} == mock ]] && printf 'log = %s\n' "$D/mock.log" >>"$D/rules.d/$1.ini"
  return 0
}

# refused NAME WHAT PATTERN...: the last run ($T/NAME.*) exited 3, stderr
# matches each PATTERN, nothing was deleted and no journal holds a deletion.
refused() {
  local name=$1 what=$2 pat
  shift 2
  [[ $RC == 3 ]] || fail "$what: exit $RC, expected 3:
$(cat "$T/$name.err")"
  for pat; do
    grep -Eq -- "$pat" "$T/$name.err" || fail "$what: stderr does not match '$pat':
$(cat "$T/$name.err")"
  done
  check_after "$D/before" "$D/none"
  [[ -z $(journal_results "$D/state" deleted all | tr -d '\0') ]] ||
    fail "$what: a journal records deletions"
  [[ -z $(jq -r 'select(.type == "intent") | .path' $(journal_files "$D/state") /dev/null) ]] ||
    fail "$what: a journal records intents"
}

# A count: 5 expired over max-delete 2, by apply (fresh and saved plan) and run.
setup count
rule count 2
run apply "$LETHE" apply -c "$D/lethe.ini" --yes
refused apply "max-delete = 2, apply" 'count' '\b5 items' 'max-delete of 2\b' 'nothing was deleted'
run plan "$LETHE" plan -c "$D/lethe.ini" --format json -o "$D/plan.json"
expect_rc 0 plan
run saved "$LETHE" apply -c "$D/lethe.ini" --plan "$D/plan.json" --yes
refused saved "max-delete = 2, apply --plan" 'count' '\b5 items' 'max-delete of 2\b'
run run "$LETHE" run -c "$D/lethe.ini"
refused run "max-delete = 2, run" 'count' '\b5 items' 'max-delete of 2\b'
! grep -q '^count ' "$D/state/cadence" 2>/dev/null ||
  fail "a run refused by max-delete recorded the rule's cadence: $(cat "$D/state/cadence")"

# A percentage: 5 of 8 is over 50%.
setup percent
rule percent 50%
run apply "$LETHE" apply -c "$D/lethe.ini" --yes
refused apply "max-delete = 50%" 'percent' '\b5 items' 'max-delete of 50%' '\b8 items'

# One rule over its limit stops the whole run, the other rule's items too.
setup two
mkdir -p "$D/share2"
printf 'a\n' >"$D/share2/a.txt"
printf 'b\n' >"$D/share2/b.txt"
set_old "$D/share2/a.txt" "$D/share2/b.txt"
nul_list "$share" ! -type d >"$D/all"
nul_list "$D/share2" ! -type d >>"$D/all"
states_of "$D/before" <"$D/all"
rule small 10 unlink "$D/share2"
rule big 2
run apply "$LETHE" apply -c "$D/lethe.ini" --yes
refused apply "two rules, one over its limit" 'big' 'max-delete of 2\b'

# The plugin is not even opened.
setup mock
rule viamock 2 mock
run apply "$LETHE" apply -c "$D/lethe.ini" --yes
refused apply "max-delete = 2 with the mock plugin" 'viamock'
[[ ! -e $D/mock.log ]] || fail "the plugin was opened although max-delete refused the run:
$(cat "$D/mock.log")"
rule viamock 5 mock
run apply "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 0 apply
[[ $(grep -c '^delete ' "$D/mock.log") == 5 ]] || fail "mock: expected 5 deletions within the limit:
$(cat "$D/mock.log")"

# Within the limits: exactly 5, and 70% of 8 (5.6, so 5).
for limit in 5 70%; do
  setup "within-${limit%\%}"
  rule within "$limit"
  run apply "$LETHE" apply -c "$D/lethe.ini" --yes
  expect_rc 0 apply
  check_after "$D/before" "$D/expired"
  journal_results "$D/state" deleted >"$D/deleted"
  same_set "$D/expired" "$D/deleted" "max-delete = $limit: deleted outcomes"
done

note "ok"

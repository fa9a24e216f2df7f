#!/bin/bash
# Invariant 7 for rule files: every error of every file is reported in one
# pass as FILE:LINE: message, lethe check and lethe plan exit 2 and agree,
# and a good configuration checks clean with one line per rule and hold.
. "$(dirname "$0")/lib.sh"
setup_tmp

bad=$T/bad
write_config "$bad"
rd=$bad/rules.d
mkdir -p "$bad/events"

# Each file holds one kind of error; most hold several. Line numbers matter:
# the expectations below name them.

cat >"$rd/10-syntax.ini" <<'EOF'
; syntax errors
[rule syntax-a
source = file:///srv/a
this line has no equals sign
[policy x]
retain = 1 day
[rule syntax-b]
source = file:///srv/b
retain = 30 days
action = shred
EOF

cat >"$rd/20-keys.ini" <<'EOF'
retain = 1 day
[rule keys]
source = file:///srv/keys
retain = 30 days
retain = 60 days
colour = blue
action =
action = shred
description = first
description = second
EOF

cat >"$rd/30-values.ini" <<'EOF'
[rule values]
source = ftp://example.org/x
retain = 12m
clock = sundial
action = teleport
select = **a/*.mp4
except = [z-a]
subject = *
max-delete = lots
review = maybe
grace = -3 days
every = 30
[rule relative]
source = file://srv/relative
retain = 1 day
action = shred
EOF

cat >"$rd/40-missing.ini" <<'EOF'
[rule empty]
description = nothing else
[hold nothing]
until = 2027-02-30
[rule newest-alone]
source = file:///srv/x
clock = newest
retain = 1 year
action = shred
[rule bad name!]
source = file:///srv/y
[rule wrong-clock]
source = file:///srv/z
clock = internaldate
retain = 1 year
action = shred
EOF

long=$(printf 'x%.0s' {1..200})
cat >"$rd/50-dup.ini" <<EOF
[rule syntax-b]
source = file:///srv/dup
[hold nothing]
match = file:///srv/**
reason = duplicate
[rule long]
source = file:///srv/$long
retain = 1 day
action = shred
EOF

cat >"$rd/60-events.ini" <<'EOF'
[rule events-missing]
source = file:///srv/e
clock = events:../events/missing.csv
retain = 1 year
action = shred
[rule events-bad]
source = file:///srv/e
clock = events:../events/bad.csv
retain = 1 year
action = shred
EOF
cat >"$bad/events/bad.csv" <<'EOF'
key,date
"Acme, Ltd",2025-10-01
Borealis,not-a-date
"unterminated,2025-01-01
a,b,c
Ok,2025-01-01
EOF

mkdir "$rd/70-directory.ini"
printf '[rule ignored]\n' >"$rd/README"          # not *.ini: not read
printf '[rule hidden]\n' >"$rd/.hidden.ini"      # hidden: not read

# FILE|LINE|phrase: one per expected error (LINE empty: no line number).
expected=$(cat <<'EOF'
10-syntax.ini|2|section header has no closing ']'
10-syntax.ini|3|'source' outside any section
10-syntax.ini|4|expected '[section]' or 'key = value'
10-syntax.ini|5|unknown section [policy x]
20-keys.ini|1|'retain' outside any section
20-keys.ini|5|'retain' given twice
20-keys.ini|6|unknown key 'colour' in [rule keys]
20-keys.ini|7|'action' has no value
20-keys.ini|10|'description' given twice
30-values.ini|2|unknown scheme
30-values.ini|3|"m" is ambiguous
30-values.ini|4|unknown clock 'sundial'
30-values.ini|5|unknown action 'teleport'
30-values.ini|6|must be a whole path component
30-values.ini|7|reversed range
30-values.ini|8|subject '*': expected directory levels ending in '/'
30-values.ini|9|max-delete 'lots'
30-values.ini|10|review 'maybe'
30-values.ini|11|negative durations are not allowed
30-values.ini|12|missing unit
30-values.ini|14|a file source is file:///absolute/path
40-missing.ini|1|[rule empty] has no 'source'
40-missing.ini|1|[rule empty] has no 'retain'
40-missing.ini|1|[rule empty] has no 'action'
40-missing.ini|3|[hold nothing] has no 'match'
40-missing.ini|3|[hold nothing] has no 'reason'
40-missing.ini|4|until:
40-missing.ini|5|clock 'newest' needs a 'subject'
40-missing.ini|10|needs a name of letters, digits
40-missing.ini|12|clock 'internaldate' does not apply
50-dup.ini|1|duplicate rule name 'syntax-b' (first defined at RULES/10-syntax.ini:7)
50-dup.ini|3|duplicate hold name 'nothing' (first defined at RULES/40-missing.ini:3)
50-dup.ini|6|[rule long] has no 'source'
50-dup.ini|7|line longer than 199 bytes
EVENTS/missing.csv||cannot read events file
EVENTS/bad.csv|3|not-a-date
EVENTS/bad.csv|4|unterminated quoted field
EVENTS/bad.csv|5|more than two fields
70-directory.ini||not a regular file
EOF
)
n_expected=$(wc -l <<<"$expected")

# check_errors NAME: the run NAME reported exactly the expected errors.
check_errors() {
  local name=$1 file line phrase prefix path hits
  local err=$T/$name.err
  while IFS='|' read -r file line phrase; do
    phrase=${phrase//RULES/$rd}
    case $file in
      EVENTS/*) path=$rd/../events/${file#EVENTS/} ;;
      *) path=$rd/$file ;;
    esac
    if [[ -n $line ]]; then
      prefix="lethe: $path:$line: "
    else
      prefix="lethe: $path: "
    fi
    hits=$(grep -F -- "$prefix" "$err" | grep -cF -- "$phrase")
    [[ $hits -ge 1 ]] || fail "$name: no error '${prefix#lethe: }...$phrase'; stderr was:
$(cat "$err")"
  done <<<"$expected"
  # Every error line names a file under the configuration, and there are as
  # many as expected (none missing, none extra, none twice).
  errors=$(grep -c -- "^lethe: $bad/" "$err")
  [[ $errors == "$n_expected" ]] || fail "$name: $errors error lines, expected $n_expected:
$(cat "$err")"
  grep -q "^lethe: $n_expected errors in the configuration" "$err" ||
    fail "$name: no summary '$n_expected errors in the configuration'"
  ! grep -q -e ignored -e hidden "$err" || fail "$name: read a file that is not *.ini or is hidden"
}

run check "$LETHE" check -c "$bad/lethe.ini"
expect_rc 2 check
check_errors check
[[ ! -s $T/check.out ]] || fail "check printed rules although the configuration is broken"

run plan "$LETHE" plan -c "$bad/lethe.ini" --now "$FIXED_NOW" --format json
expect_rc 2 plan
check_errors plan
[[ ! -s $T/plan.out ]] || fail "plan wrote a report although the configuration is broken"
diff <(grep "^lethe: $bad/" "$T/check.err" | LC_ALL=C sort) \
     <(grep "^lethe: $bad/" "$T/plan.err" | LC_ALL=C sort) >"$T/diff.txt" ||
  fail "check and plan report different errors:
$(cat "$T/diff.txt")"

# LETHE_CONFIG is honoured like -c.
LETHE_CONFIG=$bad/lethe.ini run envcheck "$LETHE" check
expect_rc 2 envcheck
check_errors envcheck

# --- a broken lethe.ini ------------------------------------------------------

badcfg=$T/badcfg
mkdir -p "$badcfg/rules.d"
cat >"$badcfg/lethe.ini" <<'EOF'
[agent]
rules = rules.d
colour = blue
rules = elsewhere
[rule x]
source = file:///srv/x
EOF
run badini "$LETHE" check -c "$badcfg/lethe.ini"
expect_rc 2 badini
for want in "lethe.ini:3: unknown key 'colour' in [agent]" "lethe.ini:4: 'rules' given twice" \
            "lethe.ini:5: unknown section [rule x]"; do
  grep -qF -- "$badcfg/$want" "$T/badini.err" || fail "broken lethe.ini: no error '$want':
$(cat "$T/badini.err")"
done
[[ $(grep -c "^lethe: $badcfg/lethe.ini:" "$T/badini.err") == 3 ]] ||
  fail "broken lethe.ini: expected exactly 3 errors:
$(cat "$T/badini.err")"

run missing "$LETHE" check -c "$T/no-such.ini"
expect_rc 2 missing
grep -qF "$T/no-such.ini" "$T/missing.err" || fail "a missing config: the error does not name it"

# --- a good configuration ------------------------------------------------------

"$LETHE_DEMO" --now "$FIXED_NOW" "$T/demo" >/dev/null 2>&1 || fail "make-demo-share.sh failed"
run good "$LETHE" check -c "$T/demo/lethe.ini"
expect_rc 0 good
# The demo has no signing key yet: check says so, and nothing else.
grep -q "warning: no signing key at $T/demo/" "$T/good.err" ||
  fail "check does not warn that the demo has no signing key: $(cat "$T/good.err")"
grep -v "warning: no signing key" "$T/good.err" >"$T/good.other" || true
[[ ! -s $T/good.other ]] || fail "a good configuration gave warnings: $(cat "$T/good.other")"
"$LETHE" keygen -c "$T/demo/lethe.ini" >/dev/null 2>&1 || fail "keygen for the demo failed"
run good_keyed "$LETHE" check -c "$T/demo/lethe.ini"
expect_rc 0 good_keyed
[[ ! -s $T/good_keyed.err ]] || fail "a good configuration with its key gave warnings: $(cat "$T/good_keyed.err")"
n_rules=$(cat "$T"/demo/rules.d/*.ini | grep -c '^\[rule ')
n_holds=$(cat "$T"/demo/rules.d/*.ini | grep -c '^\[hold ')
[[ $(grep -c '^rule ' "$T/good.out") == "$n_rules" ]] ||
  fail "check printed $(grep -c '^rule ' "$T/good.out") rule lines for $n_rules rules:
$(cat "$T/good.out")"
[[ $(grep -c '^hold ' "$T/good.out") == "$n_holds" ]] ||
  fail "check printed $(grep -c '^hold ' "$T/good.out") hold lines for $n_holds holds"
[[ $(wc -l <"$T/good.out") == $((n_rules + n_holds)) ]] ||
  fail "check printed more than one line per rule and hold:
$(cat "$T/good.out")"
for r in clients-confidential clients-archive recordings backups consent; do
  grep -q "^rule $r .*retain " "$T/good.out" || fail "check did not print rule $r with its settings"
done
grep -q '^hold borealis-complaint .*until ' "$T/good.out" || fail "check did not print the hold"

note "ok"

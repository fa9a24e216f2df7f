#!/bin/bash
# What a new admin types wrong gets one clear line: a misspelt command is
# corrected, an option without its value is one error, a certificate that
# is missing or not JSON is named with the system's or the parser's reason
# (never a library's function name). Log lines carry a syslog priority
# only while stderr is the stream JOURNAL_STREAM names (systemd.exec(5)),
# not when a script run by the unit sends stderr to a file.
. "$(dirname "$0")/lib.sh"
tmp_setup cli

run typo "$LETHE" plna
expect_rc 2 typo
expect_in typo "unknown command 'plna'; did you mean 'plan'?"

run noval "$LETHE" plan -c
expect_rc 2 noval
[[ $(grep -c "^lethe" "$T/noval.err") == 1 ]] ||
  fail "-c without a value: expected one error line, got: $(cat "$T/noval.err")"
expect_in noval "option '-c' needs a value"

run missing "$LETHE" show "$T/nope.json"
expect_rc 1 missing
expect_in missing "$T/nope.json: cannot read it: No such file or directory"
printf '{"schema": tru' >"$T/torn.json"
run torn "$LETHE" show "$T/torn.json"
expect_rc 1 torn
expect_in torn "$T/torn.json: not a certificate"
printf '{"schema": ]' >"$T/bad.json"
run bad "$LETHE" show "$T/bad.json"
expect_in bad "$T/bad.json: not a certificate: bad JSON at byte"
for c in missing torn bad; do
  ! grep -q "json_\|tokener" "$T/$c.err" || fail "$c: a library's words in the message: $(cat "$T/$c.err")"
  [[ $(grep -c . "$T/$c.err") == 1 ]] || fail "$c: expected one line, got: $(cat "$T/$c.err")"
done

# JOURNAL_STREAM: "<3>" only when stderr is that very stream.
printf '{"schema": ]' >"$T/bad.json"
exec 3>"$T/journal.err"
ids=$(stat -c '%d:%i' "$T/journal.err")
JOURNAL_STREAM=$ids "$LETHE" show "$T/bad.json" 2>&3
exec 3>&-
[[ $(cat "$T/journal.err") == "<3>$T/bad.json: not a certificate"* ]] ||
  fail "stderr is the journal's stream: expected a <3> prefix, got: $(cat "$T/journal.err")"
JOURNAL_STREAM=$ids "$LETHE" show "$T/bad.json" 2>"$T/file.err"
[[ $(cat "$T/file.err") == "lethe: $T/bad.json: not a certificate"* ]] ||
  fail "stderr redirected to a file: expected 'lethe: ', got: $(cat "$T/file.err")"
JOURNAL_STREAM=garbage "$LETHE" show "$T/bad.json" 2>"$T/garbage.err"
[[ $(cat "$T/garbage.err") == "lethe: "* ]] ||
  fail "a malformed JOURNAL_STREAM: expected 'lethe: ', got: $(cat "$T/garbage.err")"
note "ok"

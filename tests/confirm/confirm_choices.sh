#!/bin/bash
# What the trainer chooses: --report-only changes nothing (exit 1: found);
# without --yes and without a terminal, confirm refuses to guess; on a
# terminal (script(1) gives it one) quitting deletes and signs nothing,
# and answering file by file deletes some and keeps others with the
# reasons typed, next to the standing exception of a [keep] section. The
# attestation records each exception with its reason and what it still
# holds.
. "$(dirname "$0")/lib.sh"
setup_tmp
make_home
make_trainer "Ada Trainer" ada@example.org '
[keep contract]
path = Documents/Workshop 2026/attendees.xlsx
reason = the client contract requires the list until June
'
L=$HOME/.local/state/lethe/ledger
snapshot() { (cd "$HOME" && find Downloads Desktop Documents -printf '%p %s %T@\n' | sort); }
snapshot >"$T/before"

run report "$LETHE" confirm --report-only
expect_rc 1 report
expect_in report "Personal data found in 7 files"
expect_in report "kept: the client contract requires the list until June"
snapshot >"$T/after-report"
cmp -s "$T/before" "$T/after-report" || fail "--report-only changed the home directory"
[[ ! -e $L ]] || fail "--report-only made a ledger"

run notty "$LETHE" confirm
expect_rc 2 notty
expect_in notty "not on a terminal"

command -v script >/dev/null || skip "script(1) is not installed (bsdutils): no terminal to test with"
# on a terminal: quit at the first question
printf 'q\n' >"$T/quit.in"
run quit script -qec "$LETHE confirm" /dev/null <"$T/quit.in"
expect_rc 3 quit
expect_in quit "Nothing deleted, nothing attested."
snapshot >"$T/after-quit"
cmp -s "$T/before" "$T/after-quit" || fail "quitting changed the home directory"

# one by one: keep the notes (with a reason), delete the rest
printf 'n\nd\nk\nmy own notes, redacted next week\nd\nd\nd\nd\n' >"$T/choose.in"
run choose script -qec "$LETHE confirm" /dev/null <"$T/choose.in"
expect_rc 0 choose
expect_in choose "Attested:"
for f in "Downloads/notes from day 2.txt" "Documents/Workshop 2026/attendees.xlsx"; do
  [[ -f $HOME/$f ]] || fail "kept file $f was deleted"
done
for f in Downloads/delegates.csv Desktop/letter.odt "Desktop/scan of form.pdf" \
  "Documents/Workshop 2026/deck.pptx" "Documents/Workshop 2026/feedback.docx"; do
  [[ ! -e $HOME/$f ]] || fail "$f was not deleted"
done
att=$(the_attestation "$L")
jq -e '.before.files == 7 and .after.files == 2 and .after.values.email == 3 and
  .certificates[0].deleted == 5 and
  ([.exceptions[] | "\(.path): \(.reason): \(.found.files)"] | sort) == [
    "Documents/Workshop 2026/attendees.xlsx: the client contract requires the list until June: 1",
    "Downloads/notes from day 2.txt: my own notes, redacted next week: 1"]' "$L/$att" \
  >/dev/null || fail "the attestation's exceptions: $(jq -c '{exceptions, after}' "$L/$att")"

# the central view shows the exceptions
printf 'name,email,key,cadence\nAda Trainer,ada@example.org,%s,6 months\n' \
  "$(key_line "$HOME/.config/lethe/signing.key.pub")" >"$T/roster.csv"
run view "$LETHE" attestations --ledger "$T/central.git" --roster "$T/roster.csv"
expect_rc 0 view
expect_in view "ok (2 exceptions)"
note "report-only, no terminal, quit, and a choice per file each did what was asked"

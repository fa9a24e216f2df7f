#!/bin/bash
# Rules that look inside files (contains =), as Annex 2 of the Imparta
# policy asks: "IT will scan for XL files that are not in the 0 folder and
# check for personal data being kept incorrectly."
# - action = report lists exactly the spreadsheets outside the 0 folders
#   that hold personal data, with what was found (counts, redacted samples,
#   never a value), as its own section of the plan; lethe run deletes and
#   changes nothing of them; a corrupt workbook is listed as skipped, named.
# - a deleting rule with contains = email deletes only the files that hold
#   an address.
. "$(dirname "$0")/lib.sh"
setup_tmp
PY=$(command -v python3) || skip "python3 is not installed"
D=$T/site
S=$D/share
mkdir -p "$D/rules.d" "$S/Acme/0 Confidential" "$S/Acme/Reports" "$S/Beta/Reports" "$S/Notes"
"$PY" - "$SRC_ROOT/tests/scan" "$S" <<'EOF' || fail "cannot make the office files"
import os, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
import officegen as o
s = sys.argv[2]
files = {
  "Acme/Reports/delegates.xlsx": o.xlsx([[["Name", "Email"], ["Ada Byron", "ada.byron@example.org"],
                                          ["Alan Turing", "alan@example.com"]]]),
  "Acme/Reports/budget.xlsx": o.xlsx([[["Quarter", "Spend"], ["Q1", "1200"], ["Q2", "900"]]]),
  "Acme/0 Confidential/contacts.xlsx": o.xlsx([[["Name", "Email"], ["Grace", "grace@example.net"]]]),
  "Beta/Reports/payroll.xlsx": o.xlsx([[["Employee", "NI number"], ["Bob", "AB 12 34 56 C"]]]),
  "Notes/minutes.txt": b"Write to mary.jones@example.co.uk about the workshop.\n",
  "Notes/agenda.txt": b"Welcome, coffee, the programme, lunch.\n",
}
for name, data in files.items():
    with open(os.path.join(s, name), "wb") as f:
        f.write(data)
with open(os.path.join(s, "Beta/Reports/broken.xlsx"), "wb") as f:
    f.write(files["Acme/Reports/delegates.xlsx"][:300])   # a truncated zip
EOF
find "$S" -type f -exec touch -d "2025-01-01" {} +
printf '[agent]\nrules = rules.d\nstate = state\nkey = signing.key\n' >"$D/lethe.ini"
cat >"$D/rules.d/10.ini" <<EOF
[rule xl-outside-0]
description = Spreadsheets outside the 0 folders that hold personal data
basis = Imparta Data Protection Policy, Annex 2
source = file://$S
select = */**/*.xlsx
except = */0*/**
contains = personal-data
action = report
[rule notes-with-addresses]
source = file://$S/Notes
contains = email
retain = 30 days
action = unlink
EOF
sums() { (cd "$S" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); }
sums >"$T/before"

run check "$LETHE" check -c "$D/lethe.ini"
expect_rc 0 check
run plan "$LETHE" plan -c "$D/lethe.ini" --format json -o "$T/plan.json"
expect_rc 0 plan
cmp -s <(sums) "$T/before" || fail "lethe plan changed the share"
got=$(jq -r '.items[] | select(.rule == "xl-outside-0") | "\(.decision) \(.path)"' "$T/plan.json" |
      LC_ALL=C sort)
want=$'report Acme/Reports/delegates.xlsx\nreport Beta/Reports/payroll.xlsx\nskip Beta/Reports/broken.xlsx'
[[ $got == "$want" ]] || fail "the report lists:
$got
expected:
$want"
jq -e '.items[] | select(.path == "Acme/Reports/delegates.xlsx") | .findings.email.count == 2
       and (.findings.email.sample | test("\\*")) and (.reason | startswith("holds "))' \
  "$T/plan.json" >/dev/null || fail "delegates.xlsx: the findings are not in the plan: $(cat "$T/plan.json")"
jq -e '.items[] | select(.path == "Beta/Reports/payroll.xlsx") | .findings.nino.count == 1' \
  "$T/plan.json" >/dev/null || fail "payroll.xlsx: its NI number is not reported"
jq -e '.items[] | select(.path == "Beta/Reports/broken.xlsx") | .reason | test("broken.xlsx|content")' \
  "$T/plan.json" >/dev/null || fail "the corrupt workbook's reason does not say what is wrong"
jq -e '.rules[] | select(.name == "xl-outside-0") | .summary.report.count == 2' "$T/plan.json" \
  >/dev/null || fail "the rule's summary does not count 2 reported"
for v in ada.byron@example.org alan@example.com "AB 12 34 56 C" grace@example.net; do
  ! grep -qF "$v" "$T/plan.json" || fail "the plan holds a value in full: $v"
done
got=$(jq -r '.items[] | select(.rule == "notes-with-addresses") | "\(.decision) \(.path)"' "$T/plan.json")
[[ $got == "delete minutes.txt" ]] || fail "notes-with-addresses plans: $got"

run text "$LETHE" plan -c "$D/lethe.ini"
expect_in text "report 2 items (never deleted)"
expect_in text "holds email 2"
# A report has no period: no "retain 0 days", no "+ 0 days" arithmetic;
# the deleting rule keeps both.
expect_in text "  clock mtime, action report"
! grep -q 'retain 0\|+ 0 days' "$T/text.out" || fail "a report shows a period it does not have"
expect_in text "retain 30 days, clock mtime, action unlink"

run keygen "$LETHE" keygen -c "$D/lethe.ini"
run apply "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 apply
[[ ! -e $S/Notes/minutes.txt ]] || fail "the note with an address was not deleted"
[[ -f $S/Notes/agenda.txt ]] || fail "the note without one was deleted"
grep -v './Notes/minutes.txt' "$T/before" >"$T/expected"
cmp -s <(sums) "$T/expected" || fail "lethe run touched a reported file:
$(diff <(sums) "$T/expected")"
note "ok"

#!/bin/bash
# lethe check on the settings of notices before deletion: every problem
# is FILE:LINE: and exit 2 -- an address that is not one, notify without
# a grace (nothing would ever enter grace), notify-column without an
# events clock or without that column, notify with no [smtp] in lethe.ini,
# an [smtp] without 'from', a credentials file others can read (whose
# content is never printed). A bad address inside the events CSV is a
# warning at its line. No server is needed.
. "$(dirname "$0")/lib.sh"
tmp_setup notify
PASS=pw-Lethe-check-91af
D=$T/site
mkdir -p "$D/rules.d" "$D/share/Acme"
printf '%s\n' "$PASS" >"$D/smtp.secret"
chmod 600 "$D/smtp.secret"
smtp_section='[smtp]
url = smtps://mail.example.org
from = lethe@example.org
user = lethe@example.org
credentials = smtp.secret'
printf '[agent]\nrules = rules.d\nstate = state\n\n%s\n' "$smtp_section" >"$D/lethe.ini"
printf 'client,last_invoice,owner\nAcme,2025-01-01,pm@example.org\nBeta,2025-01-01,pm at beta\n' \
  >"$D/clients.csv"
rules() { printf '%s\n' "$@" >"$D/rules.d/r.ini"; }
check() { run "$1" "$LETHE" check -c "$D/lethe.ini"; }
base=("[rule r]" "source = file://$D/share" "retain = 30 days" "action = unlink")

# valid: two addresses and an owner column (the CSV's bad cell a warning)
rules "${base[@]}" "grace = 14 days" "notify = a@example.org, b@example.org" \
  "subject = */" "clock = events:../clients.csv" "notify-column = owner"
check ok
expect_rc 0 ok
expect_in ok "clients.csv:3: warning: 'pm at beta' is not a plain e-mail address"
# the rule's summary says who is told
expect_in ok "notify a@example.org, b@example.org, owners from column owner"

rules "${base[@]}" "grace = 14 days" "notify = it@example.org, not an address"
check badaddr
expect_rc 2 badaddr
expect_in badaddr "rules.d/r.ini:6: notify 'not an address': not a plain e-mail address"

rules "${base[@]}" "notify = it@example.org"
check nograce
expect_rc 2 nograce
expect_in nograce "rules.d/r.ini:5: [rule r]: notify needs a 'grace'"

rules "${base[@]}" "grace = 14 days" "notify-column = owner"
check noevents
expect_rc 2 noevents
expect_in noevents "rules.d/r.ini:6: [rule r]: notify-column names a column of the events CSV"

rules "${base[@]}" "grace = 14 days" "subject = */" "clock = events:../clients.csv" \
  "notify-column = manager"
check nocolumn
expect_rc 2 nocolumn
expect_in nocolumn "clients.csv:1: notify-column 'manager': no such column"

rules "${base[@]}" "grace = 14 days" "notify = it@example.org"
printf '[agent]\nrules = rules.d\nstate = state\n' >"$D/lethe.ini"
check nosmtp
expect_rc 2 nosmtp
expect_in nosmtp "rules.d/r.ini:6: [rule r]: notify needs an [smtp] section in"

printf '[agent]\nrules = rules.d\nstate = state\n\n%s\n' "${smtp_section/from = lethe@example.org
/}" >"$D/lethe.ini"
check nofrom
expect_rc 2 nofrom
expect_in nofrom "lethe.ini:5: [smtp] needs 'from', a plain e-mail address"

printf '[agent]\nrules = rules.d\nstate = state\n\n%s\n' "$smtp_section" >"$D/lethe.ini"
chmod 644 "$D/smtp.secret"
check unsafe
expect_rc 2 unsafe
expect_in unsafe "lethe.ini:9: credentials: "
expect_in unsafe "accessible by group or others"
! grep -rqF "$PASS" "$T"/*.out "$T"/*.err || fail "the SMTP password was printed"
note "notify settings checked with FILE:LINE"

#!/bin/bash
# Notices before deletion, against a real SMTP server on 127.0.0.1
# (aiosmtpd) that requires STARTTLS under a test CA and a password.
#
# lethe run e-mails each rule's items entering their grace period: to the
# rule's notify address, and per subject to the owner the events CSV names
# (notify-column); one message per address per run, the items listed with
# the date each may be deleted, and the plan's HTML report attached. A
# second run sends nothing new; an item whose grace began later, or whose
# clock moved, gets its own notice; a send refused (server down) records
# nothing, fails the run (exit 1) without stopping its deletions, and the
# next run sends; lethe plan sends nothing and writes no state; the SMTP
# password is in no output and no state.
. "$(dirname "$0")/lib.sh"
tmp_setup notify
for tool in git ssh-keygen; do
  command -v "$tool" >/dev/null || skip "$tool is required"
done
PASS=pw-Lethe-notice-7c2d
smtp_start lethe@example.org "$PASS"

D=$T/site
mkdir -p "$D/rules.d" "$D/state" "$D/rec/Acme/0 Confidential" "$D/rec/Beta" \
  "$D/clients/Acme" "$D/clients/Gamma" "$D/clients/Delta"
printf '%s\n' "$PASS" >"$D/smtp.secret"
chmod 600 "$D/smtp.secret"
write_ini() {
  cat >"$D/lethe.ini" <<EOF2
[agent]
rules = rules.d
state = state
key = signing.key

[smtp]
url = smtp://127.0.0.1:$SMTP_PORT
from = lethe@example.org
user = lethe@example.org
credentials = smtp.secret
ca = $T/tls/ca.pem
EOF2
}
write_ini
cat >"$D/rules.d/notices.ini" <<EOF2
[rule recordings]
description = Teams and Zoom recordings
basis = Imparta Data Protection Policy, Annex 2: recordings deleted after 180 days
source = file://$D/rec
select = **/*.mp4
except = */0 Confidential/**
retain = 160 days
grace = 20 days
action = unlink
notify = it@example.org

[rule clients]
description = Client folders of clients with no invoice for 12 months
basis = Imparta Data Protection Policy 3.1.5
source = file://$D/clients
subject = */
clock = events:../clients.csv
retain = 12 months
grace = 60 days
action = unlink
notify-column = owner
EOF2
cat >"$D/clients.csv" <<EOF2
client,last_invoice,owner
Acme,$(date -u -d '-12 months -10 days' +%Y-%m-%d),pm.acme@example.org
Gamma,$(date -u -d '-12 months -5 days' +%Y-%m-%d),
Delta,$(date -u -d '-3 months' +%Y-%m-%d),pm.delta@example.org
EOF2
mk() { # mk PATH DAYS-AGO
  mkdir -p "$(dirname "$D/$1")"
  printf 'content of %s\n' "$1" >"$D/$1"
  touch -d "$(ago "$2")" "$D/$1"
}
mk rec/Acme/weekly-1.mp4 165          # in grace (expired 5 days ago)
mk rec/Acme/weekly-2.mp4 100          # not due yet
mk rec/Beta/kickoff.mp4 200           # past its grace: deleted
mk "rec/Acme/0 Confidential/kept.mp4" 300   # moved into 0 Confidential: never selected
mk clients/Acme/report.docx 10        # in grace by the events date
mk clients/Acme/notes.txt 10
mk clients/Gamma/list.xlsx 10         # in grace, no owner: a warning
mk clients/Delta/plan.docx 10         # not due

run keygen "$LETHE" keygen -c "$D/lethe.ini"
expect_rc 0 keygen
run check "$LETHE" check -c "$D/lethe.ini"
expect_rc 0 check
state_sum() { find "$D/state/notices" -type f -exec sha256sum {} + 2>/dev/null | sort; }

# lethe plan is a dry run: it sends nothing and writes no notice state
run plan "$LETHE" plan -c "$D/lethe.ini" --format json
expect_rc 0 plan
[[ $(mail_count) == 0 && ! -e $D/state/notices ]] || fail "lethe plan sent mail or wrote state"

# the first run: the recordings' address and Acme's owner, once each
run first "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 first
[[ ! -e $D/rec/Beta/kickoff.mp4 ]] || fail "the recording past its grace was not deleted"
[[ -e $D/rec/Acme/weekly-1.mp4 ]] || fail "a recording in grace was deleted"
[[ $(mail_count) == 2 && $(mails_for it@example.org | wc -l) == 1 &&
   $(mails_for pm.acme@example.org | wc -l) == 1 ]] ||
  fail "first run: $(grep -h X-Envelope "$T"/mail/*.eml)"
expect_in first "notice sent to it@example.org: 1 item entering grace, HTML report attached"
expect_in first "notice sent to pm.acme@example.org: 2 items entering grace"
expect_in first "1 item entering grace has no owner in the events file"
mail_parts "$(mails_for it@example.org)" >"$T/it1.txt" || fail "not a well-formed message"
grep -q '^Subject: Notice before deletion: 1 item may be deleted from ' "$T/it1.txt" ||
  fail "subject: $(head -1 "$T/it1.txt")"
grep -q '^Rule recordings: Teams and Zoom recordings$' "$T/it1.txt" || fail "no rule line"
grep -q '^  Basis:  Imparta Data Protection Policy, Annex 2' "$T/it1.txt" || fail "no basis"
due=$(date -u -d "$(ago 165) + 180 days" +%Y-%m-%d)
grep -q "^  $due [0-9:]* UTC .* Acme/weekly-1.mp4$" "$T/it1.txt" ||
  fail "no item line due $due: $(cat "$T/it1.txt")"
! grep -q -e weekly-2 -e kickoff -e kept.mp4 "$T/it1.txt" || fail "items not in grace listed"
grep -q '^ATTACHMENT plan.html text/html$' "$T/it1.txt" || fail "no HTML report attached"
grep -q '<td class="grace">grace</td><td class="path">Acme/weekly-1.mp4</td>' "$T/it1.txt" ||
  fail "the attached report does not list the item"
# worded for the owner: no dry-run heading, no commands to run
grep -q '<h1>Notice before deletion</h1>' "$T/it1.txt" || fail "the report is not headed as a notice"
! grep -q -e 'dry run' -e 'lethe apply' "$T/it1.txt" ||
  fail "the notice's report speaks to the admin: $(grep -e 'dry run' -e 'lethe apply' "$T/it1.txt")"
mail_parts "$(mails_for pm.acme@example.org)" >"$T/acme1.txt" || fail "not well-formed"
grep -q 'Acme/report.docx$' "$T/acme1.txt" && grep -q 'Acme/notes.txt$' "$T/acme1.txt" ||
  fail "Acme's owner was not told of Acme's files"
! grep -q -e Gamma -e Delta -e weekly "$T/acme1.txt" || fail "Acme's owner told of others' files"
grep -q -F "pm.acme@example.org" "$D/state/notices/sent" || fail "nothing recorded"

# the same again: nothing new is sent
run second "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 second
[[ $(mail_count) == 2 ]] || fail "notices sent twice"
expect_in second "notices: 0 sent (0 item notices), 0 failed, 3 already sent"

# a recording whose grace began later, and one whose clock moved: new notices
touch -d "$(ago 162)" "$D/rec/Acme/weekly-2.mp4"
touch -d "$(ago 170)" "$D/rec/Acme/weekly-1.mp4"
run third "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 third
[[ $(mails_for it@example.org | wc -l) == 2 && $(mail_count) == 3 ]] ||
  fail "third run: $(grep -h X-Envelope "$T"/mail/*.eml)"
mail_parts "$(mails_for it@example.org | tail -1)" >"$T/it2.txt" || fail "not well-formed"
grep -q 'Acme/weekly-2.mp4$' "$T/it2.txt" && grep -q 'Acme/weekly-1.mp4$' "$T/it2.txt" ||
  fail "the later and the moved item are not both in the new notice: $(cat "$T/it2.txt")"

# the server is down: the run still deletes, fails with exit 1, records nothing
smtp_stop
mk rec/Acme/weekly-3.mp4 161
mk rec/Beta/retro.mp4 190
state_sum >"$T/state.before"
run down "$LETHE" run -c "$D/lethe.ini"
expect_rc 1 down
expect_in down "notice to it@example.org (1 item entering grace) not sent: "
expect_in down "the next run tries again"
[[ ! -e $D/rec/Beta/retro.mp4 ]] || fail "a failed notice stopped a deletion"
state_sum | cmp -s - "$T/state.before" || fail "a notice not sent changed the state"

# back up (on another port): the next run sends it
smtp_start lethe@example.org "$PASS"
write_ini
run back "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 back
[[ $(mails_for it@example.org | wc -l) == 3 && $(mail_count) == 4 ]] ||
  fail "the notice was not sent once the server was back"
mail_parts "$(mails_for it@example.org | tail -1)" | has 'Acme/weekly-3.mp4$' ||
  fail "the retried notice does not list weekly-3"

# lethe plan with an item newly in grace: still nothing sent or written
mk rec/Acme/weekly-4.mp4 161
state_sum >"$T/state.before"
run plan2 "$LETHE" plan -c "$D/lethe.ini"
expect_rc 0 plan2
grep -q 'weekly-4.mp4' "$T/plan2.out" || fail "the plan does not show the new item"
[[ $(mail_count) == 4 ]] || fail "lethe plan sent a notice"
state_sum | cmp -s - "$T/state.before" || fail "lethe plan changed the notice state"

# the password is in no output, no log of the server's, no state
! grep -rqF "$PASS" "$T"/*.out "$T"/*.err "$D/state" || fail "the SMTP password was printed"
note "$(mail_count) notices over STARTTLS, each item once per due date"

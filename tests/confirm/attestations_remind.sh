#!/bin/bash
# lethe attestations --remind, against a real SMTP server on 127.0.0.1
# (aiosmtpd) that requires STARTTLS (a certificate from a test CA) and a
# password: the overdue member and the data protection officer get one
# message each, once per period; the trainer who confirmed gets one when
# their next confirmation comes due, and the officer one when it is past.
# A server whose certificate the CA did not sign gets nothing (and nothing
# is recorded as sent); a credentials file others can read is refused;
# the password is never printed.
. "$(dirname "$0")/lib.sh"
setup_tmp
PASS=pw-Lethe-smtp-4b1e
smtp_start lethe@example.org "$PASS"
make_trainer "Ada Trainer" ada@example.org
run ada "$LETHE" confirm --yes
expect_rc 0 ada
ssh-keygen -q -t ed25519 -N '' -C bob -f "$T/bob" || fail "ssh-keygen"
cat >"$T/roster.csv" <<EOF2
name,email,key,cadence
Ada Trainer,ada@example.org,$(key_line "$HOME/.config/lethe/signing.key.pub"),6 months
Bob Faculty,bob@example.org,$(key_line "$T/bob.pub"),6 months
EOF2
printf '%s\n' "$PASS" >"$T/smtp.secret"
chmod 600 "$T/smtp.secret"
cat >"$T/attestations.ini" <<EOF2
[attestations]
ledger = central.git
roster = roster.csv
state = state
remind-within = 14 days
dpo = dpo@example.org

[smtp]
url = smtp://127.0.0.1:$SMTP_PORT
from = lethe@example.org
user = lethe@example.org
credentials = smtp.secret
ca = tls/ca.pem
EOF2
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
remind() { run "$1" "$LETHE" attestations -c "$T/attestations.ini" --remind --now "$2"; }
count() { ls "$T"/mail/*.eml 2>/dev/null | wc -l; }

# a server with a certificate no trusted CA signed: nothing sent, nothing recorded
sed 's|^ca = .*|ca = /etc/ssl/certs/ca-certificates.crt|' "$T/attestations.ini" >"$T/wrong-ca.ini"
run wrongca "$LETHE" attestations -c "$T/wrong-ca.ini" --remind
expect_rc 1 wrongca
expect_in wrongca "reminder to bob@example.org not sent"
[[ $(count) == 0 ]] || fail "a message went to a server whose certificate is not trusted"

# now: Bob never confirmed: he and the DPO are told; Ada is current
NOW=$(at now)
remind first "$NOW"
expect_rc 1 first
expect_in first "reminded bob@example.org (overdue)"
expect_in first "told dpo@example.org who is overdue"
[[ $(mails_to bob@example.org) == 1 && $(mails_to dpo@example.org) == 1 &&
   $(mails_to ada@example.org) == 0 ]] || fail "first reminders: $(grep -h X-Envelope "$T"/mail/*.eml)"
grep -q '^Subject: Overdue: Please confirm that you hold no personal data' "$T"/mail/*.eml ||
  fail "no overdue subject"
grep -l 'X-Envelope-To: dpo@' "$T"/mail/*.eml | xargs grep -q '  Bob Faculty <bob@example.org>: never confirmed' ||
  fail "the DPO's message does not name Bob"
grep -l 'X-Envelope-To: bob@' "$T"/mail/*.eml | xargs grep -q '^To: "Bob Faculty" <bob@example.org>' ||
  fail "Bob's message is not addressed to him"

# the same day again: once per period
remind second "$NOW"
[[ $(count) == 2 ]] || fail "reminders sent twice in one period"
expect_in second "0 sent, 0 failed, 2 already sent this period"

# Ada's next confirmation comes due within 14 days: she is reminded, once
SOON=$(at '+6 months -10 days')
remind soon "$SOON"
[[ $(mails_to ada@example.org) == 1 && $(count) == 3 ]] || fail "Ada was not reminded once"
remind soon2 "$SOON"
[[ $(count) == 3 ]] || fail "Ada reminded twice"

# past it: the DPO is told of Ada; Ada already had this period's reminder
remind late "$(at '+7 months')"
[[ $(mails_to dpo@example.org) == 2 && $(mails_to ada@example.org) == 1 && $(count) == 4 ]] ||
  fail "after Ada's due date: $(grep -h X-Envelope "$T"/mail/*.eml)"
grep -l 'X-Envelope-To: dpo@' "$T"/mail/*.eml | tail -1 | xargs grep -q 'Ada Trainer <ada@example.org>: last confirmed' ||
  fail "the DPO's second message does not name Ada"
! grep -l 'X-Envelope-To: dpo@' "$T"/mail/*.eml | tail -1 | xargs grep -q 'Bob Faculty' ||
  fail "the DPO was told of Bob twice in one period"

# a password file others can read is refused
chmod 644 "$T/smtp.secret"
rm -r "$T/state"   # so that reminders are due again
remind unsafe "$(at '+8 months')"
expect_rc 1 unsafe
expect_in unsafe "accessible by group or others"
! grep -rqF "$PASS" "$T"/*.out "$T"/*.err || fail "the SMTP password was printed"
note "$(count) messages over STARTTLS with a test CA, each once per period"

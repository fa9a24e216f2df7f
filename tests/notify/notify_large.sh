#!/bin/bash
# A notice too large to attach its HTML report, to an owner who is also a
# notify address: one message, each item listed once, no attachment, and
# the body says why (the report is over the 2 MiB a notice attaches).
. "$(dirname "$0")/lib.sh"
tmp_setup notify
PASS=pw-Lethe-large-5e0a
smtp_start lethe@example.org "$PASS"
D=$T/site
N=9000
mkdir -p "$D/rules.d" "$D/share/Big"
printf '%s\n' "$PASS" >"$D/smtp.secret"
chmod 600 "$D/smtp.secret"
cat >"$D/lethe.ini" <<EOF2
[agent]
rules = rules.d
state = state
certificates = may-wait

[smtp]
url = smtp://127.0.0.1:$SMTP_PORT
from = lethe@example.org
user = lethe@example.org
credentials = smtp.secret
ca = $T/tls/ca.pem
EOF2
printf 'client,last invoice,owner\nBig,%s,IT@Example.org\n' \
  "$(date -u -d '-12 months -3 days' +%Y-%m-%d)" >"$D/clients.csv"
cat >"$D/rules.d/big.ini" <<EOF2
[rule big]
source = file://$D/share
subject = */
clock = events:../clients.csv
retain = 12 months
grace = 30 days
action = unlink
notify = it@example.org
notify-column = owner
EOF2
(cd "$D/share/Big" && seq -f 'a-long-name-for-a-recording-of-a-workshop-%05g.mp4' 1 $N |
  xargs touch) || fail "cannot make $N files"

run big "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 big
expect_in big "notice sent to it@example.org: $N items entering grace, HTML report too large to attach"
[[ $(mail_count) == 1 ]] || fail "$(mail_count) messages, expected one"
mail_parts "$T/mail/001.eml" >"$T/big.txt" || fail "not a well-formed message"
[[ $(grep -c 'Big/a-long-name-for-a-recording-of-a-workshop-.*\.mp4$' "$T/big.txt") == "$N" ]] ||
  fail "not every item listed once"
! grep -q '^ATTACHMENT' "$T/big.txt" || fail "a report over the limit was attached"
grep -q 'larger than the 2097152 bytes a notice' "$T/big.txt" || fail "the body does not say why"
note "$N items in one notice, the report left out"

#!/bin/bash
# lethe plan on a real Dovecot: exactly the messages older than the period
# are planned, to the second in UTC (1 s either side of the cutoff, dates
# whose zone puts them on another calendar day), with either clock; a
# message with the hold keyword is held; folder names in modified UTF-7
# work; and the plan changes no flag, \Seen included (DESIGN.md invariant 1).
source "$(dirname "$0")/lib.sh"
setup_tmp
dovecot_start

# now 2026-11-22T12:00:00Z, retain 12 months: due iff clock <= 2025-11-22T12:00:00Z
M=$T/msg
mkdir -p "$M"
message "$M/1" '<m1@example.org>' 'Sat, 22 Nov 2025 11:59:59 +0000'
peer >"$T/seed.out" <<EOS || fail "seeding failed: $(cat "$T/seed.out")"
CREATE "Support"
$(append Support '\Seen' '22-Nov-2025 11:59:59 +0000' "$M/1")
$(append Support '' '22-Nov-2025 12:00:00 +0000' "$M/1")
$(append Support '\Seen' '22-Nov-2025 12:00:01 +0000' "$M/1")
$(append Support '\Answered' '23-Nov-2025 01:30:00 +1400' "$M/1")
$(append Support '' '21-Nov-2025 23:00:00 -1200' "$M/1")
$(append Support '\Flagged' '22-Nov-2025 02:00:01 -1000' "$M/1")
$(append Support '$LetheHold \Seen' '01-Jan-2020 00:00:00 +0000' "$M/1")
$(append Support '' '01-Jan-2026 00:00:00 +0000' "$M/1")
$(append Support '\Seen \Flagged $Label1' '01-Jan-2021 08:00:00 +0100' "$M/1")
EOS
# UIDs 1..9 in that order.
expected_internal="delete 1
delete 2
delete 4
delete 5
held 7
delete 9"

# sentdate: the Date: header decides; every INTERNALDATE is recent, so a
# narrowing by INTERNALDATE would find none of them.
message "$M/s1" '<s1@example.org>' 'Sat, 22 Nov 2025 11:59:59 +0000'
message "$M/s2" '<s2@example.org>' 'Sat, 22 Nov 2025 12:00:01 +0000'
message "$M/s3" '<s3@example.org>' 'Sun, 23 Nov 2025 01:30:00 +1400 (LINT)'
message "$M/s4" '<s4@example.org>' 'Sat, 22 Nov 2025 02:00:01 -1000'
message "$M/s5" '<s5@example.org>' 'Fri, 21 Nov 2025 23:59:59 -1200'
message "$M/s6" '<s6@example.org>' 'sometime last year'
peer >"$T/seed2.out" <<EOS || fail "seeding failed: $(cat "$T/seed2.out")"
CREATE "Entw&APw-rfe"
$(append 'Entw&APw-rfe' '' '01-Nov-2026 00:00:00 +0000' "$M/s1")
$(append 'Entw&APw-rfe' '' '01-Nov-2026 00:00:00 +0000' "$M/s2")
$(append 'Entw&APw-rfe' '' '01-Nov-2026 00:00:00 +0000' "$M/s3")
$(append 'Entw&APw-rfe' '' '01-Nov-2026 00:00:00 +0000' "$M/s4")
$(append 'Entw&APw-rfe' '' '01-Nov-2026 00:00:00 +0000' "$M/s5")
$(append 'Entw&APw-rfe' '' '01-Nov-2026 00:00:00 +0000' "$M/s6")
CREATE "4, Dormant Clients"
$(append '4, Dormant Clients' '' '22-May-2026 12:00:00 +0000' "$M/1")
CREATE "&ZeVnLIqe-"
$(append '&ZeVnLIqe-' '' '01-Jan-2024 00:00:00 +0000' "$M/1")
EOS
# Sparse UIDs (UIDNEXT far above the message count): windows come from the
# folder's own UIDs instead.
peer >"$T/seed3.out" <<EOS || fail "seeding failed: $(cat "$T/seed3.out")"
CREATE "Sparse"
$(append Sparse '' '01-Jan-2020 00:00:00 +0000' "$M/1")
EOS
doveadm -c "$DOVECOT_DIR/dovecot.conf" mailbox update -u "$IMAP_USER" --min-next-uid 3000000000 \
  Sparse 2>"$T/doveadm.err" || fail "doveadm mailbox update failed: $(cat "$T/doveadm.err")"
peer >"$T/seed4.out" <<EOS || fail "seeding failed: $(cat "$T/seed4.out")"
$(append Sparse '' '01-Jan-2020 00:00:00 +0000' "$M/1")
$(append Sparse '' '01-Nov-2026 00:00:00 +0000' "$M/1")
EOS
expected_sparse="delete 1
delete 3000000000"

expected_sent="delete 1
delete 3
delete 5
skip 6"

D=$T/lethe
write_imap_config "$D"
{
  printf '[rule support]\nsource = %s\nretain = 12 months\n' "$(source_uri Support)"
  printf 'action = expunge\ncredentials = ../imap.secret\ntls = none\n\n'
  printf '[rule drafts]\nsource = %s\nclock = sentdate\n' "$(source_uri Entw%C3%BCrfe)"
  printf 'retain = 12 months\naction = expunge\ncredentials = ../imap.secret\ntls = none\n\n'
  printf '[rule dormant]\nsource = %s\nretain = 0\n' "$(source_uri 4,%20Dormant%20Clients)"
  printf 'every = 6 months\naction = expunge\ncredentials = ../imap.secret\ntls = none\n\n'
  printf '[rule japanese]\nsource = %s\n' "$(source_uri %E6%97%A5%E6%9C%AC%E8%AA%9E)"
  printf 'retain = 12 months\naction = expunge\ncredentials = ../imap.secret\ntls = none\n\n'
  printf '[rule sparse]\nsource = %s\n' "$(source_uri Sparse)"
  printf 'retain = 12 months\naction = expunge\ncredentials = ../imap.secret\ntls = none\n'
} >"$D/rules.d/mail.ini"

folders=(Support 'Entw&APw-rfe' '4, Dormant Clients' '&ZeVnLIqe-' Sparse)
for f in "${folders[@]}"; do flags "$f"; done >"$T/flags.before"
[[ -s $T/flags.before ]] || fail "no flags read before the plan"

run check "$LETHE" check -c "$D/lethe.ini"
expect_rc 0 check
run plan "$LETHE" plan -c "$D/lethe.ini" --now "$FIXED_NOW" --format json -o "$T/plan.json"
expect_rc 0 plan
json_ok "$T/plan.json" plan

decisions() {
  jq -r --arg r "$1" '.items[] | select(.rule == $r) |
    "\(.decision) \(.identity | sub(".* uid="; ""))"' "$T/plan.json" | sort -k2n
}
got=$(decisions support)
[[ $got == "$expected_internal" ]] || fail "support: planned
$got
expected
$expected_internal"
got=$(decisions sparse)
[[ $got == "$expected_sparse" ]] || fail "sparse: planned
$got
expected
$expected_sparse"
got=$(decisions drafts)
[[ $got == "$expected_sent" ]] || fail "drafts (sentdate): planned
$got
expected
$expected_sent"
jq -e '.items[] | select(.rule == "drafts" and .decision == "skip") | .reason |
  test("clock unreadable")' "$T/plan.json" >/dev/null ||
  fail "the message without a readable Date: is not skipped with a reason"
jq -e '[.items[] | select(.rule == "dormant" and .decision == "delete")] | length == 1' \
  "$T/plan.json" >/dev/null || fail "retain = 0 does not plan the dormant folder's message"
jq -e '[.items[] | select(.rule == "japanese" and .decision == "delete")] | length == 1' \
  "$T/plan.json" >/dev/null || fail "the folder 日本語 was not planned"

# The held message says why; the URIs name folder, UIDVALIDITY and UID.
jq -e '.items[] | select(.rule == "support" and .decision == "held") | .reason |
  test("IMAP keyword [$]LetheHold")' "$T/plan.json" >/dev/null ||
  fail "held message lacks its reason"
u="$(source_uri Support);UIDVALIDITY=$(uidvalidity Support)/;UID=1"
jq -e --arg u "$u" '.items[] | select(.uri == $u)' "$T/plan.json" >/dev/null ||
  fail "no item with URI $u"
u="$(source_uri Entw%C3%BCrfe);UIDVALIDITY=$(uidvalidity 'Entw&APw-rfe')/;UID=1"
jq -e --arg u "$u" '.items[] | select(.uri == $u)' "$T/plan.json" >/dev/null ||
  fail "no item with URI $u (the folder as percent-encoded UTF-8)"
jq -e '.rules[] | select(.name == "support") | .summary.source_items == 9' "$T/plan.json" \
  >/dev/null || fail "the support folder's 9 messages are not counted as the source's items"

# Nothing changed: every flag of every message, \Seen included.
for f in "${folders[@]}"; do flags "$f"; done >"$T/flags.after"
diff -u "$T/flags.before" "$T/flags.after" >&2 || fail "lethe plan changed message flags"
grep -q '^1 \\Seen$' "$T/flags.after" || fail "flag snapshot does not show \\Seen on UID 1"
grep -q '^3 \\Seen$' "$T/flags.after" || fail "flag snapshot does not show \\Seen on UID 3"
grep -q '^2$' "$T/flags.after" || fail "an unseen message gained a flag"

# Secrets: a group-readable credentials file is refused, and never printed.
chmod 640 "$D/imap.secret"
run plan2 "$LETHE" plan -c "$D/lethe.ini" --now "$FIXED_NOW" --rule support
[[ $RC != 0 ]] || fail "a group-readable credentials file was accepted"
grep -q "group or others" "$T/plan2.out" "$T/plan2.err" ||
  fail "no clear error for a group-readable credentials file"
! grep -q "$IMAP_PASS" "$T/plan2.out" "$T/plan2.err" || fail "the password was printed"
printf 'wrong-password\n' >"$D/imap.secret"
chmod 600 "$D/imap.secret"
run plan3 "$LETHE" plan -c "$D/lethe.ini" --now "$FIXED_NOW" --rule support
[[ $RC != 0 ]] || fail "a wrong password was accepted"
grep -qi "refused" "$T/plan3.out" "$T/plan3.err" || fail "no clear error for a wrong password"
! grep -q wrong-password "$T/plan3.out" "$T/plan3.err" || fail "the wrong password was printed"

# tls = none is for loopback servers only.
sed -i 's|^source = imap://user%40example.org@127.0.0.1:[0-9]*/Support$|source = imap://u@mail.example.org/Support|' \
  "$D/rules.d/mail.ini"
run check2 "$LETHE" check -c "$D/lethe.ini"
expect_rc 2 check2
grep -q "tls = none is only" "$T/check2.out" "$T/check2.err" ||
  fail "tls = none accepted for a remote host"
note "ok"

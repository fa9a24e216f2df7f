#!/bin/bash
# A server without UIDPLUS (Dovecot told to announce only IMAP4rev1): the
# expunge plugin refuses, deleting nothing, unless the rule allows the RFC
# 4549 4.2.4 workaround; with it, the planned messages go and a message
# another session flagged \Deleted survives, its flag restored.
source "$(dirname "$0")/lib.sh"
setup_tmp
[[ -n ${EXPUNGE_SO:-} ]] || skip "the expunge plugin is not built"
DOVECOT_EXTRA_CONF='imap_capability = IMAP4rev1 LITERAL+ SASL-IR IDLE'
dovecot_start

M=$T/msg
mkdir -p "$M"
message "$M/1" '<n1@example.org>' 'Sat, 22 Nov 2025 11:59:59 +0000'
old='01-Mar-2025 10:00:00 +0000'
peer >"$T/seed.out" <<EOS || fail "seeding failed: $(cat "$T/seed.out")"
CREATE "Plain"
$(append Plain '' "$old" "$M/1")
$(append Plain '' "$old" "$M/1")
$(append Plain '' '01-Nov-2026 10:00:00 +0000' "$M/1")
EOS
D=$T/lethe
write_imap_config "$D"
printf '[rule plain]\nsource = %s\nretain = 12 months\naction = expunge\ncredentials = ../imap.secret\ntls = none\n' \
  "$(source_uri Plain)" >"$D/rules.d/mail.ini"
run plan "$LETHE" plan -c "$D/lethe.ini" --now "$FIXED_NOW" --format json -o "$T/plan.json"
expect_rc 0 plan
mapfile -t ids < <(jq -r '.items[] | select(.decision == "delete") | .identity' "$T/plan.json")
[[ ${#ids[@]} == 2 ]] || fail "expected 2 planned deletions, got ${#ids[@]}"
# another session marks the recent message 3 and leaves it
printf 'SELECT "Plain"\nUID STORE 3 +FLAGS.SILENT (\\Deleted)\n' | peer >/dev/null ||
  fail "could not flag message 3"

settings=(-s "credentials=$D/imap.secret" -s tls=none)
run refuse "$IMAP_DRIVER" messages -S "$(source_uri Plain)" "${settings[@]}" "$EXPUNGE_SO" "${ids[@]}"
expect_rc 0 refuse
[[ $(grep -c ' skipped none | .*lacks UIDPLUS.*allow-no-uidplus' "$T/refuse.out") == 2 ]] ||
  fail "without UIDPLUS: $(cat "$T/refuse.out")"
[[ $(uids Plain | tr '\n' ' ') == "1 2 3 " ]] || fail "something was deleted without UIDPLUS"

run allow "$IMAP_DRIVER" messages -S "$(source_uri Plain)" "${settings[@]}" -s allow-no-uidplus=yes \
  "$EXPUNGE_SO" "${ids[@]}"
expect_rc 0 allow
[[ $(grep -c ' deleted logical-delete | ' "$T/allow.out") == 2 ]] ||
  fail "with allow-no-uidplus: $(cat "$T/allow.out")"
[[ $(uids Plain | tr '\n' ' ') == "3 " ]] || fail "Plain holds $(uids Plain | tr '\n' ' '), expected 3"
flags Plain | has -x '3 \\Deleted' || fail "message 3 lost the \\Deleted another session set"
note "ok"

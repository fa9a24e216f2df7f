#!/bin/bash
# The expunge plugin against a real Dovecot, driven as the host will drive
# it (plugin_tool messages) with the identities lethe plan gave: exactly the planned
# messages go; a message another session flagged \Deleted without
# expunging stays; one held or expunged by someone else after the plan is
# skipped; a recreated folder (new UIDVALIDITY) loses nothing; move-to moves.
source "$(dirname "$0")/lib.sh"
setup_tmp
[[ -n ${EXPUNGE_SO:-} ]] || skip "the expunge plugin is not built"
dovecot_start

M=$T/msg
mkdir -p "$M"
for i in 1 2 3 4 5 6 7 8 9; do
  message "$M/$i" "<m$i@example.org>" 'Sat, 22 Nov 2025 11:59:59 +0000' "Message $i."
done
old='01-Mar-2025 10:00:00 +0000'
peer >"$T/seed.out" <<EOS || fail "seeding failed: $(cat "$T/seed.out")"
CREATE "Support"
$(append Support '' "$old" "$M/1")
$(append Support '' "$old" "$M/2")
$(append Support '\Seen' "$old" "$M/3")
$(append Support '' '01-Nov-2026 10:00:00 +0000' "$M/4")
$(append Support '\Flagged' "$old" "$M/5")
$(append Support '' "$old" "$M/6")
$(append Support '' "$old" "$M/7")
$(append Support '\Deleted' "$old" "$M/8")
$(append Support '$LetheHold' "$old" "$M/9")
CREATE "Recreated"
$(append Recreated '' "$old" "$M/1")
$(append Recreated '' "$old" "$M/2")
CREATE "Moving"
$(append Moving '' "$old" "$M/1")
$(append Moving '' "$old" "$M/2")
CREATE "Trash"
EOS

D=$T/lethe
write_imap_config "$D"
for f in Support Recreated Moving; do
  printf '[rule %s]\nsource = %s\nretain = 12 months\naction = expunge\n' "$f" "$(source_uri "$f")"
  printf 'credentials = ../imap.secret\ntls = none\n\n'
done >"$D/rules.d/mail.ini"
run plan "$LETHE" plan -c "$D/lethe.ini" --now "$FIXED_NOW" --format json -o "$T/plan.json"
expect_rc 0 plan
ids() { jq -r --arg r "$1" '.items[] | select(.rule == $r and .decision == "delete") | .identity' "$T/plan.json"; }
mapfile -t support_ids < <(ids Support)
[[ ${#support_ids[@]} == 7 ]] || fail "expected 7 planned deletions in Support, got ${#support_ids[@]}"

# After the plan, other sessions: flag 4 \Deleted without expunging, put the
# hold keyword on 6, expunge 7.
peer >"$T/others.out" <<EOS || fail "other session failed: $(cat "$T/others.out")"
SELECT "Support"
UID STORE 4 +FLAGS.SILENT (\\Deleted)
UID STORE 6 +FLAGS.SILENT (\$LetheHold)
UID STORE 7 +FLAGS.SILENT (\\Deleted)
UID EXPUNGE 7
UID STORE 4 +FLAGS.SILENT (\\Deleted)
EOS

settings=(-s "credentials=$D/imap.secret" -s tls=none)
run drive "$IMAP_DRIVER" messages -S "$(source_uri Support)" "${settings[@]}" "$EXPUNGE_SO" "${support_ids[@]}"
expect_rc 0 drive
outcome() { awk -v u="$1" '$1 == u' "$T/drive.out"; }
for u in 1 2 3 5 8; do
  line=$(outcome $u)
  [[ $line == "$u deleted logical-delete |"* ]] || fail "UID $u: $line"
  want=$(printf '%s' "<m$u@example.org>" | sha256sum | cut -c1-64)
  [[ $line == *"{\"message_id_sha256\":\"$want\"}" ]] || fail "UID $u: no Message-ID hash $want: $line"
done
[[ $(outcome 6) == "6 skipped none |"*"held"*"\$LetheHold"* ]] || fail "UID 6: $(outcome 6)"
[[ $(outcome 7) == "7 skipped none |"*"no longer in the folder"* ]] || fail "UID 7: $(outcome 7)"
got=$(uids Support | tr '\n' ' ')
[[ $got == "4 6 9 " ]] || fail "Support holds UIDs '$got', expected '4 6 9 '"
flags Support | has -x '4 \\Deleted' || fail "UID 4 lost the \\Deleted another session set"

# A recreated folder: the planned UIDs exist again, but name other messages.
mapfile -t re_ids < <(ids Recreated)
[[ ${#re_ids[@]} == 2 ]] || fail "expected 2 planned deletions in Recreated"
before=$(uidvalidity Recreated)
"$IMAP_DRIVER" messages -S "$(source_uri Recreated)" "${settings[@]}" -w "$T/go" "$EXPUNGE_SO" \
  "${re_ids[@]}" >"$T/re.out" 2>"$T/re.err" &
driver=$!
for ((i = 0; i < 100; i++)); do [[ -e $T/go.ready ]] && break; sleep 0.1; done
[[ -e $T/go.ready ]] || fail "the driver did not open: $(cat "$T/re.err")"
for ((i = 0; i < 30; i++)); do
  peer >"$T/recreate.out" <<EOS || fail "recreating failed: $(cat "$T/recreate.out")"
DELETE "Recreated"
CREATE "Recreated"
$(append Recreated '' "$old" "$M/3")
$(append Recreated '' "$old" "$M/4")
EOS
  [[ $(uidvalidity Recreated) != "$before" ]] && break
  sleep 0.2 # Dovecot takes UIDVALIDITY from the clock: try again a moment later
done
touch "$T/go"
wait $driver || fail "driver failed on the recreated folder: $(cat "$T/re.err")"
[[ $(grep -c ' skipped none | .*UIDVALIDITY.*nothing in it was deleted' "$T/re.out") == 2 ]] ||
  fail "recreated folder: $(cat "$T/re.out")"
[[ $(uids Recreated | tr '\n' ' ') == "1 2 " ]] || fail "the recreated folder lost messages"
run presence "$IMAP_PRESENCE" "$D/lethe.ini" Recreated "${re_ids[@]}"
expect_rc 0 presence
[[ $(grep -c ' renumbered$' "$T/presence.out") == 2 ]] || fail "recreated: $(cat "$T/presence.out")"

# move-to: UID MOVE to Trash, reported as moved, not deleted.
mapfile -t mv_ids < <(ids Moving)
run move "$IMAP_DRIVER" messages -S "$(source_uri Moving)" "${settings[@]}" -s move-to=Trash \
  "$EXPUNGE_SO" "${mv_ids[@]}"
expect_rc 0 move
[[ $(grep -c '^[0-9]* deleted none | moved to folder .Trash' "$T/move.out") == 2 ]] ||
  fail "move-to: $(cat "$T/move.out")"
[[ -z $(uids Moving) && $(uids Trash | wc -l) == 2 ]] || fail "move-to did not move both messages"

# A malformed identity is refused, a bad setting refuses the rule.
run bad "$IMAP_DRIVER" messages -S "$(source_uri Support)" "${settings[@]}" "$EXPUNGE_SO" 'dev=1 ino=2'
grep -q '^1 skipped none | .*not an IMAP message identity' "$T/bad.out" ||
  fail "malformed identity: $(cat "$T/bad.out")"
run bad2 "$IMAP_DRIVER" messages -S "$(source_uri Support)" "${settings[@]}" -s allow-no-uidplus=maybe \
  "$EXPUNGE_SO" "${support_ids[0]}"
expect_rc 3 bad2
run bad3 "$IMAP_DRIVER" messages -S "$(source_uri Nonexistent)" "${settings[@]}" "$EXPUNGE_SO" \
  "${support_ids[0]}"
expect_rc 3 bad3
grep -q "Nonexistent" "$T/bad3.err" || fail "a missing folder is not named: $(cat "$T/bad3.err")"
note "ok"

#!/bin/bash
# A connection cut in the middle of an expunge (a loopback proxy that drops
# it right after forwarding a command): what the server confirmed before the
# cut is DELETED, everything else FAILED, never the other way round; what
# recovery asks (imap_presence) matches the folder; a second run over the
# FAILED ones finishes the job and says which were gone already. Also a cut
# right after UID STORE: nothing is reported deleted.
source "$(dirname "$0")/lib.sh"
setup_tmp
[[ -n ${EXPUNGE_SO:-} ]] || skip "the expunge plugin is not built"
dovecot_start

M=$T/msg
mkdir -p "$M"
message "$M/1" '<cut@example.org>' 'Sat, 22 Nov 2025 11:59:59 +0000'
# 4000 messages, every other one expired: the 2000 planned UIDs (1, 3, 5
# ...) make a UID set too long for one command, so the plugin sends two UID
# STORE and two UID EXPUNGE commands, and the cut falls after the second.
{
  echo 'CREATE "Cut"'
  printf 'APPEND "Cut"'
  for ((i = 0; i < 2000; i++)); do
    printf ' () "01-Mar-2025 10:00:00 +0000" @%s () "01-Nov-2026 10:00:00 +0000" @%s' "$M/1" "$M/1"
  done
  echo
  echo 'CREATE "Store"'
  for ((i = 0; i < 3; i++)); do append Store '' '01-Mar-2025 10:00:00 +0000' "$M/1"; done
} | peer >"$T/seed.out" || fail "seeding failed: $(tail -n 3 "$T/seed.out")"

D=$T/lethe
write_imap_config "$D"
for f in Cut Store; do
  printf '[rule %s]\nsource = %s\nretain = 12 months\naction = expunge\n' "$f" "$(source_uri "$f")"
  printf 'credentials = ../imap.secret\ntls = none\n\n'
done >"$D/rules.d/mail.ini"
run plan "$LETHE" plan -c "$D/lethe.ini" --now "$FIXED_NOW" --format json -o "$T/plan.json"
expect_rc 0 plan
ids() { jq -r --arg r "$1" '.items[] | select(.rule == $r and .decision == "delete") | .identity' "$T/plan.json"; }
mapfile -t cut_ids < <(ids Cut)
[[ ${#cut_ids[@]} == 2000 ]] || fail "expected 2000 planned deletions, got ${#cut_ids[@]}"

# start_proxy PATTERN COUNT: PROXY_PORT relays to Dovecot and cuts there.
start_proxy() {
  rm -f "$T/proxy.port"
  "$CUTPROXY" "$T/proxy.port" "$IMAP_PORT" "$1" "$2" &
  PROXY_PID=$!
  CLEANUP_HOOKS+=("kill $PROXY_PID 2>/dev/null")
  for ((i = 0; i < 50; i++)); do [[ -s $T/proxy.port ]] && break; sleep 0.1; done
  PROXY_PORT=$(cat "$T/proxy.port") || fail "cutproxy did not start"
}
via_proxy() {
  printf 'imap://user%%40example.org@127.0.0.1:%s/%s' "$PROXY_PORT" "$1"
}

settings=(-s "credentials=$D/imap.secret" -s tls=none)
start_proxy "UID EXPUNGE" 2
run cut "$IMAP_DRIVER" messages -S "$(via_proxy Cut)" "${settings[@]}" "$EXPUNGE_SO" "${cut_ids[@]}"
expect_rc 0 cut
kill "$PROXY_PID"
awk '$2 == "deleted" { print $1 }' "$T/cut.out" | sort -n >"$T/deleted"
awk '$2 == "failed" { print $1 }' "$T/cut.out" | sort -n >"$T/failed"
uids Cut >"$T/present"
ndel=$(wc -l <"$T/deleted")
nfail=$(wc -l <"$T/failed")
((ndel > 0 && nfail > 0 && ndel + nfail == 2000)) ||
  fail "expected the first UID EXPUNGE confirmed and the rest unconfirmed, got $ndel deleted and $nfail failed"
[[ -z $(comm -12 "$T/deleted" "$T/present") ]] || fail "messages reported deleted are still there"
grep -v '[02468]$' "$T/present" >"$T/present.planned"
[[ -z $(comm -23 "$T/present.planned" "$T/failed") ]] ||
  fail "planned messages still there are not all reported failed"
[[ $(grep -c '[02468]$' "$T/present") == 2000 ]] || fail "a message that was not planned is gone"
grep -q 'failed none | .*not confirmed deleted: .*closed the connection; the next run checks' \
  "$T/cut.out" || fail "no clear reason for the unconfirmed messages: $(grep failed "$T/cut.out" | head -n 1)"
note "cut after the second UID EXPUNGE: $ndel deleted, $nfail unconfirmed, $(wc -l <"$T/present.planned") of them still there"

# What recovery sees: every confirmed one gone, every unconfirmed one
# present exactly when it is still in the folder.
mapfile -t failed_ids < <(grep -f <(sed 's/.*/ uid=&$/' "$T/failed") <(printf '%s\n' "${cut_ids[@]}"))
run presence "$IMAP_PRESENCE" "$D/lethe.ini" Cut "${cut_ids[0]}" "${failed_ids[@]}" 'not an identity'
expect_rc 0 presence
[[ $(head -n 1 "$T/presence.out") == "${cut_ids[0]} gone" ]] || fail "presence of UID 1: $(head -n 1 "$T/presence.out")"
[[ $(tail -n 1 "$T/presence.out") == "not an identity malformed" ]] || fail "malformed identity"
[[ $(grep -c ' present$' "$T/presence.out") == $(wc -l <"$T/present.planned") ]] ||
  fail "presence says $(grep -c ' present$' "$T/presence.out") present, the folder holds $(wc -l <"$T/present.planned")"

# The next run: the unconfirmed ones are deleted or found gone already.
again=("${failed_ids[@]}")
[[ ${#again[@]} == "$nfail" ]] || fail "could not pick the $nfail unconfirmed identities"
run again "$IMAP_DRIVER" messages -S "$(source_uri Cut)" "${settings[@]}" "$EXPUNGE_SO" "${again[@]}"
expect_rc 0 again
[[ $(uids Cut | grep -vc '[02468]$') == 0 ]] || fail "the second run left planned messages in Cut"
[[ $(grep -c -e ' deleted logical-delete ' -e ' skipped none | .*no longer in the folder' \
  "$T/again.out") == "$nfail" ]] || fail "second run: $(sort "$T/again.out" | uniq -c -f1 | head)"

# A cut right after UID STORE: the server marked them, nothing was expunged,
# and nothing may be reported deleted.
mapfile -t store_ids < <(ids Store)
start_proxy "UID STORE" 1
run cut2 "$IMAP_DRIVER" messages -S "$(via_proxy Store)" "${settings[@]}" "$EXPUNGE_SO" "${store_ids[@]}"
expect_rc 0 cut2
[[ $(grep -c ' failed none | ' "$T/cut2.out") == 3 ]] || fail "cut after STORE: $(cat "$T/cut2.out")"
[[ $(uids Store | wc -l) == 3 ]] || fail "messages vanished after a cut before UID EXPUNGE"
note "ok"

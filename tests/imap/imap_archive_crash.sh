#!/bin/bash
# archive-then-expunge and a crash, against a real Dovecot: lethe apply is
# killed right after the plugin archived and expunged the messages, before
# their outcomes were journalled. lethe run then finds them gone (asking the
# server, read-only) and certifies them as deleted, marked recovered, each
# naming the verified archive that holds it and that archive's SHA-256;
# the unverified ".partial-" archive of the stopped run is removed, another
# run's is left alone. Needs the crash hook (-Dfault_injection).
source "$(dirname "$0")/lib.sh"
setup_tmp
[[ -n ${ATE_SO:-} ]] || skip "the archive-then-expunge plugin is not built"
[[ ${LETHE_FAULT_INJECTION-yes} == yes ]] || skip "lethe is built without the crash hook"
command -v ssh-keygen >/dev/null && command -v zcat >/dev/null || skip "ssh-keygen or zcat missing"
dovecot_start

M=$T/msg
mkdir -p "$M"
for i in 1 2 3; do
  message "$M/$i" "<c$i@example.org>" 'Sat, 01 Mar 2025 10:00:00 +0000' "Closed matter $i."
done
old='01-Mar-2025 10:00:00 +0000'
peer >"$T/seed.out" <<EOS || fail "seeding failed: $(cat "$T/seed.out")"
CREATE "Closed"
$(append Closed '' "$old" "$M/1")
$(append Closed '' "$old" "$M/2")
$(append Closed '' "$old" "$M/3")
EOS

D=$T/lethe
A=$T/archive
write_imap_config "$D"
mkdir -p "$D/plugins"
mkdir -m 700 "$A"
install -m 0644 "$ATE_SO" "$D/plugins/archive-then-expunge.so"
printf 'plugins = plugins\nkey = signing.key\nledger = ledger\n' >>"$D/lethe.ini"
{
  printf '[rule closed]\nsource = %s\nretain = 12 months\n' "$(source_uri Closed)"
  printf 'action = archive-then-expunge\narchive-path = %s\n' "$A"
  printf 'credentials = ../imap.secret\ntls = none\n'
} >"$D/rules.d/mail.ini"
run keygen "$LETHE" keygen -c "$D/lethe.ini"
expect_rc 0 keygen

LETHE_TEST_KILL_AT=3 "$LETHE" apply -c "$D/lethe.ini" --yes >"$T/killed.out" 2>&1
[[ $? == 137 ]] || fail "apply was not killed at its third fault point: $(tail -n 5 "$T/killed.out")"
[[ -z $(uids Closed) ]] || fail "the killed apply did not expunge the messages: $(uids Closed)"
only_archive "$A" "closed-Closed-*.mbox.gz"
archive=$ARCHIVE
[[ $(zcat "$archive" | grep -c '^Message-ID: <c[123]@example.org>') == 3 ]] ||
  fail "the archive does not hold the three messages"
plant_partials "$A" closed-Closed

run recover "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 recover
partials_judged "$A" closed-Closed
recovered=$(grep -l '"recovered":true' "$D"/ledger/certificates/*/*/*.json | head -n 1)
[[ -n $recovered ]] || fail "no certificate is marked recovered"
hex=$(sha256sum "$archive" | cut -c1-64)
cert_items "$recovered" >"$T/items.jsonl"
[[ $(jq -s --arg a "$archive" --arg h "$hex" '[.[] | select(.result == "deleted" and .recovered
     and .detail.archive == $a and .detail.sha256 == $h)] | length' "$T/items.jsonl") == 3 ]] ||
  fail "the recovered messages do not name their archive and its SHA-256: $(cat "$T/items.jsonl")"
ssh-keygen -Y verify -f "$D/signing.key.allowed_signers" -I "lethe@$(hostname)" \
  -n certificate@lethe -s "$recovered.sig" <"$recovered" >/dev/null 2>&1 ||
  fail "ssh-keygen does not accept the recovered certificate's signature"
note "ok"

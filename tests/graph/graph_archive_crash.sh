#!/bin/bash
# archive-then-graph-delete and a crash, against the Graph emulator: lethe
# apply is killed right after the plugin archived and deleted the messages
# and drive files, before their outcomes were journalled. lethe run then
# asks Graph (read-only), finds them gone and certifies them as deleted,
# marked recovered, each with its Graph id and the verified archive that
# holds it (path and SHA-256); the unverified ".partial-" archive of the
# stopped run is removed, another run's is left alone. Needs the crash hook
# (-Dfault_injection).
source "$(dirname "$0")/lib.sh"
setup_tmp
[[ ${LETHE_FAULT_INJECTION-yes} == yes ]] || skip "lethe is built without the crash hook"
make_pki
command -v git >/dev/null || fail "git is required for the ledger"

m() { printf '{"folder": "Closed", "subject": "%s", "receivedDateTime": "2019-0%s-01T10:00:00Z", "body": "%s\\n"}' "$1" "$2" "$3"; }
cat >"$T/seed.json" <<EOF
{ $(seed_app),
  "mailboxes": [{"upn": "cs@example.org", "folders": ["Closed"],
    "messages": [$(m one 1 'Dear client'), $(m two 2 'Second letter'), $(m three 3 'Third')]}]
}
EOF
emu_start "$T/seed.json"
D=$T/lethe
write_graph_config "$D"
A=$T/archives
mkdir -m 700 "$A"
{
  printf '[rule closed]\nsource = graph://cs@example.org/mail/Closed\nretain = 12 months\n'
  printf 'action = archive-then-graph-delete\narchive-path = %s\n' "$A"
  graph_settings "$D"
} >"$D/rules.d/archive.ini"
run keygen "$LETHE" keygen -c "$D/lethe.ini"
expect_rc 0 keygen

LETHE_TEST_KILL_AT=3 "$LETHE" apply -c "$D/lethe.ini" --yes >"$T/killed.out" 2>&1
[[ $? == 137 ]] || fail "apply was not killed at its third fault point: $(tail -n 5 "$T/killed.out")"
[[ $(emu_messages cs@example.org | grep -c present) == 0 ]] ||
  fail "the killed apply did not delete the messages first"
only_archive "$A" "closed-Closed-*.mbox.gz"
archive=$ARCHIVE
[[ $(zcat "$archive" | grep -c '^From MAILER-DAEMON ') == 3 ]] || fail "the archive does not hold 3 messages"
plant_partials "$A" closed-Closed

run recover "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 recover
partials_judged "$A" closed-Closed
sha=$(sha256sum "$archive" | cut -d' ' -f1)
ledger_items "$D" >"$T/items.jsonl"
[[ $(jq -s --arg a "$archive" --arg s "$sha" '[.[] | select(.result == "deleted" and .recovered
     and (.detail.id | type) == "string" and .detail.archive == $a
     and .detail.archive_sha256 == $s)] | length' "$T/items.jsonl") == 3 ]] ||
  fail "the recovered messages do not name their Graph id, archive and SHA-256: $(cat "$T/items.jsonl")"
note "ok"

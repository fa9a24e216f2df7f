#!/bin/bash
# The CS mailbox's '4, Dormant Clients' emptied every six months (retain =
# 0, every = 6 months) by lethe run against the Graph emulator: the first
# run deletes every message of the folder but the held one and nothing
# elsewhere; a run within the six months deletes nothing, even what arrived
# since; once the cadence says six months have passed, the new ones go.
# Every certificate together lists exactly the messages gone from the
# mailbox, each once.
source "$(dirname "$0")/lib.sh"
setup_tmp
make_pki
command -v git >/dev/null || fail "git is required for the ledger"

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
NOW=$(date -u +%s)
msgs() { # FOLDER PREFIX N AGE_SECONDS
  local i sep=
  for ((i = 1; i <= $3; i++)); do
    printf '%s{"folder": "%s", "subject": "%s-%d", "receivedDateTime": "%s"}' "$sep" "$1" "$2" \
      "$i" "$(iso $((NOW - $4 * i)))"
    sep=,
  done
}
cat >"$T/seed.json" <<EOF
{ $(seed_app),
  "mailboxes": [{
    "upn": "cs@example.org",
    "folders": ["4, Dormant Clients", "Inbox/Clients"],
    "messages": [$(msgs '4, Dormant Clients' dormant 5 86400),
      {"folder": "4, Dormant Clients", "subject": "held", "receivedDateTime": "2020-01-01T00:00:00Z",
       "categories": ["Lethe Hold"]},
      $(msgs 'Inbox/Clients' client 3 8640000)]
  }]
}
EOF
emu_start "$T/seed.json"
D=$T/lethe
write_graph_config "$D"
{
  printf '[rule dormant]\ndescription = CS mailbox: 4, Dormant Clients emptied every six months\n'
  printf 'basis = Data protection policy: dormant clients\n'
  printf 'source = graph://cs@example.org/mail/4, Dormant Clients\nretain = 0\n'
  printf 'every = 6 months\naction = graph-delete\n'
  graph_settings "$D"
} >"$D/rules.d/dormant.ini"
run keygen "$LETHE" keygen -c "$D/lethe.ini"
expect_rc 0 keygen

present() { emu_messages cs@example.org | awk -F'\t' '$3 == "present" { print $1 "|" $2 }'; }

run run1 "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 run1
got=$(present)
want="4, Dormant Clients|held
Inbox/Clients|client-1
Inbox/Clients|client-2
Inbox/Clients|client-3"
[[ $got == "$want" ]] || fail "after the first run the mailbox holds
$got
expected
$want"
grep -q '^dormant ' "$D/state/cadence" || fail "the run did not record the cadence"

# Within six months: new messages stay, and nothing is sent that changes anything.
emu POST seed "{\"mailboxes\": [{\"upn\": \"cs@example.org\", \"messages\": [$(msgs '4, Dormant Clients' new 3 60)]}]}" \
  >/dev/null || fail "seeding new messages failed"
start=$(wc -l <"$T/requests.jsonl")
run run2 "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 run2
[[ $(present | grep -c 'Dormant Clients|new-') == 3 ]] || fail "a run within six months deleted"
[[ -z $(log_mutations "$start") ]] || fail "a run with nothing due changed something"

# Six months and more later, by the cadence file: due again.
sed -i "s/^dormant .*/dormant $(iso $((NOW - 190 * 86400)))/" "$D/state/cadence"
run run3 "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 run3
got=$(present | grep -c 'Dormant Clients|') || true
[[ $got == 1 ]] || fail "after the third run the folder holds $got messages, expected only the held one"

# The certificates list exactly the messages gone, each once.
cert_deleted_ids "$D" >"$T/certified"
gone_ids cs@example.org >"$T/gone"
[[ $(wc -l <"$T/gone") == 8 ]] || fail "expected 8 messages gone, got $(wc -l <"$T/gone")"
diff -u "$T/gone" "$T/certified" >&2 || fail "the certificates do not list exactly the messages gone"
ledger_items "$D" | jq -e -s 'all(.[]; .store == "graph" and .kind == "message" and
  .level == "logical-delete" and (.level_reason | test("retention window")) and
  .detail.method == "permanentDelete" and .detail.http_status == 204 and
  (.detail.request_id | length > 0) and (.message_id_sha256 | length == 64))' >/dev/null ||
  fail "a certified item lacks its id, method, status, request-id, level or message hash:
$(ledger_items "$D" | head -n 2)"
note "ok"

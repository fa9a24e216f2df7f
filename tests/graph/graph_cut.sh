#!/bin/bash
# The connection cut in the middle of deleting. Once, right after the
# service ran a $batch of deletions: the envelope is sent again, the
# deletions answer 404, and every message is certified deleted (20 as gone
# already). For good, on every deletion envelope: the plugin gives up, lethe
# apply stops and its recovery asks the service (GETs still get through)
# which planned messages are gone; lethe run then deletes the rest. For
# good, on everything: even recovery cannot ask, the journal waits, and
# lethe run, once the service answers, recovers it and deletes the rest.
# Each time the certificates together list exactly the messages gone from
# the mailbox, each once.
source "$(dirname "$0")/lib.sh"
setup_tmp
make_pki
command -v git >/dev/null || fail "git is required for the ledger"

cat >"$T/seed.json" <<EOF
{ $(seed_app),
  "mailboxes": [{"upn": "support@example.org", "folders": ["Cut1", "Cut2", "Cut3"],
    "generate": [
      {"folder": "Cut1", "count": 100, "received_from": "2018-01-01T00:00:00Z", "received_to": "2024-01-01T00:00:00Z"},
      {"folder": "Cut2", "count": 200, "received_from": "2018-01-01T00:00:00Z", "received_to": "2024-01-01T00:00:00Z"},
      {"folder": "Cut3", "count": 200, "received_from": "2018-01-01T00:00:00Z", "received_to": "2024-01-01T00:00:00Z"},
      {"folder": "Inbox", "count": 30, "received_from": "2018-01-01T00:00:00Z", "received_to": "2024-01-01T00:00:00Z"}]}]
}
EOF
emu_start "$T/seed.json"
D=$T/lethe
write_graph_config "$D"
rule() { # FOLDER: its rule, in a file of its own
  {
    printf '[rule %s]\nsource = graph://support@example.org/mail/%s\nretain = 12 months\n' "$1" "$1"
    printf 'action = graph-delete\n'
    graph_settings "$D"
  } >"$D/rules.d/$1.ini"
}
rule Cut1
rule Cut2
run keygen "$LETHE" keygen -c "$D/lethe.ini"
expect_rc 0 keygen

check_certified() { # WHAT
  cert_deleted_ids "$D" >"$T/certified"
  gone_ids support@example.org >"$T/gone"
  diff -u "$T/gone" "$T/certified" >&2 || fail "$1: the certificates do not list exactly the messages gone"
  [[ -z $(uniq -d "$T/certified") ]] || fail "$1: a message is certified deleted twice"
}
left() { emu GET "state?mailbox=support@example.org" | jq --arg f "$1" '[.mailboxes[].messages[] | select(.folder == $f and .state == "present")] | length'; }

# 1. One cut, after the service ran the second deletion envelope.
emu POST cut '{"after": 1, "count": 1, "mode": "after", "match": {"body": "permanentDelete"}}' >/dev/null
run apply1 "$LETHE" apply -c "$D/lethe.ini" --rule Cut1 --yes
expect_rc 0 apply1
[[ $(left Cut1) == 0 ]] || fail "Cut1: $(left Cut1) messages left after a cut the plugin recovered from"
[[ $(ledger_items "$D" | jq -s '[.[] | select(.detail.gone_already)] | length') == 20 ]] ||
  fail "Cut1: expected the 20 messages of the lost reply certified as gone already"
check_certified "one cut"

# 2. Every deletion envelope cut from the second on: the plugin gives up.
emu POST cut '{"after": 1, "count": 100000, "mode": "after", "match": {"body": "permanentDelete"}}' >/dev/null
run apply2 "$LETHE" apply -c "$D/lethe.ini" --rule Cut2 --yes
expect_rc 1 apply2
expect_in apply2 "recovered 1 interrupted run"
ledger_items "$D" | jq -e -s '[.[] | select(.recovered and .result == "deleted")] | length > 0' \
  >/dev/null || fail "Cut2: recovery certified no message as gone"
check_certified "cut for good, recovered at once"
emu DELETE cut >/dev/null
run run2 "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 run2
[[ $(left Cut2) == 0 ]] || fail "Cut2: $(left Cut2) messages left after lethe run"
check_certified "cut for good, then lethe run"

# 3. Everything cut, deletions and questions alike: nothing can be asked;
#    lethe run asks once the service answers.
rule Cut3
emu POST cut '{"after": 0, "count": 100000, "mode": "after", "match": {"body": "permanentDelete"}}' >/dev/null
run plan3 "$LETHE" plan -c "$D/lethe.ini" --rule Cut3 --format json -o "$T/plan3.json"
expect_rc 0 plan3
# From the first deletion envelope on, everything is cut (then_all): how
# many checks go before it depends on when their answers come back, so the
# cut starts at the deletion itself, which the log must show.
start=$(wc -l <"$T/requests.jsonl")
emu POST cut '{"after": 0, "count": 100000, "mode": "after", "match": {"body": "permanentDelete"},
               "then_all": true}' >/dev/null
run apply3 "$LETHE" apply -c "$D/lethe.ini" --plan "$T/plan3.json" --yes
# (Any cut request, not the first logged: a cut request is logged once it
# is answered, so a request cut later but answered sooner comes first.)
tail -n +"$((start + 1))" "$T/requests.jsonl" | jq -e -s '[.[] | select(.cut)] |
  any(.method == "POST" and (.path | endswith("/$batch")) and .mutating)' >/dev/null ||
  fail "Cut3: the first request cut was not a deletion envelope: the test missed its mark"
[[ $RC != 0 ]] || fail "Cut3: an apply whose every request is cut succeeded"
ls "$D/state/journal"/*.jsonl >/dev/null 2>&1 || fail "Cut3: no journal waits for recovery"
emu DELETE cut >/dev/null
run run3 "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 run3
expect_in run3 "recovered 1 interrupted run"
[[ $(left Cut3) == 0 ]] || fail "Cut3: $(left Cut3) messages left after lethe run"
[[ $(left Inbox) == 30 ]] || fail "a message outside the rules' folders is gone"
check_certified "everything cut, then lethe run"
note "ok"

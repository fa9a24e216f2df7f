#!/bin/bash
# Deleting through a 429 storm (on top-level requests, $batch envelopes and
# requests inside them, with Retry-After), with tokens that live 3 s and
# are all revoked mid-run (401, a new token, the request sent again): every
# planned message is deleted, none failed, no request is retried before its
# Retry-After, every 401 is followed by a new token, and the certificate
# lists exactly the messages gone from the mailbox.
source "$(dirname "$0")/lib.sh"
setup_tmp
make_pki
command -v git >/dev/null || fail "git is required for the ledger"

cat >"$T/seed.json" <<EOF
{ $(seed_app),
  "mailboxes": [{"upn": "support@example.org",
    "generate": [{"folder": "Inbox", "count": 400, "received_from": "2018-01-01T00:00:00Z",
                  "received_to": "2024-01-01T00:00:00Z", "subject_prefix": "Support"},
                 {"folder": "Inbox", "count": 50, "received_from": "2026-06-01T00:00:00Z",
                  "received_to": "2026-11-01T00:00:00Z", "subject_prefix": "Recent"}]}]
}
EOF
emu_start "$T/seed.json" --token-lifetime 3 --latency-ms 10
D=$T/lethe
write_graph_config "$D"
{
  printf '[rule support]\nsource = graph://support@example.org/mail/inbox\nretain = 12 months\n'
  printf 'action = graph-delete\n'
  graph_settings "$D"
} >"$D/rules.d/support.ini"
run keygen "$LETHE" keygen -c "$D/lethe.ini"
expect_rc 0 keygen
plan_json plan
expect_rc 0 plan
[[ $(jq '[.items[] | select(.decision == "delete")] | length' "$T/plan.json") == 400 ]] ||
  fail "expected 400 planned deletions"

start=$(wc -l <"$T/requests.jsonl")
emu POST throttle '{"percent": 20, "duration": 5, "retry_after": 0.4, "seed": 7,
                    "applies_to": ["top", "item", "batch"]}' >/dev/null || fail "storm"
( sleep 1.5; emu POST expire-tokens >/dev/null ) &
revoker=$!
run apply "$LETHE" apply -c "$D/lethe.ini" --plan "$T/plan.json" --yes
wait "$revoker"
expect_rc 0 apply
tail -n +"$((start + 1))" "$T/requests.jsonl" >"$T/run.jsonl"

n429=$(jq -s '[.[] | select(.status == 429)] | length' "$T/run.jsonl")
n401=$(jq -s '[.[] | select(.status == 401)] | length' "$T/run.jsonl")
ntok=$(jq -s '[.[] | select(.kind == "token")] | length' "$T/run.jsonl")
((n429 >= 10)) || fail "the storm throttled only $n429 requests: it tested nothing"
((n401 >= 1)) || fail "no request met a revoked token: the 401 path was not tested"
((ntok >= 3)) || fail "only $ntok tokens were fetched in a run longer than their life"
note "$n429 throttled, $n401 refused tokens, $ntok tokens fetched"

# Never early: a throttled request (same method and path; $batch envelopes
# all share theirs, so only what is inside them) comes back no sooner than
# its Retry-After (0.4 s) after the 429.
"$PY" - "$T/run.jsonl" <<'EOF' || fail "a request was retried before its Retry-After"
import datetime, json, sys
def ts(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
last = {}
bad = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("kind") not in ("graph", "batch-item") or e["path"].endswith("/$batch"):
        continue
    key = (e["method"], e["path"], e.get("query", ""))
    t = ts(e["ts"])
    if key in last and t - last[key] < 0.4 - 0.02:
        bad.append("%s %s after %.3f s" % (key[0], key[1], t - last[key]))
    if e.get("status") == 429:
        last[key] = t
    else:
        last.pop(key, None)
if bad:
    print("\n".join(bad[:10]), file=sys.stderr)
    sys.exit(1)
EOF

# Every 401 is followed by a new token before the next Graph request.
"$PY" - "$T/run.jsonl" <<'EOF' || fail "a refused token was not replaced"
import json, sys
pending = False
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("kind") == "token" and e.get("status") == 200:
        pending = False
    elif e.get("kind") == "graph" and e.get("status") == 401:
        pending = True
sys.exit(1 if pending else 0)
EOF

jq -e '.totals.deleted == 400 and .totals.failed == 0' \
  "$(find "$D/state/ledger/certificates" -name '*.json' | head -n 1)" >/dev/null ||
  fail "the certificate does not say 400 deleted, none failed"
cert_deleted_ids "$D" >"$T/certified"
gone_ids support@example.org >"$T/gone"
diff -u "$T/gone" "$T/certified" >&2 || fail "the certificate does not list exactly the messages gone"
[[ $(emu_messages support@example.org | grep -c 'Recent') == 50 ]] ||
  fail "a message that was not due is gone"
note "ok"

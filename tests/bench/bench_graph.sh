#!/usr/bin/env bash
# bench_graph.sh: deleting the expired half of a large mailbox folder over
# Microsoft Graph, through the loopback emulator (tests/graph) with a fixed
# latency on every HTTP request (default 50 ms, the round trip to the
# service; requests inside a $batch pay none of their own: they run on the
# server):
#   lethe      lethe plan, then lethe apply --plan: each item checked by a
#              GET and deleted by POST .../permanentDelete, both in $batch
#              envelopes of 20 (chained: one mailbox slot each), 4 in flight
#   baseline   one POST .../permanentDelete at a time on one kept-alive
#              connection, the naive client: timed on the first --baseline
#              messages (default 200) and scaled up linearly
#   floor      the requests Lethe needs (2 envelopes per 20 items: the check
#              and the deletion) / 4 in flight x the latency
# Memory: lethe's peak RSS (plan, apply) for the default folder and for one
# --big times larger (without latency: it does not change memory).
# Prints one table; the issue's targets: at least 10x the baseline, within
# 1.3x the floor, memory flat.
#
# Through meson (not part of the default suite):
#   meson test -C build --suite bench -v bench-graph
# Needs /usr/bin/python3 with python3-cryptography, curl, openssl, jq, GNU time.
set -uo pipefail
MESSAGES=20000
BIG=200000
baseline=200
latency=50
while [[ $# -gt 0 ]]; do
  case $1 in
    --messages) MESSAGES=$2; shift 2 ;;
    --big) BIG=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --latency-ms) latency=$2; shift 2 ;;
    *) echo "usage: bench_graph.sh [--messages N] [--big N] [--baseline K] [--latency-ms MS]" >&2; exit 2 ;;
  esac
done
source "$(dirname "$0")/../graph/lib.sh"
setup_tmp
make_pki
[[ -x /usr/bin/time ]] || skip "GNU time is required (package time)"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# seed N UPN...: each mailbox gets N messages in its Inbox, half older than
# twelve months.
seed() {
  local n=$1 half=$(($1 / 2)) boxes= sep= u
  shift
  for u in "$@"; do
    boxes+="$sep{\"upn\": \"$u\", \"generate\": [
      {\"folder\": \"Inbox\", \"count\": $half, \"received_from\": \"2019-01-01T00:00:00Z\", \"received_to\": \"2024-12-31T00:00:00Z\", \"size\": 3000},
      {\"folder\": \"Inbox\", \"count\": $((n - half)), \"received_from\": \"2026-01-01T00:00:00Z\", \"received_to\": \"2026-11-01T00:00:00Z\", \"size\": 3000}]}"
    sep=,
  done
  printf '{ %s, "mailboxes": [%s] }\n' "$(seed_app)" "$boxes"
}

D=$T/lethe
# graph_config DIR: the emulator's configuration, with certificates left to
# wait for a key: the timings and peaks are of planning and deleting
# (tests/bench/bench_certify.sh measures certifying); memory() certifies
# once the apply is done.
graph_config() {
  write_graph_config "$1" secret
  printf 'certificates = may-wait\n' >>"$1/lethe.ini"
}

rules() { # UPN
  {
    printf '[rule bench]\nsource = graph://%s/mail/inbox\nretain = 12 months\naction = graph-delete\n' "$1"
    graph_settings "$D"
  } >"$D/rules.d/bench.ini"
}

# timed NAME CMD...: run CMD under GNU time; seconds in $SECS, peak RSS (MiB) in $RSS.
timed() {
  local name=$1 t0 t1
  shift
  t0=$(now)
  /usr/bin/time -f '%M' -o "$T/$name.rss" "$@" >"$T/$name.out" 2>"$T/$name.err" ||
    fail "$name failed: $(tail -n 5 "$T/$name.err")"
  t1=$(now)
  SECS=$(elapsed "$t0" "$t1")
  RSS=$(awk '{ printf "%.1f", $1 / 1024 }' "$T/$name.rss")
}

run_lethe() { # TAG UPN EXPECTED-DELETIONS: plan and apply --plan; PLAN_S, APPLY_S, REQS
  local start
  rules "$2"
  timed "plan-$1" "$LETHE" plan -c "$D/lethe.ini" --now "$FIXED_NOW" --format json -o "$T/plan-$1.json"
  PLAN_S=$SECS PLAN_RSS=$RSS
  start=$(wc -l <"$T/requests.jsonl")
  timed "apply-$1" "$LETHE" apply -c "$D/lethe.ini" --plan "$T/plan-$1.json" --yes
  APPLY_S=$SECS APPLY_RSS=$RSS
  REQS=$(tail -n +"$((start + 1))" "$T/requests.jsonl" | jq -s '[.[] | select(.kind == "graph")] | length')
  grep -q " $(($3)) deleted, 0 failed" "$T/apply-$1.err" ||
    fail "$1: lethe did not delete the $3 expired messages: $(tail -n 3 "$T/apply-$1.err")"
}

# 1. The timed run, with latency.
seed "$MESSAGES" lethe@example.org base@example.org >"$T/seed.json"
emu_start "$T/seed.json" --latency-ms "$latency"
emu POST config '{"batch_item_latency_ms": 0}' >/dev/null || fail "emulator config"
graph_config "$D"
half=$((MESSAGES / 2))
run_lethe small lethe@example.org "$half"
plan_s=$PLAN_S apply_s=$APPLY_S reqs=$REQS

# The baseline: one permanentDelete at a time, on one kept-alive connection.
"$PY" - "$EMU_URL" "$PKI/ca.pem" "$TENANT" "$CLIENT" "$SECRET" "$baseline" >"$T/baseline" <<'EOF' ||
import http.client, json, ssl, sys, time, urllib.parse
url, ca, tenant, client, secret, k = sys.argv[1:7]
host = urllib.parse.urlsplit(url)
ctx = ssl.create_default_context(cafile=ca)
c = http.client.HTTPSConnection(host.hostname, host.port, context=ctx)
form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": client,
                               "client_secret": secret, "scope": "https://graph.microsoft.com/.default"})
c.request("POST", "/%s/oauth2/v2.0/token" % tenant, form, {"Content-Type": "application/x-www-form-urlencoded"})
tok = json.loads(c.getresponse().read())["access_token"]
h = {"Authorization": "Bearer " + tok, "Prefer": 'IdType="ImmutableId"'}
q = urllib.parse.quote("receivedDateTime lt 2025-11-22T12:00:01Z")
c.request("GET", "/v1.0/users/base@example.org/mailFolders/inbox/messages?$select=id&$top=%s&$filter=%s"
          "&$orderby=receivedDateTime" % (k, q), headers=h)
ids = [m["id"] for m in json.loads(c.getresponse().read())["value"]]
t0 = time.time()
for i in ids:
    c.request("POST", "/v1.0/users/base@example.org/messages/%s/permanentDelete" % urllib.parse.quote(i, safe=""),
              body=b"", headers=h)
    r = c.getresponse()
    r.read()
    if r.status != 204:
        sys.exit("baseline: HTTP %d" % r.status)
print("%d %.3f" % (len(ids), time.time() - t0))
EOF
  fail "the baseline failed"
read -r base_n base_s <"$T/baseline"
base_total=$(awk -v s="$base_s" -v n="$base_n" -v h="$half" 'BEGIN { printf "%.1f", s * h / n }')
emu_stop

# 2. Memory: what the timer runs (lethe apply planning afresh, its plan
#    spooled to disk) on the same folder and on one --big times larger, no
#    latency (it does not change memory). (lethe apply --plan reads a saved
#    plan whole, so its memory grows with the plan: the speed run above.)
# The signing key is made after the apply, so that the apply's peak is the
# deleting; lethe run then certifies the finished run (MEM_CERT).
memory() { # TAG UPN EXPECTED-DELETIONS: MEM_PLAN, MEM_APPLY, MEM_CERT (MiB), MEM_S (seconds)
  local D=$T/mem-$1
  graph_config "$D"
  rules "$2"
  timed "mplan-$1" "$LETHE" plan -c "$D/lethe.ini" --format json -o "$T/mplan-$1.json"
  MEM_PLAN=$RSS
  timed "mapply-$1" "$LETHE" apply -c "$D/lethe.ini" --yes
  MEM_APPLY=$RSS MEM_S=$SECS
  grep -q " $3 deleted, 0 failed" "$T/mapply-$1.err" ||
    fail "$1: lethe did not delete the $3 expired messages: $(tail -n 3 "$T/mapply-$1.err")"
  "$LETHE" keygen -c "$D/lethe.ini" >/dev/null 2>&1 || fail "keygen failed"
  timed "mrun-$1" "$LETHE" run -c "$D/lethe.ini"
  MEM_CERT=$RSS
  grep -q "certified run .*: $3 deleted" "$T/mrun-$1.err" ||
    fail "$1: lethe run did not certify the run: $(tail -n 3 "$T/mrun-$1.err")"
}
seed "$MESSAGES" small@example.org >"$T/seed-small.json"
seed "$BIG" big@example.org >"$T/seed-big.json"
jq -s '.[0] + {mailboxes: (.[0].mailboxes + .[1].mailboxes)}' "$T/seed-small.json" "$T/seed-big.json" \
  >"$T/seed-mem.json"
emu_start "$T/seed-mem.json"
memory small small@example.org "$half"
small_plan_rss=$MEM_PLAN small_apply_rss=$MEM_APPLY small_s=$MEM_S small_cert_rss=$MEM_CERT
memory big big@example.org $((BIG / 2))
big_plan_rss=$MEM_PLAN big_apply_rss=$MEM_APPLY big_s=$MEM_S big_cert_rss=$MEM_CERT

floor=$(awk -v d="$half" -v l="$latency" 'BEGIN { printf "%.2f", 2 * int((d + 19) / 20) / 4 * l / 1000 }')
floor_own=$(awk -v r="$reqs" -v l="$latency" 'BEGIN { printf "%.2f", r / 4 * l / 1000 }')
printf '\n%d messages in one folder, %d expired; %d ms per HTTP request (none inside a $batch)\n' \
  "$MESSAGES" "$half" "$latency"
printf '%-52s %10s\n' "what" "seconds"
printf '%-52s %10s\n' "lethe plan (listing, \$filter, 1000 a page)" "$plan_s"
printf '%-52s %10s\n' "lethe apply --plan (check + permanentDelete, \$batch)" "$apply_s"
printf '%-52s %10s\n' "baseline: one permanentDelete at a time" "$base_total"
printf '  (timed on %d messages: %s s, scaled to %d)\n' "$base_n" "$base_s" "$half"
printf '%-52s %10s\n' "floor: $((2 * ((half + 19) / 20))) envelopes / 4 in flight x latency" "$floor"
printf '%-52s %10s\n' "floor of lethe's own $reqs requests / 4 x latency" "$floor_own"
awk -v b="$base_total" -v a="$apply_s" -v f="$floor" 'BEGIN {
  printf "baseline / lethe apply = %.1fx (target: at least 10x)\n", b / a
  printf "lethe apply / floor = %.2fx (target: within 1.3x)\n", a / f }'
printf '\nmemory (peak RSS, MiB), no latency; lethe apply plans afresh (its plan spooled to disk):\n'
printf '%-22s %10s %10s %10s %14s\n' "messages (deleted)" "plan" "apply" "apply s" "certify (run)"
printf '%-22s %10s %10s %10s %14s\n' "$MESSAGES ($half)" "$small_plan_rss" "$small_apply_rss" "$small_s" \
  "$small_cert_rss"
printf '%-22s %10s %10s %10s %14s\n' "$BIG ($((BIG / 2)))" "$big_plan_rss" "$big_apply_rss" "$big_s" \
  "$big_cert_rss"
awk -v s="$small_apply_rss" -v b="$big_apply_rss" -v p="$small_plan_rss" -v q="$big_plan_rss" \
  -v c="$small_cert_rss" -v d="$big_cert_rss" -v k="$((BIG / MESSAGES))" 'BEGIN {
  printf "with %dx the messages: plan %.2fx, apply %.2fx (target: flat); certify %.2fx\n", k, q / p,
    b / s, d / c }'

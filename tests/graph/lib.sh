# Shared by the Graph integration tests: the loopback Graph emulator
# (emulator.py, README.md) started over HTTPS with a throw-away test PKI on a
# free port of 127.0.0.1, stopped when the test ends; helpers to seed it,
# drive its control API, read its request log, and write a lethe.ini whose
# rules reach it.
#
# The environment gives (tests/graph/meson.build): LETHE, GRAPH_PRESENCE.
# A test exits 77 (skipped) only when python3-cryptography is missing.

# shellcheck source=../integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

GRAPH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
TENANT=11111111-2222-3333-4444-555555555555
CLIENT=0e7c5ad2-4d5b-4b39-9b3c-6f1b2b0a9a11
SECRET='Lethe~test.Secret_42'
EMU_PORT=
EMU_PID=
PKI=

need_emulator() {
  [[ -x $PY ]] || fail "$PY is missing"
  "$PY" -c 'import cryptography' 2>/dev/null ||
    skip "python3-cryptography is not installed (the Graph emulator needs it)"
  command -v openssl >/dev/null || fail "openssl is required"
  command -v curl >/dev/null || fail "curl is required"
}

emu_stop() {
  [[ -n $EMU_PID ]] || return 0
  kill "$EMU_PID" 2>/dev/null
  wait "$EMU_PID" 2>/dev/null
  EMU_PID=
}

# emu_start SEED.json [emulator options...]: start it; EMU_PORT, EMU_URL.
emu_start() {
  local seed=$1 i
  shift
  need_emulator
  PKI=$T/pki
  [[ -f $PKI/ca.pem ]] || "$GRAPH_DIR/make-test-pki.sh" "$PKI" >/dev/null 2>&1 ||
    fail "make-test-pki.sh failed"
  rm -f "$T/emu.port"
  "$PY" "$GRAPH_DIR/emulator.py" --cert "$PKI/server.pem" --key "$PKI/server.key" \
    --port-file "$T/emu.port" --log "$T/requests.jsonl" --seed "$seed" "$@" 2>>"$T/emu.err" &
  EMU_PID=$!
  CLEANUP_HOOKS+=("emu_stop")
  for ((i = 0; i < 200; i++)); do
    [[ -s $T/emu.port ]] && break
    kill -0 "$EMU_PID" 2>/dev/null || fail "the emulator died: $(tail -n 5 "$T/emu.err")"
    sleep 0.05
  done
  [[ -s $T/emu.port ]] || fail "the emulator did not start: $(tail -n 5 "$T/emu.err")"
  EMU_PORT=$(cat "$T/emu.port")
  EMU_URL=https://127.0.0.1:$EMU_PORT
}

# emu METHOD PATH [JSON]: the control API (/_emu/PATH); the answer on stdout.
emu() {
  curl -sS --fail-with-body --cacert "$PKI/ca.pem" --max-time 60 -X "$1" \
    ${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$EMU_URL/_emu/$2"
}

# emu_messages UPN [STATE]: "folder<TAB>subject<TAB>state" of each message, sorted.
emu_messages() {
  emu GET "state?mailbox=$1" | jq -r '.mailboxes[] | .messages[] |
    "\(.folder)\t\(.subject)\t\(.state)"' | LC_ALL=C sort
}

# emu_lookup KEY: the seeded object's current record.
emu_lookup() {
  emu GET "lookup?key=$1"
}

# write_graph_config DIR [secret|cert]: a lethe.ini (its signing key in DIR),
# rules.d, and a credentials file for the emulator's app (mode 0600).
write_graph_config() {
  local dir=$1 how=${2:-cert}
  write_config "$dir"
  printf 'key = signing.key\n' >>"$dir/lethe.ini" # never the system's
  umask 077
  {
    printf '# the emulator'"'"'s app registration\ntenant = %s\nclient-id = %s\n' "$TENANT" "$CLIENT"
    if [[ $how == secret ]]; then
      printf 'client-secret = %s\n' "$SECRET"
    else
      printf 'certificate = %s\nprivate-key = %s\n' "$PKI/app.pem" "$PKI/app.key"
    fi
  } >"$dir/graph.cred"
  umask 022
  chmod 600 "$dir/graph.cred"
}

# graph_settings DIR: the rule lines that point a Graph rule at the emulator.
graph_settings() {
  printf 'credentials = %s/graph.cred\ngraph-endpoint = %s\nlogin-endpoint = %s\nca-file = %s\n' \
    "$1" "$EMU_URL" "$EMU_URL" "$PKI/ca.pem"
}

# seed_app: the tenant and app every seed needs, as JSON members.
seed_app() {
  printf '"tenant": {"id": "%s", "domains": ["example.org"]},
  "apps": [{"client_id": "%s", "client_secret": "%s", "certificates": ["%s"]}]' \
    "$TENANT" "$CLIENT" "$SECRET" "$PKI/app.pem"
}

# make_pki: the PKI alone (seeds name app.pem before the emulator starts).
make_pki() {
  need_emulator
  PKI=$T/pki
  "$GRAPH_DIR/make-test-pki.sh" "$PKI" >/dev/null 2>&1 || fail "make-test-pki.sh failed"
}

# log_mutations FROM: request log lines after line FROM that change something
# or are not GETs (the token POST apart).
log_mutations() {
  tail -n +"$(($1 + 1))" "$T/requests.jsonl" |
    jq -c 'select((.kind == "graph" or .kind == "batch-item") and
                  (.mutating == true or .method != "GET"))'
}

# plan_json NAME [ARGS...]: lethe plan --format json at FIXED_NOW into $T/NAME.json.
plan_json() {
  local name=$1
  shift
  run "$name" "$LETHE" plan -c "$D/lethe.ini" --now "$FIXED_NOW" --format json \
    -o "$T/$name.json" "$@"
}

# ledger_items DIR: the items of every certificate in DIR's ledger, one JSON
# object a line (cert_items, for each certificate with its parts).
ledger_items() {
  local f
  find "$1/state/ledger/certificates" -name '*.json' ! -name '*.part-*' -print0 2>/dev/null |
    while IFS= read -r -d '' f; do cert_items "$f"; done
}

# subjects UPN: "IMMUTABLE-ID<TAB>SUBJECT" of every message of the mailbox
# (present or in Recoverable Items), into $T/subjects.
subjects() {
  emu GET "state?mailbox=$1" | jq -r '.mailboxes[] | .messages[] | "\(.immutableId)\t\(.subject)"' \
    >"$T/subjects"
}

# plan_subjects JSON RULE: "DECISION SUBJECT" of each item the rule planned,
# sorted (after subjects UPN).
plan_subjects() {
  jq -r --arg r "$2" '.items[] | select(.rule == $r) |
    "\(.identity | capture("^id=(?<id>[^ ]+)").id)\t\(.decision)"' "$1" |
    while IFS=$'\t' read -r id d; do
      printf '%s %s\n' "$d" "$(awk -F'\t' -v id="$id" '$1 == id { print $2 }' "$T/subjects")"
    done | LC_ALL=C sort
}

# gone_ids UPN: the immutable ids of the mailbox's purged messages and of
# those in Recoverable Items, sorted.
gone_ids() {
  emu GET "state?mailbox=$1" | jq -r '.mailboxes[] |
    (.purged[] | select(.kind == "message") | .immutableId),
    (.messages[] | select(.state == "recoverable") | .immutableId)' | LC_ALL=C sort
}

# cert_deleted_ids DIR: the ids every certificate of DIR's ledger says were
# deleted (from the plugin's detail, or the identity of recovered items'
# URIs), sorted, one a line, duplicates kept.
cert_deleted_ids() {
  ledger_items "$1" | jq -r 'select(.result == "deleted") |
    (.detail.id // (.uri | sub(".*/"; "")))' | LC_ALL=C sort
}

# graph_call METHOD PATH [JSON]: a Graph request of the test's own (token by
# client secret), as another client of the mailbox would make it; the
# answer's body on stdout.
graph_call() {
  local tok
  tok=$(curl -sS --cacert "$PKI/ca.pem" -d grant_type=client_credentials -d "client_id=$CLIENT" \
    --data-urlencode "client_secret=$SECRET" \
    --data-urlencode scope=https://graph.microsoft.com/.default \
    "$EMU_URL/$TENANT/oauth2/v2.0/token" | jq -r .access_token) || return 1
  curl -sS --cacert "$PKI/ca.pem" -X "$1" -H "Authorization: Bearer $tok" \
    -H 'Prefer: IdType="ImmutableId"' \
    ${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$EMU_URL/v1.0$2"
}

# imm KEY: the immutable id of the seeded message or event KEY.
imm() {
  emu_lookup "$1" | jq -r '.immutableId // .current.immutableId // empty'
}

#!/bin/bash
# selftest.sh -- start the Graph emulator with a throw-away test PKI and drive it
# with curl (and openssl for JWT client assertions) through the behaviours a
# Graph client depends on.  Exits non-zero on any mismatch; last line is
# "N passed, M failed".
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
# Skipped (77, as the suite counts it) only when the one optional part is
# missing: python3-cryptography, which checks the certificate assertions.
"$PY" -c 'import cryptography' 2>/dev/null || {
  echo "SKIP: selftest: python3-cryptography is not installed"
  exit 77
}
T=$(mktemp -d /tmp/graph-selftest.XXXXXX)
EMU_PID=
cleanup() {
  if [[ -n $EMU_PID ]] && kill -0 "$EMU_PID" 2>/dev/null; then
    kill "$EMU_PID" 2>/dev/null
    wait "$EMU_PID" 2>/dev/null
  fi
  rm -rf "$T"
}
trap cleanup EXIT

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); printf 'ok   %s\n' "$1"; }
bad() { FAIL=$((FAIL + 1)); printf 'FAIL %s\n' "$1"; [[ -n ${2:-} ]] && printf '     %s\n' "$2"; }
check() { # NAME COMMAND... : passes when the command succeeds
  local name=$1
  shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
expect() { # NAME ACTUAL EXPECTED
  if [[ "$2" == "$3" ]]; then ok "$1"; else bad "$1" "expected [$3], got [$2]; body: $(head -c 400 "$T/body" 2>/dev/null)"; fi
}

"$here/make-test-pki.sh" "$T/pki" || { echo "make-test-pki.sh failed"; exit 1; }
PKI=$T/pki
CLIENT=0e7c5ad2-4d5b-4b39-9b3c-6f1b2b0a9a11
SECRET='Lethe~test.Secret_42'
TENANT=11111111-2222-3333-4444-555555555555
UPN=cs@example.org

cat > "$T/seed.json" <<EOF
{
  "tenant": {"id": "$TENANT", "domains": ["example.org"]},
  "apps": [{"client_id": "$CLIENT", "client_secret": "$SECRET", "certificates": ["pki/app.pem"]}],
  "mailboxes": [{
    "upn": "$UPN", "displayName": "Client Services",
    "folders": ["4, Dormant Clients", "Inbox/Clients/Réclamations", {"path": "Archive 2019", "hidden": true},
                "Bulk delete"],
    "messages": [
      {"key": "m1", "folder": "4, Dormant Clients", "subject": "Dormant one", "receivedDateTime": "2019-03-01T10:00:00Z"},
      {"key": "m2", "folder": "4, Dormant Clients", "subject": "Dormant two", "receivedDateTime": "2019-04-01T10:00:00Z"},
      {"key": "m3", "folder": "Archive 2019", "subject": "Hidden", "receivedDateTime": "2019-05-01T10:00:00Z"}
    ],
    "generate": [
      {"folder": "Inbox/Clients/Réclamations", "count": 20, "received_from": "2023-01-01T00:00:00Z",
       "received_to": "2023-12-31T00:00:00Z", "subject_prefix": "Réclamation"},
      {"folder": "Bulk delete", "count": 20, "received_from": "2020-01-01T00:00:00Z",
       "received_to": "2020-06-30T00:00:00Z", "subject_prefix": "Bulk"}
    ],
    "calendars": [
      {"name": "Calendar", "default": true,
       "events": [{"key": "e1", "subject": "Review", "start": "2024-05-01T10:00:00Z", "end": "2024-05-01T11:00:00Z"}]},
      {"name": "Old project", "key": "c2",
       "events": [{"key": "e2", "subject": "Kick-off", "start": "2019-01-10T09:00:00Z"}]}
    ]
  }],
  "drives": [{
    "owner": "$UPN",
    "items": [
      {"path": "/Clients/Acme/contract.docx", "content": "hello from the emulator", "key": "d1"},
      {"path": "/Clients/Acme/held.pdf", "size": 2048, "key": "d2",
       "retentionLabel": {"name": "Legal hold 7y", "isDeleteAllowed": false}},
      {"path": "/Clients/Acme/stale.txt", "size": 10, "key": "d3"}
    ],
    "generate": [{"folder": "/Paging", "count": 25, "name_prefix": "file-", "size": 100}]
  }],
  "sites": [{"hostname": "example.sharepoint.com", "path": "/sites/Clients", "displayName": "Clients",
             "drives": [{"name": "Documents", "items": [{"path": "/Shared/report.pdf", "size": 64}]}]}]
}
EOF

$PY "$here/emulator.py" --cert "$PKI/server.pem" --key "$PKI/server.key" --port-file "$T/port" \
  --log "$T/log.jsonl" --seed "$T/seed.json" 2>"$T/emu.err" &
EMU_PID=$!
for _ in $(seq 100); do [[ -s $T/port ]] && break; sleep 0.05; done
[[ -s $T/port ]] || { echo "emulator did not start:"; cat "$T/emu.err"; exit 1; }
PORT=$(cat "$T/port")
BASE=https://127.0.0.1:$PORT
G=$BASE/v1.0
U=$G/users/$UPN
TOKEN_URL=$BASE/$TENANT/oauth2/v2.0/token
CURL=(curl -sS --cacert "$PKI/ca.pem" --max-time 30)

# call METHOD URL [curl args...]: body -> $T/body, headers -> $T/hdrs, status -> $STATUS
call() {
  local m=$1 url=$2
  shift 2
  local auth=()
  [[ -n ${AT:-} ]] && auth=(-H "Authorization: Bearer $AT")
  STATUS=$("${CURL[@]}" -X "$m" "${auth[@]}" -o "$T/body" -D "$T/hdrs" -w '%{http_code}' "$@" "$url")
}
js() { $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); r=eval(sys.argv[2]); print(r if not isinstance(r,(dict,list)) else json.dumps(r))' "$T/body" "$1" 2>/dev/null; }
hdr() { tr -d '\r' < "$T/hdrs" | awk -v h="$(echo "$1" | tr '[:upper:]' '[:lower:]')" -F': ' 'tolower($1)==h {print $2}' | tail -1; }
ctl() { "${CURL[@]}" -X "$1" -o "$T/ctl" "$BASE/_emu/$2" ${3:+-H 'Content-Type: application/json' -d "$3"}; }
ctlq() { $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/ctl" "$1"; }
enc() { $PY -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# jwt ALG KEY X5T AUD JTI NBF EXP [ISS]: a client assertion (DOCS: certificate credentials)
jwt() {
  local alg=$1 key=$2 x5t=$3 aud=$4 jti=$5 nbf=$6 exp=$7 iss=${8:-$CLIENT}
  local h p s
  h=$(printf '{"alg":"%s","typ":"JWT","x5t#S256":"%s"}' "$alg" "$x5t" | b64url)
  p=$(printf '{"aud":"%s","iss":"%s","sub":"%s","jti":"%s","nbf":%d,"exp":%d,"iat":%d}' \
        "$aud" "$iss" "$iss" "$jti" "$nbf" "$exp" "$nbf" | b64url)
  if [[ $alg == PS256 ]]; then
    s=$(printf '%s' "$h.$p" | openssl dgst -sha256 -sign "$key" -sigopt rsa_padding_mode:pss \
          -sigopt rsa_pss_saltlen:digest -binary | b64url)
  else
    s=$(printf '%s' "$h.$p" | openssl dgst -sha256 -sign "$key" -binary | b64url)
  fi
  printf '%s.%s.%s' "$h" "$p" "$s"
}
token_by_assertion() { # ASSERTION
  AT='' call POST "$TOKEN_URL" -d grant_type=client_credentials -d "client_id=$CLIENT" \
    --data-urlencode scope=https://graph.microsoft.com/.default \
    --data-urlencode client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
    --data-urlencode "client_assertion=$1"
}
token_by_secret() {
  AT='' call POST "$TOKEN_URL" -d grant_type=client_credentials -d "client_id=$CLIENT" \
    --data-urlencode "client_secret=$SECRET" --data-urlencode scope=https://graph.microsoft.com/.default
}
X5T=$(cat "$PKI/app.x5t#S256")
NOW=$(date +%s)

echo "== token endpoint"
token_by_secret
expect "token by client secret: 200" "$STATUS" 200
expect "token_type Bearer" "$(js 'd["token_type"]')" Bearer
expect "expires_in 3599" "$(js 'd["expires_in"]')" 3599
AT=$(js 'd["access_token"]')

AT='' call POST "$TOKEN_URL" -d grant_type=client_credentials -d "client_id=$CLIENT" -d client_secret=wrong \
  --data-urlencode scope=https://graph.microsoft.com/.default
expect "wrong secret: 401" "$STATUS" 401
expect "wrong secret: invalid_client AADSTS7000215" "$(js 'd["error"], d["error_codes"][0]')" "('invalid_client', 7000215)"
AT='' call POST "$TOKEN_URL" -d "client_id=$CLIENT" -d "client_secret=$SECRET"
expect "missing grant_type: 400 AADSTS900144" "$STATUS $(js 'd["error_codes"][0]')" "400 900144"
AT='' call POST "$TOKEN_URL" -d grant_type=client_credentials -d "client_id=$CLIENT" -d "client_secret=$SECRET" \
  -d scope=Mail.Read
expect "scope without /.default: 400 invalid_scope" "$STATUS $(js 'd["error"]')" "400 invalid_scope"

A=$(jwt PS256 "$PKI/app.key" "$X5T" "$TOKEN_URL" "jti-ps-$NOW" "$NOW" $((NOW + 300)))
token_by_assertion "$A"
expect "token by PS256 certificate assertion: 200" "$STATUS" 200
token_by_assertion "$A"
expect "replayed assertion (same jti): 401 invalid_client" "$STATUS $(js 'd["error"]')" "401 invalid_client"
token_by_assertion "$(jwt RS256 "$PKI/app.key" "$X5T" "$TOKEN_URL" "jti-rs-$NOW" "$NOW" $((NOW + 300)))"
expect "token by RS256 certificate assertion: 200" "$STATUS" 200
token_by_assertion "$(jwt PS256 "$PKI/other.key" "$X5T" "$TOKEN_URL" "jti-x-$NOW" "$NOW" $((NOW + 300)))"
expect "assertion signed by another key: 401 AADSTS700027" "$STATUS $(js 'd["error_codes"][0]')" "401 700027"
token_by_assertion "$(jwt PS256 "$PKI/app.key" "$X5T" "https://login.microsoftonline.com/$TENANT/oauth2/v2.0/token" "jti-a-$NOW" "$NOW" $((NOW + 300)))"
expect "assertion for another audience: 401 AADSTS700023" "$STATUS $(js 'd["error_codes"][0]')" "401 700023"
token_by_assertion "$(jwt PS256 "$PKI/app.key" "$X5T" "$TOKEN_URL" "jti-e-$NOW" $((NOW - 900)) $((NOW - 600)))"
expect "expired assertion: 401 AADSTS700024" "$STATUS $(js 'd["error_codes"][0]')" "401 700024"
token_by_assertion "$(jwt PS256 "$PKI/app.key" "$X5T" "$TOKEN_URL" "jti-l-$NOW" "$NOW" $((NOW + 3600)))"
expect "assertion living an hour (> 10 min): 401" "$STATUS" 401
token_by_assertion "$(jwt PS256 "$PKI/app.key" "$X5T" "$TOKEN_URL" "jti-i-$NOW" "$NOW" $((NOW + 300)) not-the-client)"
expect "iss/sub not the client_id: 401 AADSTS700021" "$STATUS $(js 'd["error_codes"][0]')" "401 700021"

echo "== bearer tokens"
AT='' call GET "$U/mailFolders"
expect "no token: 401 InvalidAuthenticationToken" "$STATUS $(js 'd["error"]["code"]')" "401 InvalidAuthenticationToken"
AT=made-up call GET "$U/mailFolders"
expect "unknown token: 401" "$STATUS" 401
call GET "$G/me/messages"
expect "/me with an app-only token: 400" "$STATUS" 400

echo "== mail folders (comma, non-ASCII, hidden)"
call GET "$U/mailFolders?\$filter=$(enc "displayName eq '4, Dormant Clients'")"
expect "top-level folder '4, Dormant Clients' found by \$filter" "$(js 'len(d["value"]), d["value"][0]["displayName"]')" "(1, '4, Dormant Clients')"
DORMANT=$(js 'd["value"][0]["id"]')
call GET "$U/mailFolders/inbox/childFolders?\$filter=$(enc "displayName eq 'Clients'")"
CLIENTS=$(js 'd["value"][0]["id"]')
call GET "$U/mailFolders/$CLIENTS/childFolders?\$filter=$(enc "displayName eq 'Réclamations'")&\$select=displayName,totalItemCount"
expect "Inbox/Clients/Réclamations found (UTF-8 in \$filter)" "$(js 'd["value"][0]["displayName"], d["value"][0]["totalItemCount"]')" "('Réclamations', 20)"
RECL=$(js 'd["value"][0]["id"]')
call GET "$U/mailFolders?\$top=100&\$select=displayName"
expect "hidden folder not listed by default" "$(js '"Archive 2019" in [f["displayName"] for f in d["value"]]')" False
call GET "$U/mailFolders?\$top=100&includeHiddenFolders=true&\$select=displayName,isHidden"
expect "hidden folder listed with includeHiddenFolders=true" "$(js '[f["isHidden"] for f in d["value"] if f["displayName"]=="Archive 2019"]')" "[true]"
call GET "$U/mailFolders/RecoverableItemsDeletions"
expect "well-known name recoverableitemsdeletions (any case)" "$STATUS $(js 'd["displayName"]')" "200 Deletions"
RID=$(js 'd["id"]')
call GET "$U/mailFolders/no-such-folder"
expect "unknown folder name: 400 ErrorInvalidIdMalformed" "$STATUS $(js 'd["error"]["code"]')" "400 ErrorInvalidIdMalformed"

echo "== message paging"
total=0 pages=0 url="$U/mailFolders/$RECL/messages?\$top=7&\$select=subject,receivedDateTime"
sizes=
while [[ -n $url && $pages -lt 50 ]]; do
  call GET "$url"
  [[ $STATUS == 200 ]] || break
  n=$(js 'len(d["value"])')
  total=$((total + n)); pages=$((pages + 1)); sizes="$sizes$n,"
  [[ $pages == 1 ]] && FIRST_NEXT=$(js 'd.get("@odata.nextLink","")')
  url=$(js 'd.get("@odata.nextLink","")')
done
expect "20 messages in pages of \$top=7" "$total/$sizes" "20/7,7,6,"
call GET "${FIRST_NEXT/\$top=7/\$top=8}"
expect "tampered nextLink (\$top changed): 400" "$STATUS" 400
call GET "$U/mailFolders/$RECL/messages?\$top=7&\$select=subject,receivedDateTime&\$skiptoken=bWFkZS11cA"
expect "made-up \$skiptoken: 400" "$STATUS" 400
call GET "$U/mailFolders/$RECL/messages?\$top=1001"
expect "\$top=1001: 400" "$STATUS" 400
call GET "$U/mailFolders/$RECL/messages?\$top=5" -H "Prefer: odata.maxpagesize=3"
expect "Prefer odata.maxpagesize=3 caps \$top=5" "$(js 'len(d["value"])') $(hdr Preference-Applied)" "3 odata.maxpagesize=3"
call GET "$U/mailFolders/$RECL/messages?\$count=true&\$top=1&\$expand=$(enc "singleValueExtendedProperties(\$filter=id eq 'Integer 0x0E08')")"
expect "\$count and PidTagMessageSize via \$expand" "$(js 'd["@odata.count"], d["value"][0]["singleValueExtendedProperties"][0]["id"]')" "(20, 'Integer 0xe08')"

echo "== \$filter / \$orderby (InefficientFilter)"
call GET "$U/mailFolders/$RECL/messages?\$filter=$(enc "sentDateTime ge 2023-01-01T00:00:00Z and receivedDateTime lt 2023-07-01T00:00:00Z")&\$orderby=$(enc "receivedDateTime desc")"
expect "orderby property not first in filter: 400 InefficientFilter" "$STATUS $(js 'd["error"]["code"]')" "400 InefficientFilter"
expect "InefficientFilter message" "$(js 'd["error"]["message"]')" "The restriction or sort order is too complex for this operation."
call GET "$U/mailFolders/$RECL/messages?\$filter=$(enc "receivedDateTime lt 2023-07-01T00:00:00Z and sentDateTime ge 2023-01-01T00:00:00Z")&\$orderby=$(enc "receivedDateTime desc")&\$top=50&\$select=receivedDateTime"
expect "orderby property first in filter: 200, sorted, filtered" "$STATUS $(js 'all(d["value"][i]["receivedDateTime"] >= d["value"][i+1]["receivedDateTime"] for i in range(len(d["value"])-1)) and all(v["receivedDateTime"] < "2023-07" for v in d["value"]) and len(d["value"])>0')" "200 True"
call GET "$U/mailFolders/$RECL/messages?\$filter=$(enc "receivedDateTime lt '2023-07-01'")"
expect "date-time compared with a string: 400" "$STATUS" 400

echo "== DELETE vs permanentDelete, regular vs immutable ids"
call GET "$U/mailFolders/$DORMANT/messages?\$select=subject" -H 'Prefer: IdType="ImmutableId"'
M1_IMM=$(js '[m["id"] for m in d["value"] if m["subject"]=="Dormant one"][0]')
M2_IMM=$(js '[m["id"] for m in d["value"] if m["subject"]=="Dormant two"][0]')
call GET "$U/mailFolders/$DORMANT/messages?\$select=subject,changeKey"
M1=$(js '[m["id"] for m in d["value"] if m["subject"]=="Dormant one"][0]')
expect "@odata.etag is W/\"changeKey\"" "$(js 'd["value"][0]["@odata.etag"] == "W/\"%s\"" % d["value"][0]["changeKey"]')" True
check "immutable id differs from regular id" test "$M1" != "$M1_IMM"
call DELETE "$U/messages/$M1"
expect "DELETE message: 204" "$STATUS" 204
call GET "$U/messages/$M1"
expect "old regular id after the move: 404 ErrorItemNotFound" "$STATUS $(js 'd["error"]["code"]')" "404 ErrorItemNotFound"
call GET "$U/messages/$M1_IMM?\$select=parentFolderId" -H 'Prefer: IdType="ImmutableId"'
expect "immutable id still resolves, now in Recoverable Items Deletions" "$STATUS $(js 'd["parentFolderId"]==sys.argv[0] or d["parentFolderId"]')" "200 $RID"
expect "same immutable id returned" "$(js 'd["id"]')" "$M1_IMM"
call GET "$U/mailFolders/recoverableitemsdeletions/messages?\$select=subject"
expect "deleted message listed in recoverableitemsdeletions" "$(js '"Dormant one" in [m["subject"] for m in d["value"]]')" True
call DELETE "$U/messages/$M1_IMM"
expect "DELETE inside recoverableitemsdeletions refused" "$STATUS $(js 'd["error"]["code"]')" "400 ErrorCannotDeleteObject"
call POST "$U/messages/$M2_IMM/permanentDelete"
expect "permanentDelete: 204" "$STATUS" 204
call GET "$U/messages/$M2_IMM"
expect "purged message: 404" "$STATUS" 404
ctl GET "lookup?key=m1"
expect "state dump: m1 in Recoverable Items" "$(ctlq 'd["state"], d["folder"]')" "('recoverable', 'Recoverable Items/Deletions')"
ctl GET "lookup?key=m2"
expect "state dump: m2 purged" "$(ctlq 'd["state"]')" purged
call PATCH "$U/messages/$M1_IMM" -H 'Content-Type: application/json' -d '{"categories":["Hold"]}'
expect "PATCH categories: 200, changeKey changed" "$STATUS $(js 'd["categories"]')" '200 ["Hold"]'

echo "== \$batch"
call GET "$U/mailFolders?\$filter=$(enc "displayName eq 'Bulk delete'")"
BULK=$(js 'd["value"][0]["id"]')
call GET "$U/mailFolders/$BULK/messages?\$top=20&\$select=id"
$PY - "$T/body" "$UPN" > "$T/batch20.json" <<'PYEOF'
import json, sys
ids = [m["id"] for m in json.load(open(sys.argv[1]))["value"]]
print(json.dumps({"requests": [{"id": str(i + 1), "method": "DELETE", "url": "/users/%s/messages/%s" % (sys.argv[2], x)}
                               for i, x in enumerate(ids)]}))
PYEOF
ctl POST throttle '{"next": 1, "applies_to": ["item"], "retry_after": 2, "match": {"method": "DELETE"}}'
call POST "$G/\$batch" -H 'Content-Type: application/json' --data-binary "@$T/batch20.json"
expect "batch of 20 DELETEs: 200" "$STATUS" 200
expect "batch: 19 x 204 and 1 x 429" "$(js 'sorted(r["status"] for r in d["responses"])==[204]*19+[429]')" True
expect "batch: the 429 carries Retry-After 2" "$(js '[r["headers"].get("Retry-After") for r in d["responses"] if r["status"]==429]')" '["2"]'
THR_ID=$(js '[r["id"] for r in d["responses"] if r["status"]==429][0]')
THR_URL=$($PY -c 'import json,sys; r=json.load(open(sys.argv[1]))["requests"]; print([x["url"] for x in r if x["id"]==sys.argv[2]][0])' "$T/batch20.json" "$THR_ID")
call DELETE "$G$THR_URL"
expect "retry before Retry-After elapsed: 429 again" "$STATUS $(hdr Retry-After)" "429 2"
sleep 2.2
call DELETE "$G$THR_URL"
expect "retry after Retry-After: 204" "$STATUS" 204
ctl GET "state?mailbox=$UPN&messages=0"
expect "state dump: Bulk delete emptied" "$(ctlq '[f["count"] for f in d["mailboxes"]["'$UPN'"]["folders"] if f["path"]=="Bulk delete"][0]')" 0

$PY -c 'import json; print(json.dumps({"requests":[{"id":"1","method":"GET","url":"/users"},{"id":"1","method":"GET","url":"/users"}]}))' > "$T/dup.json"
call POST "$G/\$batch" -H 'Content-Type: application/json' --data-binary "@$T/dup.json"
expect "batch with duplicate ids: 400" "$STATUS" 400
$PY -c 'import json; print(json.dumps({"requests":[{"id":str(i),"method":"GET","url":"/users"} for i in range(21)]}))' > "$T/21.json"
call POST "$G/\$batch" -H 'Content-Type: application/json' --data-binary "@$T/21.json"
expect "batch of 21 requests: 400" "$STATUS" 400
$PY -c 'import json; print(json.dumps({"requests":[{"id":"1","method":"PATCH","url":"/users/x/messages/y","body":{"isRead":True}}]}))' > "$T/noct.json"
call POST "$G/\$batch" -H 'Content-Type: application/json' --data-binary "@$T/noct.json"
expect "batch item with a body but no Content-Type: 400" "$STATUS" 400
$PY - "$UPN" > "$T/dep.json" <<'PYEOF'
import json, sys
print(json.dumps({"requests": [
    {"id": "a", "method": "GET", "url": "/users/%s/messages/AAMkAnotAnId" % sys.argv[1]},
    {"id": "b", "method": "GET", "url": "/users/%s/mailFolders/inbox" % sys.argv[1], "dependsOn": ["a"]}]}))
PYEOF
call POST "$G/\$batch" -H 'Content-Type: application/json' --data-binary "@$T/dep.json"
expect "dependsOn a failed request: 424" "$(js '{r["id"]: r["status"] for r in d["responses"]}')" '{"a": 400, "b": 424}'

echo "== 4 concurrent requests per app and mailbox"
ctl POST config '{"latency_ms": 1500}'
pids=()
for i in 1 2 3 4 5; do
  "${CURL[@]}" -H "Authorization: Bearer $AT" -o "$T/conc$i" -w '%{http_code}' "$U/mailFolders/inbox" > "$T/conc$i.code" &
  pids+=($!)
  sleep 0.05
done
wait "${pids[@]}"
ctl POST config '{"latency_ms": 0}'
codes=$(for i in 1 2 3 4 5; do cat "$T/conc$i.code"; echo; done | sort | tr '\n' ' ')
expect "5 concurrent requests to one mailbox: four 200, one 429" "$codes" "200 200 200 200 429 "
for i in 1 2 3 4 5; do
  if grep -q 429 "$T/conc$i.code"; then cp "$T/conc$i" "$T/body"; fi
done
expect "the 429 is MailboxConcurrency" "$(js 'd["error"]["code"], d["error"]["message"]')" "('ApplicationThrottled', 'Application is over its MailboxConcurrency limit.')"

echo "== token expiry"
ctl POST expire-tokens
call GET "$U/mailFolders/inbox"
expect "expired token: 401" "$STATUS $(js 'd["error"]["code"]')" "401 InvalidAuthenticationToken"
expect "expired token message" "$(js 'd["error"]["message"]')" "Access token has expired or is not yet valid."
ctl POST config '{"token_lifetime": 1}'
token_by_secret
expect "short-lived token: expires_in 1" "$(js 'd["expires_in"]')" 1
AT=$(js 'd["access_token"]')
call GET "$U/mailFolders/inbox"
expect "fresh token works" "$STATUS" 200
sleep 1.2
call GET "$U/mailFolders/inbox"
expect "token past its lifetime: 401" "$STATUS" 401
ctl POST config '{"token_lifetime": 3599}'
token_by_secret
AT=$(js 'd["access_token"]')

echo "== calendars and events"
call GET "$U/calendars?\$select=name,isDefaultCalendar"
DEFCAL=$(js '[c["id"] for c in d["value"] if c["isDefaultCalendar"]][0]')
OLDCAL=$(js '[c["id"] for c in d["value"] if c["name"]=="Old project"][0]')
call GET "$U/calendars/$DEFCAL/events?\$select=subject,start,end" -H 'Prefer: outlook.timezone="UTC"'
expect "events with Prefer outlook.timezone=UTC" "$(js 'd["value"][0]["start"]')" '{"dateTime": "2024-05-01T10:00:00.0000000", "timeZone": "UTC"}'
EV1=$(js 'd["value"][0]["id"]')
call DELETE "$U/calendars/$DEFCAL"
expect "DELETE default calendar refused" "$STATUS" 400
call POST "$U/events/$EV1/permanentDelete"
expect "event permanentDelete: 204" "$STATUS" 204
call DELETE "$U/calendars/$OLDCAL"
expect "DELETE other calendar: 204" "$STATUS" 204
call GET "$U/calendars/$OLDCAL"
expect "deleted calendar: 404" "$STATUS" 404

echo "== drives"
call GET "$U/drive"
DRIVE=$(js 'd["id"]')
expect "user drive" "$STATUS $(js 'd["driveType"]')" "200 business"
call GET "$G/drives/$DRIVE/root:/Paging?\$select=id,folder"
PAGING=$(js 'd["id"]')
expect "path-addressed folder" "$(js 'd["folder"]["childCount"]')" 25
total=0 pages=0 sizes='' url="$G/drives/$DRIVE/items/$PAGING/children?\$top=10&\$select=id,name,eTag,cTag,size,createdDateTime,lastModifiedDateTime,file,folder,parentReference"
while [[ -n $url && $pages -lt 50 ]]; do
  call GET "$url"
  [[ $STATUS == 200 ]] || break
  n=$(js 'len(d["value"])'); total=$((total + n)); pages=$((pages + 1)); sizes="$sizes$n,"
  url=$(js 'd.get("@odata.nextLink","")')
done
expect "children paging \$top=10" "$total/$sizes" "25/10,10,5,"
call GET "$G/drives/$DRIVE/items/$PAGING/children?\$filter=$(enc "name eq 'file-01.txt'")"
expect "\$filter on children refused: 400 notSupported" "$STATUS $(js 'd["error"]["code"]')" "400 notSupported"
call GET "$G/drives/$DRIVE/root:/$(enc Clients)/$(enc Acme)/$(enc stale.txt)?\$select=id,eTag"
STALE=$(js 'd["id"]'); OLD_ETAG=$(js 'd["eTag"]')
ctl POST modify '{"key": "d3"}'
call DELETE "$G/drives/$DRIVE/items/$STALE" -H "If-Match: $OLD_ETAG"
expect "DELETE with a stale If-Match: 412 resourceModified" "$STATUS $(js 'd["error"]["code"]')" "412 resourceModified"
call GET "$G/drives/$DRIVE/items/$STALE?\$select=eTag"
NEW_ETAG=$(js 'd["eTag"]')
call DELETE "$G/drives/$DRIVE/items/$STALE" -H "If-Match: $NEW_ETAG"
expect "DELETE with the current If-Match: 204" "$STATUS" 204
ctl GET "lookup?key=d3"
expect "state dump: d3 in the recycle bin" "$(ctlq 'd["state"]')" recycled
call GET "$G/drives/$DRIVE/root:/Clients/Acme/held.pdf?\$select=id,name&\$expand=retentionLabel"
HELD=$(js 'd["id"]')
expect "retention label via \$expand" "$(js 'd["retentionLabel"]["retentionSettings"]["isDeleteAllowed"]')" False
call GET "$G/drives/$DRIVE/items/$HELD/retentionLabel"
expect "GET retentionLabel" "$(js 'd["name"]')" "Legal hold 7y"
call DELETE "$G/drives/$DRIVE/items/$HELD"
expect "DELETE held item: 403 accessDenied" "$STATUS $(js 'd["error"]["code"]')" "403 accessDenied"
call GET "$G/drives/$DRIVE/root:/Clients/Acme?\$select=id"
call DELETE "$G/drives/$DRIVE/items/$(js 'd["id"]')"
expect "DELETE folder holding a held item: 403" "$STATUS" 403
call GET "$G/drives/$DRIVE/root:/Clients/Acme/contract.docx?\$select=id"
D1=$(js 'd["id"]')
call GET "$G/drives/$DRIVE/items/$D1/content"
expect "GET content: 302" "$STATUS" 302
LOC=$(hdr Location)
expect "Location is a pre-authenticated URL on the emulator" "${LOC%%/_download/*}/_download/" "$BASE/_download/"
AT='' call GET "$LOC"
expect "download without Authorization: 200, content" "$STATUS $(cat "$T/body")" "200 hello from the emulator"
AT='' call GET "$LOC" -H 'Range: bytes=0-4'
expect "ranged download: 206" "$STATUS $(cat "$T/body")" "206 hello"
call POST "$G/drives/$DRIVE/items/$D1/permanentDelete"
expect "driveItem permanentDelete: 204" "$STATUS" 204
ctl GET "lookup?key=d1"
expect "state dump: d1 purged" "$(ctlq 'd["state"]')" purged
call GET "$G/sites/example.sharepoint.com:/sites/Clients"
SITE=$(js 'd["id"]')
expect "site by path" "$STATUS $(js 'd["displayName"]')" "200 Clients"
call GET "$G/sites/$SITE/drive/root:/Shared/report.pdf?\$select=name,size"
expect "site drive, path-addressed item" "$STATUS $(js 'd["size"]')" "200 64"

echo "== connection cut, keep-alive, request log"
ctl POST cut '{"after": 0}'
"${CURL[@]}" -H "Authorization: Bearer $AT" -o /dev/null "$U/mailFolders/inbox" 2>/dev/null
rc=$?
check "cut connection: request gets no answer (curl exit $rc)" test "$rc" != 0
call GET "$U/mailFolders/inbox"
expect "next request is answered again" "$STATUS" 200
reuse=$("${CURL[@]}" -v -H "Authorization: Bearer $AT" -o /dev/null -o /dev/null "$U/mailFolders/inbox" "$U/mailFolders/drafts" 2>&1 | grep -ci 're-using existing connection')
check "HTTP/1.1 keep-alive: connection reused" test "$reuse" -ge 1
mark=$(wc -l < "$T/log.jsonl")
call GET "$U/mailFolders/inbox/messages?\$top=3"
call GET "$U/calendars"
$PY - "$T/log.jsonl" "$mark" > "$T/logcheck" <<'PYEOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
new = lines[int(sys.argv[2]):]
print(len(new), all(e["method"] == "GET" and not e["mutating"] for e in new if e["kind"] == "graph"))
items = [e for e in lines if e["kind"] == "batch-item" and e["method"] == "DELETE"]
print(len(items), sum(1 for e in items if e["mutating"]), sum(1 for e in items if e["status"] == 429))
PYEOF
expect "request log: the last two requests are non-mutating GETs" "$(sed -n 1p "$T/logcheck")" "2 True"
expect "request log: 20 batch DELETEs, 19 mutating, 1 throttled" "$(sed -n 2p "$T/logcheck")" "20 19 1"

"${CURL[@]}" -X POST -o /dev/null "$BASE/_emu/shutdown"
for _ in $(seq 50); do kill -0 "$EMU_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$EMU_PID" 2>/dev/null; then bad "emulator stops on /_emu/shutdown"; else ok "emulator stops on /_emu/shutdown"; EMU_PID=; fi
if [[ -s $T/emu.err ]]; then bad "emulator wrote nothing to stderr" "$(head -c 600 "$T/emu.err")"; else ok "emulator wrote nothing to stderr"; fi

echo "$PASS passed, $FAIL failed"
[[ $FAIL == 0 ]]

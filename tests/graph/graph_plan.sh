#!/bin/bash
# lethe plan over Microsoft Graph (the loopback emulator): exactly the
# messages whose clock is at or before the cutoff are planned, to the second
# in UTC (1 s either side), by received and by sent time; folders are found
# by display path (a comma, non-ASCII, nested, hidden, a well-known name
# first); a message with the hold category is held; the plan sends nothing
# but GETs and the token POST (DESIGN.md invariant 1); a folder that is not
# there, or a calendar name that two calendars share, is an error naming
# it; credentials are refused when others may read them and never printed,
# a wrong secret is a clear error; rule settings are checked with FILE:LINE.
source "$(dirname "$0")/lib.sh"
setup_tmp
make_pki

# FIXED_NOW 2026-11-22T12:00:00Z, retain 12 months: due iff clock <= 2025-11-22T12:00:00Z
cat >"$T/seed.json" <<EOF
{ $(seed_app),
  "mailboxes": [{
    "upn": "cs@example.org",
    "folders": ["4, Dormant Clients", "Inbox/Clients/Réclamations", {"path": "Archive 2019", "hidden": true}],
    "messages": [
      {"folder": "Inbox/Clients/Réclamations", "subject": "r-before", "receivedDateTime": "2025-11-22T11:59:59Z", "internetMessageId": "<r1@example.net>"},
      {"folder": "Inbox/Clients/Réclamations", "subject": "r-at", "receivedDateTime": "2025-11-22T12:00:00Z"},
      {"folder": "Inbox/Clients/Réclamations", "subject": "r-after", "receivedDateTime": "2025-11-22T12:00:01Z"},
      {"folder": "Inbox/Clients/Réclamations", "subject": "r-old-held", "receivedDateTime": "2019-01-01T00:00:00Z", "categories": ["Blue", "lethe hold"]},
      {"folder": "Inbox/Clients/Réclamations", "subject": "r-new", "receivedDateTime": "2026-11-01T00:00:00Z"},
      {"folder": "Inbox", "subject": "inbox-old", "receivedDateTime": "2019-01-01T00:00:00Z"},
      {"folder": "sentitems", "subject": "s-before", "receivedDateTime": "2026-11-01T00:00:00Z", "sentDateTime": "2025-11-22T11:59:59Z"},
      {"folder": "sentitems", "subject": "s-at", "receivedDateTime": "2026-11-01T00:00:00Z", "sentDateTime": "2025-11-22T12:00:00Z"},
      {"folder": "sentitems", "subject": "s-after", "receivedDateTime": "2026-11-01T00:00:00Z", "sentDateTime": "2025-11-22T12:00:01Z"},
      {"folder": "sentitems", "subject": "s-old-received", "receivedDateTime": "2019-01-01T00:00:00Z", "sentDateTime": "2026-01-01T00:00:00Z"},
      {"folder": "4, Dormant Clients", "subject": "d-1", "receivedDateTime": "2026-11-22T11:00:00Z"},
      {"folder": "4, Dormant Clients", "subject": "d-2", "receivedDateTime": "2020-01-01T00:00:00Z", "categories": ["Keep me"]},
      {"folder": "Archive 2019", "subject": "hidden-old", "receivedDateTime": "2019-06-01T00:00:00Z"}
    ],
    "calendars": [{"name": "Calendar", "default": true}, {"name": "Twice"}, {"name": "Twice"}]
  }]
}
EOF
emu_start "$T/seed.json"
D=$T/lethe
write_graph_config "$D"
rule() { # NAME SOURCE [LINES...]
  printf '[rule %s]\nsource = %s\nretain = 12 months\naction = graph-delete\n' "$1" "$2"
  shift 2
  printf '%s\n' "$@"
  graph_settings "$D"
  printf '\n'
}
{
  rule recl 'graph://cs@example.org/mail/Inbox/Clients/R%C3%A9clamations'
  rule sent 'graph://cs@example.org/mail/sentitems' 'clock = sent'
  printf '[rule dormant]\nsource = graph://cs@example.org/mail/4, Dormant Clients\nretain = 0\n'
  printf 'every = 6 months\naction = graph-delete\nhold-category = Keep me\n'
  graph_settings "$D"
  printf '\n'
  rule hidden 'graph://cs@example.org/mail/Archive 2019'
} >"$D/rules.d/mail.ini"

run check "$LETHE" check -c "$D/lethe.ini"
expect_rc 0 check
start=$(wc -l <"$T/requests.jsonl")
plan_json plan
expect_rc 0 plan
json_ok "$T/plan.json" plan
subjects cs@example.org

expect() { # RULE EXPECTED
  local got
  got=$(plan_subjects "$T/plan.json" "$1")
  [[ $got == "$2" ]] || fail "rule $1 planned
$got
expected
$2"
}
expect recl 'delete r-at
delete r-before
held r-old-held'
expect sent 'delete s-at
delete s-before'
expect dormant 'delete d-1
held d-2'
expect hidden 'delete hidden-old'

jq -e '.items[] | select(.decision == "held" and .rule == "recl") | .reason |
  test("Outlook category .Lethe Hold.")' "$T/plan.json" >/dev/null ||
  fail "the held message does not say which category holds it"
jq -e '.rules[] | select(.name == "recl") | .summary.source_items == 5' "$T/plan.json" \
  >/dev/null || fail "the folder's 5 messages are not counted as the source's items"
h=$(printf '%s' '<r1@example.net>' | sha256sum | cut -d' ' -f1)
jq -e --arg h "$h" '.items[] | select(.message_id_sha256 == $h)' "$T/plan.json" >/dev/null ||
  fail "no item carries the SHA-256 of its internetMessageId"
! grep -q 'r1@example.net\|r-before' "$T/plan.json" || fail "the plan names a message id or subject"
jq -e '[.items[] | select(.rule == "recl") | .uri |
  startswith("graph://cs@example.org/mail/Inbox/Clients/R%C3%A9clamations/AAkAL")] | all' \
  "$T/plan.json" >/dev/null || fail "item URIs do not name the folder and the immutable id"
jq -e '[.items[] | .identity | test("^id=[^ ]+ changekey=[^ ]+$")] | all' "$T/plan.json" \
  >/dev/null || fail "identities are not id=... changekey=..."

# Invariant 1: the plan only read.
bad=$(log_mutations "$start")
[[ -z $bad ]] || fail "lethe plan sent requests that change or are not GETs:
$bad"
tail -n +"$((start + 1))" "$T/requests.jsonl" | jq -e -s \
  '[.[] | select(.kind == "token")] | length >= 1' >/dev/null || fail "no token request logged"
tail -n +"$((start + 1))" "$T/requests.jsonl" | jq -e -s \
  '[.[] | select(.method != "GET" and .kind != "token")] | length == 0' >/dev/null ||
  fail "a request other than a GET or the token POST during the plan"

# A folder that is not there, and a calendar name two calendars share: errors naming them.
{
  rule nope 'graph://cs@example.org/mail/Inbox/Nope'
  rule twice 'graph://cs@example.org/calendar/Twice'
} >"$D/rules.d/zz-bad.ini"
plan_json bad --rule nope --rule twice
[[ $RC != 0 ]] || fail "a missing folder was not an error"
expect_in bad "no folder named 'Nope' in folder 'Inbox'"
expect_in bad "2 calendars are named 'Twice'"
rm "$D/rules.d/zz-bad.ini"

# Secrets: refused when others may read them, never printed.
chmod 640 "$D/graph.cred"
plan_json perm --rule recl
[[ $RC != 0 ]] || fail "a group-readable credentials file was accepted"
expect_in perm "group or others"
write_graph_config "$D" secret
sed -i "s/^client-secret = .*/client-secret = not-the-Secret_0/" "$D/graph.cred"
plan_json wrong --rule recl
[[ $RC != 0 ]] || fail "a wrong client secret was accepted"
expect_in wrong "AADSTS7000215"
! grep -q 'not-the-Secret_0' "$T/wrong.out" "$T/wrong.err" || fail "the secret was printed"
write_graph_config "$D" secret
plan_json secret --rule recl
expect_rc 0 secret
! grep -qF "$SECRET" "$T/secret.out" "$T/secret.err" "$T/secret.json" ||
  fail "the secret was printed"

# Rule settings are checked, each error at its line.
cat >"$D/rules.d/zz-bad.ini" <<EOF
[rule b1]
source = graph://cs@example.org/mail/Inbox
retain = 1 year
action = graph-delete
cloud = moon
graph-endpoint = http://127.0.0.1:1
items = calendar
select = *.eml
clock = end

[rule b2]
source = graph://cs@example.org/notes/x
retain = 1 year
action = graph-delete

[rule b3]
source = graph://cs@example.org/calendar/Acme
retain = 1 year
action = graph-delete
items = calendar
clock = created
method = shred
EOF
run check2 "$LETHE" check -c "$D/lethe.ini"
expect_rc 2 check2
f=$D/rules.d/zz-bad.ini
expect_in check2 "$f:5: [rule b1]: setting 'cloud': expected global, usgov, usgov-dod or china"
expect_in check2 "$f:7: [rule b1]: items 'calendar': only a calendar source takes it"
expect_in check2 "select, except and subject apply to drive sources only"
expect_in check2 "clock 'end' does not apply to messages"
expect_in check2 "$f:12: [rule b2]: source 'graph://cs@example.org/notes/x': unknown kind 'notes'"
expect_in check2 "clock 'created' does not apply to a whole calendar"
expect_in check2 "setting 'method': expected permanent-delete or delete"
sed -i '/^cloud = moon/d' "$f"
run check3 "$LETHE" check -c "$D/lethe.ini"
expect_in check3 "setting 'graph-endpoint': expected https://HOST[:PORT]"
note "ok"

#!/bin/bash
# Between plan and apply the mailbox and the drive change: a message
# modified is skipped as changed; one that gets the hold category is held;
# one another client deleted is recorded as gone; one moved to another
# folder is skipped; a drive item whose eTag changed is skipped (If-Match
# with DELETE, a GET first with permanentDelete); one put on hold since (the
# service answers 403) and one labelled before the plan are held and
# survive. Everything else planned is deleted, and the certificate says
# exactly that of each item.
source "$(dirname "$0")/lib.sh"
setup_tmp
make_pki
command -v git >/dev/null || fail "git is required for the ledger"

m() { printf '{"key": "%s", "folder": "Inbox/Clients", "subject": "%s", "receivedDateTime": "2019-05-01T10:00:00Z"}' "$1" "$1"; }
d() { printf '{"key": "%s", "path": "%s", "size": 4096, "lastModifiedDateTime": "2019-05-01T10:00:00Z"%s}' "$1" "$2" "${3:-}"; }
cat >"$T/seed.json" <<EOF
{ $(seed_app),
  "mailboxes": [{"upn": "cs@example.org", "folders": ["Inbox/Clients", "Other"],
    "messages": [$(m k1), $(m k2), $(m k3), $(m k4), $(m k5), $(m k6)]}],
  "drives": [{"owner": "cs@example.org", "items": [
    $(d r1 "/Recordings/r1.mp4"), $(d r2 "/Recordings/r2.mp4" ', "retentionLabel": {"name": "Legal hold 7y", "isDeleteAllowed": false}'),
    $(d r3 "/Recordings/r3.mp4"), $(d r4 "/Recordings/r4.mp4"),
    $(d p1 "/Purge/p1.mp4"), $(d p2 "/Purge/p2.mp4")]}]
}
EOF
emu_start "$T/seed.json"
D=$T/lethe
write_graph_config "$D"
{
  printf '[rule mail]\nsource = graph://cs@example.org/mail/Inbox/Clients\nretain = 12 months\n'
  printf 'action = graph-delete\n'
  graph_settings "$D"
  printf '\n[rule rec]\nsource = graph://drive/cs@example.org/Recordings\nretain = 180 days\n'
  printf 'action = graph-delete\nmethod = delete\n'
  graph_settings "$D"
  printf '\n[rule purge]\nsource = graph://drive/cs@example.org/Purge\nretain = 180 days\n'
  printf 'action = graph-delete\n'
  graph_settings "$D"
} >"$D/rules.d/changed.ini"
run keygen "$LETHE" keygen -c "$D/lethe.ini"
expect_rc 0 keygen
run plan "$LETHE" plan -c "$D/lethe.ini" --format json -o "$T/plan.json"
expect_rc 0 plan
[[ $(jq '[.items[] | select(.decision == "delete")] | length' "$T/plan.json") == 11 ]] ||
  fail "expected 11 planned deletions: $(jq -c '[.items[] | [.rule, .decision]]' "$T/plan.json")"
jq -e '.items[] | select(.decision == "held") | .reason |
  test("retention label .Legal hold 7y. does not allow deletion")' "$T/plan.json" >/dev/null ||
  fail "the labelled drive item is not held with its label's name"

# The changes, by another client of the mailbox and by the emulator's hand.
k1=$(imm k1) k2=$(imm k2) k3=$(imm k3) k4=$(imm k4)
emu POST modify '{"key": "k1", "set": {"importance": "high"}}' >/dev/null || fail "modify k1"
graph_call PATCH "/users/cs@example.org/messages/$k2" '{"categories": ["Lethe Hold"]}' >/dev/null
graph_call POST "/users/cs@example.org/messages/$k3/permanentDelete" >/dev/null
graph_call POST "/users/cs@example.org/messages/$k4/move" '{"destinationId": "'"$(emu GET 'state?mailbox=cs@example.org' | jq -r '.mailboxes[].folders[] | select(.path == "Other") | .id')"'"}' >/dev/null
# r3: a hold from outside the item (a policy on the site): its eTag stays.
emu POST hold '{"key": "r3", "label": {"name": "Litigation", "isDeleteAllowed": false}, "touch": false}' \
  >/dev/null || fail "hold r3"
emu POST modify '{"key": "r4", "set": {"content": "edited"}}' >/dev/null || fail "modify r4"
emu POST modify '{"key": "p1", "set": {"content": "edited"}}' >/dev/null || fail "modify p1"

run apply "$LETHE" apply -c "$D/lethe.ini" --plan "$T/plan.json" --yes
expect_rc 0 apply

result() { # URI-SUFFIX-PATTERN: "result|reason or error"
  ledger_items "$D" | jq -r --arg p "$1" 'select(.uri | test($p)) | "\(.result)|\(.reason // "")"'
}
expect_result() { # PATTERN RESULT TEXT
  local r
  r=$(result "$1")
  [[ $r == "$2|"* && $r == *"$3"* ]] || fail "$1: certified as '$r', expected $2 ... $3"
}
expect_result "$k1\$" skipped "changed since planned: its changeKey"
expect_result "$k2\$" held "Outlook category 'Lethe Hold'"
expect_result "$k3\$" deleted ""
expect_result "$k4\$" skipped "moved to another folder"
expect_result "r3.mp4\$" held "on hold (HTTP 403"
expect_result "r4.mp4\$" skipped "HTTP 412"
expect_result "p1.mp4\$" skipped "eTag is no longer the planned one"
ledger_items "$D" | jq -e -s --arg id "$k3" 'map(select(.detail.id == $id)) | length == 1 and
  all(.detail.gone_already and .detail.http_status == 404 and
      (.level_reason | test("already gone")))' >/dev/null ||
  fail "the message deleted by another client is not recorded as gone already"
ledger_items "$D" | jq -e -s 'map(select(.uri | test("r1.mp4$"))) | length == 1 and
  all(.result == "deleted" and (.level_reason | test("recycle bin")) and
      .detail.method == "DELETE" and (.method | test("recoverable")))' >/dev/null ||
  fail "r1 is not certified deleted to the recycle bin"

# What is left: exactly the items not deleted.
left=$(emu_messages cs@example.org | awk -F'\t' '{ print $1 "|" $2 "|" $3 }' | tr '\n' ' ')
[[ $left == "Inbox/Clients|k1|present Inbox/Clients|k2|present Other|k4|present " ]] ||
  fail "the mailbox holds: $left"
files=$(emu GET state | jq -r '.drives[].items[] | select(.folder | not) | .name' | sort | tr '\n' ' ')
[[ $files == "p1.mp4 r2.mp4 r3.mp4 r4.mp4 " ]] || fail "the drive holds: $files"
gone=$(emu GET state | jq -r '.drives[].gone[] | "\(.name):\(.state)"' | sort | tr '\n' ' ')
[[ $gone == "p2.mp4:purged r1.mp4:recycled " ]] || fail "gone from the drive: $gone"
note "ok"

#!/bin/bash
# A client's calendar deleted as one item when the client leaves (items =
# calendar, clock events: a CSV of the date each client left): Acme left,
# its calendar and all its events go; Beta has not (no date: not judged);
# Gamma left but one of its events carries the hold category, so its
# calendar is held and stays. The default calendar is never deleted whole;
# its own old events are deleted one by one (clock end), the recent ones
# stay. The certificate lists exactly what is gone.
source "$(dirname "$0")/lib.sh"
setup_tmp
make_pki
command -v git >/dev/null || fail "git is required for the ledger"

ev() { printf '{"subject": "%s", "start": "%s", "end": "%s"%s}' "$1" "$2" "$3" "${4:-}"; }
cat >"$T/seed.json" <<EOF
{ $(seed_app),
  "mailboxes": [{"upn": "cs@example.org", "calendars": [
    {"name": "Calendar", "default": true, "events": [
      $(ev old-1 2024-01-10T09:00:00Z 2024-01-10T10:00:00Z),
      $(ev old-2 2025-11-22T11:00:00Z 2025-11-22T12:00:00Z),
      $(ev new-1 2025-11-22T11:30:00Z 2025-11-22T12:00:01Z),
      $(ev new-2 2026-12-01T09:00:00Z 2026-12-01T10:00:00Z)]},
    {"name": "Acme Ltd", "key": "acme", "events": [
      $(ev acme-1 2025-03-01T09:00:00Z 2025-03-01T10:00:00Z), $(ev acme-2 2026-01-01T09:00:00Z 2026-01-01T10:00:00Z)]},
    {"name": "Beta Ltd", "events": [$(ev beta-1 2026-01-01T09:00:00Z 2026-01-01T10:00:00Z)]},
    {"name": "Gamma Ltd", "events": [
      $(ev gamma-1 2025-01-01T09:00:00Z 2025-01-01T10:00:00Z ', "categories": ["Lethe Hold"]')]}]}]
}
EOF
emu_start "$T/seed.json"
D=$T/lethe
write_graph_config "$D"
printf 'client,left\nAcme Ltd,2026-10-01\nGamma Ltd,2026-09-01\n' >"$D/clients-left.csv"
{
  for c in 'Acme Ltd' 'Beta Ltd' 'Gamma Ltd'; do
    printf '[rule %s]\nsource = graph://cs@example.org/calendar/%s\nitems = calendar\n' "${c%% *}" "$c"
    printf 'clock = events:../clients-left.csv\nretain = 0\naction = graph-delete\n'
    graph_settings "$D"
    printf '\n'
  done
  printf '[rule meetings]\nsource = graph://cs@example.org/calendar/Calendar\nretain = 12 months\n'
  printf 'action = graph-delete\n'
  graph_settings "$D"
} >"$D/rules.d/calendars.ini"
run keygen "$LETHE" keygen -c "$D/lethe.ini"
expect_rc 0 keygen
plan_json plan
expect_rc 0 plan
line() { jq -r --arg r "$1" '.items[] | select(.rule == $r) | "\(.kind) \(.decision) \(.path)"' "$T/plan.json"; }
[[ $(line Acme) == "calendar delete Acme%20Ltd" ]] || fail "Acme: $(line Acme)"
[[ $(line Beta) == "calendar skip Beta%20Ltd" ]] || fail "Beta: $(line Beta)"
[[ $(line Gamma) == "calendar held Gamma%20Ltd" ]] || fail "Gamma: $(line Gamma)"
jq -e '.items[] | select(.rule == "Acme") | .uri == "graph://cs@example.org/calendar/Acme%20Ltd" and
  .size == 2' "$T/plan.json" >/dev/null || fail "the calendar item's URI is not its source's"
[[ $(line meetings | cut -d' ' -f1-2 | sort | uniq -c | tr -s ' ') == " 2 event delete" ]] ||
  fail "meetings: $(line meetings)"

# The whole default calendar: refused.
{
  printf '[rule whole]\nsource = graph://cs@example.org/calendar/Calendar\nitems = calendar\n'
  printf 'retain = 0\naction = graph-delete\n'
  graph_settings "$D"
} >"$D/rules.d/zz-whole.ini"
plan_json whole --rule whole
[[ $RC != 0 ]] || fail "a rule deleting the default calendar whole was planned"
expect_in whole "'Calendar' is the default calendar of cs@example.org: Lethe never deletes it"
rm "$D/rules.d/zz-whole.ini"

run apply "$LETHE" apply -c "$D/lethe.ini" --plan "$T/plan.json" --yes
expect_rc 0 apply
emu GET state | jq -r '.mailboxes[].calendars[] | "\(.name) \(.state)"' | LC_ALL=C sort >"$T/cals"
[[ $(tr '\n' '|' <"$T/cals") == "Acme Ltd purged|Beta Ltd present|Calendar present|Gamma Ltd present|" ]] ||
  fail "calendars after apply: $(cat "$T/cals")"
evs=$(emu GET state | jq -r '.mailboxes[].events[] | select(.state == "present") | .subject' | LC_ALL=C sort | tr '\n' ' ')
[[ $evs == "beta-1 gamma-1 new-1 new-2 " ]] || fail "events left: $evs"
acme=$(emu GET state | jq -r '.mailboxes[].calendars[] | select(.name == "Acme Ltd") | .id')
ids=$(ledger_items "$D" | jq -r 'select(.result == "deleted") | "\(.kind) \(.detail.id)"' | LC_ALL=C sort)
emu GET state >"$T/state.json"
want=$({
  printf 'calendar %s\n' "$(jq -r '.mailboxes[].calendars[] | select(.name == "Acme Ltd") | .id' "$T/state.json")"
  jq -r '.mailboxes[].purged[] | select(.kind == "event" and (.subject | startswith("old-"))) |
    "event \(.immutableId)"' "$T/state.json"
} | LC_ALL=C sort)
[[ $ids == "$want" ]] || fail "certified:
$ids
gone:
$want"
[[ $(jq '[.mailboxes[].purged[] | select(.kind == "event" and (.subject | startswith("acme")))] | length' \
  "$T/state.json") == 2 ]] || fail "Acme's events did not go with its calendar"
note "ok"

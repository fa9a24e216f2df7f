#!/bin/bash
# Teams meeting recordings deleted 180 days after they were made, unless
# moved into a client's '0 Confidential' folder: in the organiser's OneDrive
# (Recordings, with more files than one page of children) and in a team
# site's document library (Documents/Recordings, with method = delete: to
# the recycle bin). Only .mp4 files are selected; a file whose retention
# label does not allow deletion is held and survives; the certificates list
# exactly the files gone.
source "$(dirname "$0")/lib.sh"
setup_tmp
make_pki
command -v git >/dev/null || fail "git is required for the ledger"

NOW=$(date -u +%s)
OLD=$(date -u -d "@$((NOW - 200 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
YOUNG=$(date -u -d "@$((NOW - 100 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
f() { # PATH WHEN [EXTRA]
  printf '{"path": "%s", "size": 2048, "createdDateTime": "%s", "lastModifiedDateTime": "%s"%s}' \
    "$1" "$2" "$2" "${3:-}"
}
cat >"$T/seed.json" <<EOF
{ $(seed_app),
  "mailboxes": [{"upn": "cs@example.org"}],
  "drives": [{"owner": "cs@example.org", "items": [
      $(f "/Recordings/Weekly sync-20250101_100000-Meeting Recording.mp4" "$OLD"),
      $(f "/Recordings/Acme/Review-Meeting Recording.mp4" "$OLD"),
      $(f "/Recordings/Acme/0 Confidential/Board-Meeting Recording.mp4" "$OLD"),
      $(f "/Recordings/Acme/Notes.docx" "$OLD"),
      $(f "/Recordings/Young.mp4" "$YOUNG"),
      $(f "/Recordings/Held.mp4" "$OLD" ', "retentionLabel": {"name": "Client dispute", "isDeleteAllowed": false}'),
      $(f "/Other/Old.mp4" "$OLD")],
    "generate": [{"folder": "/Recordings/Bulk", "count": 230, "name_prefix": "call-", "ext": ".mp4",
                  "size": 100, "modified_from": "$OLD", "modified_to": "$OLD"}]}],
  "sites": [{"hostname": "example.sharepoint.com", "path": "/sites/Clients", "displayName": "Clients",
    "drives": [{"name": "Documents", "items": [
      $(f "/Recordings/Old.mp4" "$OLD"), $(f "/Recordings/0 Confidential/Secret.mp4" "$OLD"),
      $(f "/Recordings/New.mp4" "$YOUNG")]}]}]
}
EOF
emu_start "$T/seed.json"
D=$T/lethe
write_graph_config "$D"
{
  for src in 'graph://drive/cs@example.org/Recordings' \
             'graph://drive/example.sharepoint.com/sites/Clients/Documents/Recordings'; do
    printf '[rule %s]\nsource = %s\nselect = **/*.mp4\nexcept = **/0 Confidential/**\n' \
      "$([[ $src == *sharepoint* ]] && echo site || echo onedrive)" "$src"
    printf 'retain = 180 days\nclock = created\naction = graph-delete\n'
    [[ $src == *sharepoint* ]] && printf 'method = delete\n'
    graph_settings "$D"
    printf '\n'
  done
} >"$D/rules.d/recordings.ini"
run keygen "$LETHE" keygen -c "$D/lethe.ini"
expect_rc 0 keygen
start=$(wc -l <"$T/requests.jsonl")
run plan "$LETHE" plan -c "$D/lethe.ini" --format json -o "$T/plan.json"
expect_rc 0 plan
[[ -z $(log_mutations "$start") ]] || fail "lethe plan changed something on the drive"
grep -q '"\$filter' "$T/requests.jsonl" && fail "a children listing used \$filter"
decisions() { jq -r --arg r "$1" '.items[] | select(.rule == $r) | "\(.decision) \(.path)"' "$T/plan.json" | LC_ALL=C sort; }
got=$(decisions onedrive | grep -v 'Bulk/')
want="delete Acme/Review-Meeting%20Recording.mp4
delete Weekly%20sync-20250101_100000-Meeting%20Recording.mp4
held Held.mp4"
[[ $got == "$want" ]] || fail "onedrive planned
$got
expected
$want"
[[ $(decisions onedrive | grep -c '^delete Bulk/call-') == 230 ]] ||
  fail "the 230 files past the first page of children were not all planned"
[[ $(decisions site) == "delete Old.mp4" ]] || fail "site planned: $(decisions site)"
jq -e '.items[] | select(.decision == "held") | .reason |
  test("retention label .Client dispute. does not allow deletion")' "$T/plan.json" >/dev/null ||
  fail "the held recording does not name its label"

run apply "$LETHE" apply -c "$D/lethe.ini" --plan "$T/plan.json" --yes
expect_rc 0 apply
left=$(emu GET state | jq -r '.drives[].items[] | select(.folder | not) | .path' | LC_ALL=C sort | tr '\n' '|')
[[ $left == "/Other/Old.mp4|/Recordings/0 Confidential/Secret.mp4|/Recordings/Acme/0 Confidential/Board-Meeting Recording.mp4|/Recordings/Acme/Notes.docx|/Recordings/Held.mp4|/Recordings/New.mp4|/Recordings/Young.mp4|" ]] ||
  fail "the drives hold: $left"
emu GET state | jq -r '.drives[].gone[] | "\(.id) \(.state)"' | LC_ALL=C sort >"$T/gone"
[[ $(grep -c ' purged$' "$T/gone") == 232 && $(grep -c ' recycled$' "$T/gone") == 1 ]] ||
  fail "expected 232 files purged from the OneDrive and 1 recycled on the site: $(cut -d' ' -f2 "$T/gone" | uniq -c)"
ledger_items "$D" | jq -r 'select(.result == "deleted") | .detail.id' | LC_ALL=C sort >"$T/certified"
diff -u <(cut -d' ' -f1 "$T/gone") "$T/certified" >&2 || fail "the certificate does not list exactly the files gone"
ledger_items "$D" | jq -e -s 'all(.[]; .kind == "drive-item" and (.detail.drive | startswith("b!")) and
  (.uri | startswith("graph://drive/")))' >/dev/null || fail "certified drive items lack their drive or URI"
note "ok"

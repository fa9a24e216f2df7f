#!/bin/bash
# archive-then-graph-delete: messages are archived as MIME into a compressed
# mbox and drive files into a tar, each archive read back before anything is
# deleted; the archives hold exactly the deleted items, byte for byte (as
# Graph serves them: $value, and the download URL of /content), and each
# certified item names its archive and the archive's SHA-256. A calendar
# source, and an archive directory others may write to, are refused.
source "$(dirname "$0")/lib.sh"
setup_tmp
make_pki
command -v git >/dev/null || fail "git is required for the ledger"
command -v bsdtar >/dev/null || fail "bsdtar is required (libarchive-tools)"

m() { printf '{"folder": "Closed", "subject": "%s", "receivedDateTime": "2019-0%s-01T10:00:00Z", "body": "%s\\nFrom the start of a line\\n"}' "$1" "$2" "$3"; }
d() { printf '{"path": "%s", "content": "%s", "createdDateTime": "2019-05-01T10:00:00Z", "lastModifiedDateTime": "2019-05-01T10:00:00Z"}' "$1" "$2"; }
cat >"$T/seed.json" <<EOF
{ $(seed_app),
  "mailboxes": [{"upn": "cs@example.org", "folders": ["Closed"],
    "messages": [$(m one 1 'Dear client'), $(m two 2 'Second letter'), $(m three 3 'Third')]}],
  "drives": [{"owner": "cs@example.org", "items": [
    $(d "/Recordings/Acme/call 1.mp4" "first recording"), $(d "/Recordings/Beta – ü.mp4" "second recording")]}]
}
EOF
emu_start "$T/seed.json"
D=$T/lethe
write_graph_config "$D"
A=$T/archives
mkdir -m 700 "$A"
{
  printf '[rule closed]\nsource = graph://cs@example.org/mail/Closed\nretain = 12 months\n'
  printf 'action = archive-then-graph-delete\narchive-path = %s\n' "$A"
  graph_settings "$D"
  printf '\n[rule recordings]\nsource = graph://drive/cs@example.org/Recordings\nretain = 180 days\n'
  printf 'action = archive-then-graph-delete\narchive-path = %s\n' "$A"
  graph_settings "$D"
} >"$D/rules.d/archive.ini"
run keygen "$LETHE" keygen -c "$D/lethe.ini"
expect_rc 0 keygen

# What Graph serves, fetched by another client before anything is deleted.
subjects cs@example.org
while IFS=$'\t' read -r id subject; do
  graph_call GET "/users/cs@example.org/messages/$id/\$value" >"$T/mime-$subject"
done <"$T/subjects"

run apply "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 0 apply
[[ $(emu_messages cs@example.org | grep -c present) == 0 ]] || fail "messages left after apply"
[[ $(emu GET state | jq '[.drives[].items[] | select(.folder | not)] | length') == 0 ]] ||
  fail "files left after apply"

mbox=$(ls "$A"/closed-Closed-*.mbox.gz) || fail "no mbox archive in $A"
tar=$(ls "$A"/recordings-Recordings-*.tar.gz) || fail "no tar archive in $A"
[[ $(stat -c %a "$mbox") == 600 && $(stat -c %a "$tar") == 600 ]] || fail "archives are not mode 0600"
zcat "$mbox" >"$T/mbox"
[[ $(grep -c '^From MAILER-DAEMON ' "$T/mbox") == 3 ]] || fail "the mbox does not hold 3 messages"
grep -q '^>From the start of a line' "$T/mbox" || fail "a body line starting with From is not quoted"
for s in one two three; do
  "$PY" - "$T/mbox" "$T/mime-$s" <<'EOF' || fail "message $s is not in the mbox byte for byte"
import sys
box = open(sys.argv[1], "rb").read()
msg = open(sys.argv[2], "rb").read()
quoted = b"\n".join((b">" + l) if l.lstrip(b">").startswith(b"From ") else l for l in msg.split(b"\n"))
sys.exit(0 if quoted in box else 1)
EOF
done
mkdir "$T/x"
LC_ALL=C.UTF-8 bsdtar -xf "$tar" -C "$T/x" || fail "bsdtar cannot read the tar"
[[ $(cat "$T/x/Acme/call 1.mp4") == "first recording" ]] || fail "call 1.mp4 is not in the tar as served"
[[ $(cat "$T/x/Beta – ü.mp4") == "second recording" ]] || fail "the non-ASCII name is not in the tar"

for f in "$mbox" "$tar"; do
  sha=$(sha256sum "$f" | cut -d' ' -f1)
  n=$(ledger_items "$D" | jq -s --arg a "$f" --arg s "$sha" \
    '[.[] | select(.result == "deleted" and .detail.archive == $a and .detail.archive_sha256 == $s)] | length')
  [[ $n == "$([[ $f == *.mbox.gz ]] && echo 3 || echo 2)" ]] ||
    fail "$f: $n certified items name it with its SHA-256"
done
ledger_items "$D" | jq -e -s 'all(.[]; .method | test("archived into"))' >/dev/null ||
  fail "the certificate's method does not say the items were archived"

# Refusals, without touching anything.
chmod 770 "$A"
run check "$LETHE" check -c "$D/lethe.ini"
expect_rc 2 check
expect_in check "is group- or world-writable"
chmod 700 "$A"
{
  printf '[rule cal]\nsource = graph://cs@example.org/calendar/Calendar\nretain = 1 year\n'
  printf 'action = archive-then-graph-delete\narchive-path = %s\n' "$A"
  graph_settings "$D"
} >"$D/rules.d/zz-cal.ini"
run check2 "$LETHE" check -c "$D/lethe.ini"
expect_rc 2 check2
expect_in check2 "a calendar source takes graph-delete"
note "ok"

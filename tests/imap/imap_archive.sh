#!/bin/bash
# archive-then-expunge against a real Dovecot: the planned messages end up
# in a compressed mbox that zcat (mbox.gz) and bsdtar -xO (tar.zst) read,
# each message byte for byte once the mboxrd quoting of ^>*From lines is
# undone; the certificate detail names the archive and its SHA-256; only
# then are the messages expunged.
source "$(dirname "$0")/lib.sh"
setup_tmp
[[ -n ${ATE_SO:-} ]] || skip "the archive-then-expunge plugin is not built"
command -v zcat >/dev/null && command -v bsdtar >/dev/null || skip "zcat or bsdtar missing"
dovecot_start

M=$T/msg
mkdir -p "$M"
message "$M/1" '<a1@example.org>' 'Sat, 22 Nov 2025 11:59:59 +0000' \
  $'From the start of the body\r\n>From quoted once\r\n>>From quoted twice\r\nFrom: not a header\r\nFromage is no separator\r\n\r\nFrom '
message "$M/2" '<a2@example.org>' 'Sat, 22 Nov 2025 11:59:59 +0000' $'Grüße aus Köln — 日本語\r\n'
# a message of 2 MB, beyond the reader's default literal bound
{
  printf 'From: big@example.org\r\nDate: Sat, 22 Nov 2025 11:59:59 +0000\r\nMessage-ID: <big@example.org>\r\n\r\n'
  for ((i = 0; i < 25000; i++)); do printf 'line %06d of a long message, padded to about eighty bytes ......\r\n' $i; done
} >"$M/3"
message "$M/4" '<a4@example.org>' 'Sat, 22 Nov 2025 11:59:59 +0000'
head -c -2 "$M/4" >"$M/5" # ends without CRLF
old='01-Mar-2025 10:00:00 +0000'
peer >"$T/seed.out" <<EOS || fail "seeding failed: $(tail -n 3 "$T/seed.out")"
CREATE "Archive Me"
$(append 'Archive Me' '\Seen' "$old" "$M/1")
$(append 'Archive Me' '' "$old" "$M/2")
$(append 'Archive Me' '' "$old" "$M/3")
$(append 'Archive Me' '' '01-Nov-2026 10:00:00 +0000' "$M/4")
$(append 'Archive Me' '' "$old" "$M/5")
CREATE "Tarred"
$(append Tarred '' "$old" "$M/1")
$(append Tarred '' "$old" "$M/2")
EOS

D=$T/lethe
write_imap_config "$D"
{
  printf '[rule archived]\nsource = %s\nretain = 12 months\n' "$(source_uri Archive%20Me)"
  printf 'action = archive-then-expunge\narchive-path = %s\n' "$T/archive"
  printf 'credentials = ../imap.secret\ntls = none\n\n'
  printf '[rule tarred]\nsource = %s\nretain = 12 months\n' "$(source_uri Tarred)"
  printf 'action = archive-then-expunge\narchive-path = %s\narchive-format = tar.zst\n' "$T/tar"
  printf 'credentials = ../imap.secret\ntls = none\n'
} >"$D/rules.d/mail.ini"
mkdir -m 700 "$T/archive" "$T/tar"
run check "$LETHE" check -c "$D/lethe.ini"
expect_rc 0 check
run plan "$LETHE" plan -c "$D/lethe.ini" --now "$FIXED_NOW" --format json -o "$T/plan.json"
expect_rc 0 plan
ids() { jq -r --arg r "$1" '.items[] | select(.rule == $r and .decision == "delete") | .identity' "$T/plan.json"; }
mapfile -t a_ids < <(ids archived)
mapfile -t t_ids < <(ids tarred)
[[ ${#a_ids[@]} == 4 && ${#t_ids[@]} == 2 ]] || fail "planned ${#a_ids[@]} and ${#t_ids[@]}, expected 4 and 2"

# split_mbox DIR < MBOX: one file per message, mboxrd quoting undone and
# the blank separator line dropped, as a mail reader would read it.
split_mbox() {
  LC_ALL=C awk -v dir="$1" '
    function flush() { if (n) { for (i = 1; i < n; i++) printf "%s\n", buf[i] > (dir "/" m); close(dir "/" m) } n = 0 }
    /^From / { flush(); m++; next }
    { line = $0; if (line ~ /^>+From /) line = substr(line, 2); buf[++n] = line }
    END { flush() }'
}
# same FILE ARCHIVED: byte for byte, allowing the newline an mbox adds to a
# message that lacks a final one
same() {
  cmp -s "$1" "$2" || cmp -s <(cat "$1"; printf '\n') "$2"
}

settings=(-s "credentials=$D/imap.secret" -s tls=none)
run ate "$IMAP_DRIVER" messages -S "$(source_uri Archive%20Me)" "${settings[@]}" -s "archive-path=$T/archive" \
  "$ATE_SO" "${a_ids[@]}"
expect_rc 0 ate
[[ $(grep -c ' deleted logical-delete | ' "$T/ate.out") == 4 ]] || fail "archive: $(cat "$T/ate.out")"
archive=$(ls "$T/archive"/*.mbox.gz) || fail "no archive written"
[[ $(ls "$T/archive" | wc -l) == 1 ]] || fail "more than one archive for one batch"
hex=$(sha256sum "$archive" | cut -c1-64)
grep -q "{\"archive\":\"$archive\",\"message_id_sha256\":\"[0-9a-f]\{64\}\",\"sha256\":\"$hex\"}" \
  "$T/ate.out" || fail "the detail does not name the archive and its SHA-256: $(head -n 1 "$T/ate.out")"
[[ $(stat -c %a "$archive") == 600 ]] || fail "the archive is not mode 0600"
mkdir "$T/x"
zcat "$archive" | split_mbox "$T/x"
[[ $(ls "$T/x" | wc -l) == 4 ]] || fail "zcat shows $(ls "$T/x" | wc -l) messages, not 4"
for f in 1 2 3 5; do
  found=
  for g in "$T"/x/*; do same "$M/$f" "$g" && found=1; done
  [[ -n $found ]] || fail "message $f is not in the mbox byte for byte"
done
[[ $(uids 'Archive Me' | tr '\n' ' ') == "4 " ]] || fail "Archive Me holds $(uids 'Archive Me' | tr '\n' ' ')"

run tar "$IMAP_DRIVER" messages -S "$(source_uri Tarred)" "${settings[@]}" -s "archive-path=$T/tar" \
  -s archive-format=tar.zst "$ATE_SO" "${t_ids[@]}"
expect_rc 0 tar
[[ $(grep -c ' deleted logical-delete | ' "$T/tar.out") == 2 ]] || fail "tar: $(cat "$T/tar.out")"
mkdir "$T/y"
bsdtar -xOf "$T"/tar/*.tar.zst | split_mbox "$T/y"
bsdtar -tf "$T"/tar/*.tar.zst | has -x 'Tarred.mbox' || fail "the tar does not hold Tarred.mbox"
for f in 1 2; do
  found=
  for g in "$T"/y/*; do same "$M/$f" "$g" && found=1; done
  [[ -n $found ]] || fail "message $f is not in the tar's mbox byte for byte"
done
[[ -z $(uids Tarred) ]] || fail "Tarred was not emptied"

# An archive directory others may write to is refused before anything.
chmod 770 "$T/tar"
run bad "$IMAP_DRIVER" messages -S "$(source_uri Tarred)" "${settings[@]}" -s "archive-path=$T/tar" \
  "$ATE_SO" "${t_ids[@]}"
expect_rc 3 bad
grep -q "group- or world-writable" "$T/bad.err" || fail "no clear error: $(cat "$T/bad.err")"
note "ok"

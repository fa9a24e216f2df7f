#!/bin/bash
# Deleted subjects stay deleted, end to end through lethe: an inactive
# client's folder is deleted from a share and certified; the next run
# purges that client's folder from three older backups (tar.gz by GNU tar,
# zip by Info-ZIP, 7z by bsdtar), read back and verified, leaving the other
# clients byte-identical; lethe restore-check finds the client in a fourth
# backup (exit 3), purges it with --purge, and then finds nothing. A plan
# changes nothing anywhere, a held entry stays, and a truncated backup is
# reported and left byte-identical.
. "$(dirname "$0")/../lib/common.sh"
tmp_setup archive
for t in tar bsdtar zip unzip ssh-keygen git; do
  command -v "$t" >/dev/null || skip "$t is not installed"
done

D=$T/site
mkdir -p "$D/share/Clients/Acme Ltd/0 Confidential" "$D/share/Clients/Borealis Énergie" \
  "$D/backups" "$D/tapes" "$D/rules.d"
printf 'name,email\nJo,jo@example.org\n' >"$D/share/Clients/Acme Ltd/0 Confidential/list.csv"
printf 'proposal\n' >"$D/share/Clients/Acme Ltd/proposal.txt"
printf 'contract\n' >"$D/share/Clients/Borealis Énergie/contract.txt"
printf 'notes\n' >"$D/share/Clients/Borealis Énergie/notes.txt"
# The backups were taken while Acme was still a client.
(cd "$D/share" && tar -czf "$D/backups/2024-01.tar.gz" Clients && zip -qr "$D/backups/2024-02.zip" Clients &&
  LC_ALL=C.UTF-8 bsdtar --format 7zip -cf "$D/backups/2024-03.7z" Clients && tar -czf "$D/tapes/2024-04.tar.gz" Clients) ||
  fail "cannot make the backups"
head -c 100 "$D/backups/2024-01.tar.gz" >"$D/backups/2024-05.tar.gz"   # truncated
find "$D/share/Clients/Acme Ltd" -exec touch -h -d 2024-05-01 {} +

cat >"$D/lethe.ini" <<EOF
[agent]
rules = rules.d
state = state
key = key/signing.key
ledger = ledger
EOF
cat >"$D/rules.d/10.ini" <<EOF
[rule clients]
source = file://$(uri_encode "$D/share/Clients")
subject = */
clock = newest
retain = 12 months
action = unlink
remove-empty-dirs = subject
[rule backups]
source = file://$(uri_encode "$D/backups")
inside = *.tar.gz
inside = *.zip
inside = *.7z
subject = Clients/*/
clock = deleted:clients
retain = 0
action = archive-purge
[hold acme-proposal]
match = file://$D/backups/2024-02.zip#Clients/Acme*/proposal.txt
reason = litigation
EOF

sums() { (cd "$1" && find . -type f ! -name '.*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); }
listing() {
  case $1 in
    *.zip) LC_ALL=C.UTF-8 unzip -Z1 "$1" ;;
    *.7z) LC_ALL=C.UTF-8 bsdtar -tf "$1" ;;
    *) tar --quoting-style=literal -tzf "$1" ;;
  esac | sed 's:/$::' | LC_ALL=C sort
}
extract_sums() {
  rm -rf "$T/x" && mkdir "$T/x"
  LC_ALL=C.UTF-8 bsdtar -xf "$1" -C "$T/x" || fail "cannot extract $1"
  sums "$T/x/Clients/Borealis Énergie"
}

run keygen "$LETHE" keygen -c "$D/lethe.ini"
expect_rc 0 keygen
for b in "$D"/backups/2024-0[123].*; do extract_sums "$b" >"$T/$(basename "$b").borealis"; done
sums "$D/backups" >"$T/before"

# 1. The share: Acme is deleted and certified. The backups are not touched
#    yet: the history the clock reads had no deletion of Acme when it began.
run first "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 first
[[ ! -e "$D/share/Clients/Acme Ltd" ]] || fail "the inactive client was not deleted"
[[ -e "$D/share/Clients/Borealis Énergie/contract.txt" ]] || fail "the live client was deleted"
sums "$D/backups" | diff - "$T/before" >/dev/null || fail "the first run changed a backup"

# 2. A plan lists Acme's entries in each readable backup, and changes nothing.
run plan "$LETHE" plan -c "$D/lethe.ini" --format json
expect_rc 0 plan
sums "$D/backups" | diff - "$T/before" >/dev/null || fail "lethe plan changed a backup"
jq -e '[.items[] | select(.rule == "backups" and .decision == "delete")
        | select(.uri | test("Borealis"))] | length == 0' "$T/plan.out" >/dev/null ||
  fail "the plan would purge a live client's entries"
n=$(jq '[.items[] | select(.rule == "backups" and .decision == "delete")] | length' "$T/plan.out")
[[ $n == 11 ]] || fail "the plan lists $n of Acme's entries, expected 11 (4 in each of 3 backups, one held)"
jq -e '.items[] | select(.decision == "held") | select(.uri | endswith("2024-02.zip#Clients/Acme%20Ltd/proposal.txt"))' \
  "$T/plan.out" >/dev/null || fail "the held entry is not held"
jq -e '.items[] | select(.decision == "skip" and (.uri | endswith("2024-05.tar.gz")))
       | select(.reason | test("cannot read the archive"))' "$T/plan.out" >/dev/null ||
  fail "the truncated backup is not reported as unreadable"

# 3. The next run purges Acme from the three backups.
run second "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 second
for b in "$D"/backups/2024-0[123].*; do
  got=$(listing "$b")
  want=$(printf '%s\n' Clients "Clients/Borealis Énergie" "Clients/Borealis Énergie/contract.txt" \
    "Clients/Borealis Énergie/notes.txt" $([[ $b == *.zip ]] && echo "Clients/Acme@Ltd/proposal.txt") |
    tr @ ' ' | LC_ALL=C sort)
  [[ $got == "$want" ]] || fail "$(basename "$b") lists, after the purge:
$got"
  extract_sums "$b" | diff - "$T/$(basename "$b").borealis" >/dev/null ||
    fail "$(basename "$b"): the kept entries changed"
done
tar -tzf "$D/backups/2024-01.tar.gz" >/dev/null && unzip -tq "$D/backups/2024-02.zip" >/dev/null ||
  fail "a purged backup does not read back cleanly"
grep -F "$(sha256sum "$D/backups/2024-05.tar.gz" | cut -d' ' -f1)" "$T/before" >/dev/null ||
  fail "the truncated backup was changed"
[[ -z $(find "$D/backups" -name '.lethe-purge-*') ]] || fail "a purge left temporary files"

# The certificate names each purged entry, the archive before and after.
c=$(git -C "$D/ledger" log -1 --name-only --format= -- certificates | grep '\.json$')
cert_items "$D/ledger/$c" | jq -se '[.[] | select(.rule == "backups" and .result == "deleted")] | length == 11' \
  >/dev/null || fail "the certificate does not list the 11 purged entries"
cert_items "$D/ledger/$c" | jq -se '[.[] | select(.rule == "backups" and .result == "deleted") | .detail
        | select(.archive_old_sha256 and .archive_new_sha256 and .archive_old_sha256 != .archive_new_sha256)]
       | length == 11' >/dev/null || fail "the certificate lacks the archives' hashes"
run verify "$LETHE" verify -c "$D/lethe.ini"
expect_rc 0 verify

# 4. Before a restore: the tape still holds Acme.
run check "$LETHE" restore-check -c "$D/lethe.ini" "$D/tapes"
expect_rc 3 check
grep -q 'tapes/2024-04.tar.gz#Clients/Acme%20Ltd/proposal.txt' "$T/check.out" ||
  fail "restore-check does not list Acme's entry: $(cat "$T/check.out")"
! grep -q Borealis "$T/check.out" || fail "restore-check lists a live client"
run purge "$LETHE" restore-check -c "$D/lethe.ini" --purge "$D/tapes/2024-04.tar.gz"
expect_rc 0 purge
run again "$LETHE" restore-check -c "$D/lethe.ini" "$D/tapes"
expect_rc 0 again
[[ ! -s $T/again.out ]] || fail "restore-check still lists: $(cat "$T/again.out")"
note "ok"

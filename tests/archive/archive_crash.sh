#!/bin/bash
# A purge killed at each of its fault points (SIGKILL through the crash
# hook, while writing, verifying, swapping, shredding the old data, and
# between the journal's steps), then `lethe run`: the file under the
# archive's name is the original or the verified purged archive, never
# neither and never half-written; the next run completes the purge, no
# temporary file is left, and the certificates list as deleted exactly the
# entries gone from the archive, each once.
. "$(dirname "$0")/../lib/common.sh"
need_fault_injection
tmp_setup archive
for t in tar ssh-keygen git; do
  command -v "$t" >/dev/null || skip "$t is not installed"
done

make_site() {
  local d=$1
  rm -rf "$d" && mkdir -p "$d/src/Clients/Acme/docs" "$d/src/Clients/Beta" "$d/backups" "$d/rules.d"
  for i in 1 2 3; do printf 'acme %d\n' "$i" >"$d/src/Clients/Acme/docs/$i.txt"; done
  for i in 1 2 3 4 5; do head -c 20000 /dev/urandom >"$d/src/Clients/Beta/$i.bin"; done
  cat >"$d/lethe.ini" <<EOF
[agent]
rules = rules.d
state = state
key = key/signing.key
ledger = ledger
EOF
  # Acme's entries, old enough, are purged from the backup.
  cat >"$d/rules.d/10.ini" <<EOF
[rule backups]
source = file://$d/backups
inside = *.tar.gz
subject = Clients/*/
select = Clients/Acme
select = Clients/Acme/**
retain = 1 day
action = archive-purge
EOF
  find "$d/src" -exec touch -h -d 2020-01-01 {} +
  (cd "$d/src" && tar -czf "$d/backups/b.tar.gz" Clients)
  "$LETHE" keygen -c "$d/lethe.ini" >/dev/null 2>&1 || fail "keygen failed"
}

acme_gone() { ! tar -tzf "$1" | has Acme; }

K=1
while :; do
  D=$T/k$K
  make_site "$D"
  LETHE_TEST_KILL_AT=$K run crash "$LETHE" run -c "$D/lethe.ini"
  killed=$RC
  run recover "$LETHE" run -c "$D/lethe.ini"
  expect_rc 0 recover
  a=$D/backups/b.tar.gz
  [[ -f $a ]] || fail "K=$K: the archive is missing"
  # The recovering run finishes what the killed one began: Acme is gone,
  # Beta is whole, and no temporary file is left.
  tar -tzf "$a" >/dev/null || fail "K=$K: the archive under its name does not read"
  acme_gone "$a" || fail "K=$K: after recovery the archive still holds Acme"
  [[ $(tar -tzf "$a" | grep -c 'Beta/.') == 5 ]] || fail "K=$K: Beta's entries are not all there"
  [[ -z $(find "$D/backups" -name '.lethe-purge-*') ]] || fail "K=$K: temporary files left:
$(ls -A "$D/backups")"
  # Every entry gone is certified deleted, once, whoever finished it.
  n=$(find "$D/ledger/certificates" -name '*.json' ! -name '*.part-*' |
      while IFS= read -r c; do cert_items "$c"; done |
      jq -s '[.[] | select(.result == "deleted") | .uri] | unique | length')
  m=$(find "$D/ledger/certificates" -name '*.json' ! -name '*.part-*' |
      while IFS= read -r c; do cert_items "$c"; done |
      jq -s '[.[] | select(.result == "deleted") | .uri] | length')
  [[ $n == 5 && $m == 5 ]] || fail "K=$K: $m deletions certified ($n distinct), 5 expected"
  git -C "$D/ledger" fsck --no-progress >/dev/null 2>&1 || fail "K=$K: the ledger fails git fsck"
  [[ $killed == 137 ]] || break
  K=$((K + 1))
  ((K < 60)) || fail "still killed at K=$K: the hook never lets the run finish"
done
note "killed at each of $((K - 1)) fault points; recovered each time"

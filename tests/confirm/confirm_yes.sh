#!/bin/bash
# lethe confirm --yes on a trainer's home with personal data planted in
# txt, csv, xlsx, docx, pptx, odt and pdf files, clean look-alikes, a
# symlink out of the home and a 1 GiB file: it finds exactly the planted
# files, shreds them with a certificate, signs an attestation that
# ssh-keygen -Y verify accepts, and pushes it to the central ledger on the
# trainer's own branch. Memory stays flat over the 1 GiB file. A second
# run finds nothing and attests again, covering the time since the first.
. "$(dirname "$0")/lib.sh"
setup_tmp
make_home
make_trainer "Ada Trainer" ada@example.org 'policy = Data protection policy 2.1 (faculty)
'
KEY=$HOME/.config/lethe/signing.key
L=$HOME/.local/state/lethe/ledger

if [[ -x /usr/bin/time ]]; then
  run yes /usr/bin/time -f 'maxrss_kb %M' "$LETHE" confirm --yes
else
  run yes "$LETHE" confirm --yes
fi
expect_rc 0 yes
expect_in yes "Personal data found in 7 files"
expect_in yes "pushed to $T/central.git"

# exactly the planted files were found, and are gone; nothing else moved
sed -n 's/^ *[0-9]*  \(.*\)  ([a-z]*, .*$/\1/p' "$T/yes.out" | sort >"$T/found"
diff -u "$T/planted" "$T/found" >"$T/found.diff" || fail "found is not planted: $(cat "$T/found.diff")"
while IFS= read -r f; do
  [[ ! -e $HOME/$f ]] || fail "planted $f was not deleted"
done <"$T/planted"
for f in Downloads/agenda.csv "Documents/Workshop 2026/outline.docx" \
  "Documents/Workshop 2026/rooms.xlsx" Desktop/readme.txt Desktop/slides.pdf \
  Documents/archive/recordings-index.txt; do
  [[ -f $HOME/$f ]] || fail "clean file $f was deleted"
done
[[ -L $HOME/Desktop/link-to-elsewhere && -s /etc/passwd ]] || fail "the symlink or its target changed"
[[ $(stat -c %s "$HOME/Documents/archive/recordings-index.txt") == 1073741824 ]] ||
  fail "the 1 GiB file changed"
rss=$(sed -n 's/^maxrss_kb //p' "$T/yes.err")
[[ -z $rss || $rss -lt 512000 ]] || fail "lethe confirm used $rss KiB over a 1 GiB file"

# the certificate: the planted files, shredded
cert=$(git -C "$L" log --diff-filter=A --name-only --format= -- 'certificates/*.json' | grep 'json$')
[[ $(wc -l <<<"$cert") == 1 ]] || fail "expected one certificate, got: $cert"
cert_items "$L/$cert" | jq -r 'select(.result == "deleted" and .plugin == "shred") | .uri' |
  sed "s|^file://$(uri_encode "$HOME")/||" | while IFS= read -r u; do uri_decode "$u"; echo; done |
  sort >"$T/certified"
diff -u "$T/planted" "$T/certified" >"$T/cert.diff" || fail "certified is not planted: $(cat "$T/cert.diff")"

# the attestation: signed, checkable with OpenSSH alone, and saying it all
att=$(the_attestation "$L")
[[ -n $att ]] || fail "no attestation in the ledger"
out=$(ssh-keygen -Y verify -f "$KEY.allowed_signers" -I ada@example.org -n attestation@lethe \
  -s "$L/$att.sig" <"$L/$att" 2>&1) || fail "ssh-keygen -Y verify rejects the attestation: $out"
[[ $out == *'Good "attestation@lethe" signature for ada@example.org'* ]] || fail "ssh-keygen: $out"
fp=$(ssh-keygen -lf "$KEY.pub" | cut -d' ' -f2)
jq -e --arg fp "$fp" --arg cert "$cert" --arg sha "$(sha256sum "$L/$cert" | cut -d' ' -f1)" \
  --arg home "$HOME" '
  .schema == "lethe-attestation/1" and .who.email == "ada@example.org" and
  .who.name == "Ada Trainer" and .who.key_fingerprint == $fp and
  .policy == "Data protection policy 2.1 (faculty)" and .covers.from == null and
  .folders == [$home + "/Downloads", $home + "/Desktop", $home + "/Documents"] and
  .before.files == 7 and .before.values.email == 8 and .before.values.iban == 1 and
  .after.files == 0 and ([.after.values[]] | add) == 0 and .files_scanned == 13 and
  (.certificates | length) == 1 and .certificates[0].path == $cert and
  .certificates[0].sha256 == $sha and .certificates[0].deleted == 7 and
  .exceptions == [] and (.statement | length) > 50 and
  (.scanner.rules_sha256 | length) == 64 and (.scanner.detectors | length) == 8' \
  "$L/$att" >/dev/null || fail "the attestation does not say what was done: $(jq -c . "$L/$att")"

# the central ledger has it, on the trainer's branch; every commit is signed
branch=$(git -C "$T/central.git" for-each-ref --format='%(refname:short)' refs/heads/confirm/)
[[ $branch == confirm/ada@example.org/* ]] || fail "no trainer branch in the central ledger: $branch"
[[ $(git -C "$T/central.git" rev-parse "$branch") == $(git -C "$L" rev-parse HEAD) ]] ||
  fail "the central ledger does not have the trainer's head"
git clone -q -b "$branch" "$T/central.git" "$T/audit" || fail "git clone"
for c in $(git -C "$T/audit" log --format=%H); do
  out=$(git -C "$T/audit" -c gpg.ssh.allowedSignersFile="$T/audit/allowed_signers" \
    verify-commit "$c" 2>&1) || fail "git verify-commit rejects $c: $out"
done

# again: nothing left to find; the new attestation covers the time since
run again "$LETHE" confirm --yes
expect_rc 0 again
expect_in again "No personal data found."
att2=$(the_attestation "$L")
[[ $att2 != "$att" ]] || fail "no second attestation"
jq -e --arg from "$(jq -r .attested_at "$L/$att")" \
  '.covers.from == $from and .before.files == 0 and .certificates == []' "$L/$att2" \
  >/dev/null || fail "second attestation: $(jq -c '{covers, before, certificates}' "$L/$att2")"
[[ $(git -C "$T/central.git" rev-parse "$branch") == $(git -C "$L" rev-parse HEAD) ]] ||
  fail "the second attestation was not pushed"
# lethe verify accepts the trainer's ledger, certificates and attestations,
# and the trainer's branch of the central one
run verify "$LETHE" verify --ledger "$L"
expect_rc 0 verify
git -C "$T/audit" pull -q || fail "git pull"
run verify_central "$LETHE" verify --ledger "$T/audit"
expect_rc 0 verify_central
# ...but not an attestation forged after the fact, even in a commit signed
# by an allowed key: its own signature is checked
git clone -q "$L" "$T/forged" || fail "git clone"
# (lethe's key file is PKCS#8; git signs through ssh-keygen, which reads
# the OpenSSH form of the same key)
python3 -c '
import sys
from cryptography.hazmat.primitives import serialization as s
k = s.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
sys.stdout.buffer.write(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.OpenSSH, s.NoEncryption()))
' "$KEY" >"$T/key.openssh" && chmod 600 "$T/key.openssh" || fail "cannot convert the key"
forged=$(dirname "$att2")/$(cat /proc/sys/kernel/random/uuid).json
sed 's/Ada Trainer/Eve Trainer/' "$L/$att2" >"$T/forged/$forged"
cp "$L/$att2.sig" "$T/forged/$forged.sig"
git -C "$T/forged" add -A && git -C "$T/forged" -c user.name=Eve -c user.email=eve@example.org \
  -c gpg.format=ssh -c user.signingkey="$T/key.openssh" commit -q -S -m "Attestation, forged" \
  >"$T/forge.log" 2>&1 || fail "cannot commit the forged attestation: $(cat "$T/forge.log")"
run verify_forged "$LETHE" verify --ledger "$T/forged"
expect_rc 1 verify_forged
expect_in verify_forged "attestation whose signature does not verify"

# no private key bytes anywhere in what lethe printed
while IFS= read -r line; do
  [[ $line == -----* || -z $line ]] && continue
  ! grep -rqF -- "$line" "$T"/*.out "$T"/*.err || fail "private key bytes printed"
done <"$KEY"
note "7 planted files of 7 formats found among 13, shredded, certified, attested, pushed${rss:+; max RSS $rss KiB}"

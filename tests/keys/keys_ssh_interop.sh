#!/bin/bash
# Interoperability with OpenSSH: what lethe signs, ssh-keygen -Y verify
# accepts with the allowed_signers file lethe keygen wrote, for the namespaces
# that file grants; what ssh-keygen -Y sign makes, lethe verifies; and both
# refuse another namespace or a changed message.
. "$(dirname "$0")/lib.sh"
setup_tmp
need_ssh_keygen

cfg=$T/etc
keygen_config "$cfg"
key=$cfg/keys/signing.key
signers=$key.allowed_signers

run keygen "$LETHE" keygen -c "$cfg/lethe.ini"
expect_rc 0 keygen
no_key_bytes "$key" "$T/keygen.out" "$T/keygen.err"

# ssh-keygen reads KEY.pub and agrees on the fingerprint lethe printed.
fp=$(ssh-keygen -l -f "$key.pub" | awk '{ print $2 }')
[[ $fp == SHA256:* ]] || fail "ssh-keygen cannot read $key.pub"
grep -q -x -F "fingerprint      $fp (ED25519)" "$T/keygen.out" ||
  fail "keygen printed another fingerprint than ssh-keygen's $fp:
$(cat "$T/keygen.out")"
grep -q -x -F "$PRINCIPAL namespaces=\"git,certificate@lethe\" $(cat "$key.pub" | cut -d' ' -f1,2)" \
  "$signers" || fail "unexpected allowed_signers: $(cat "$signers")"

# lethe signs, ssh-keygen verifies.
printf 'certificate %s\n{"items":[]}\n' "$RANDOM" >"$T/msg"
"$SIGN_TOOL" sign "$key" certificate@lethe <"$T/msg" >"$T/msg.sig" || fail "sign_tool sign failed"
head -n 1 "$T/msg.sig" | grep -q -x -e '-----BEGIN SSH SIGNATURE-----' || fail "no armor"
awk 'NR > 1 && !/^-----/ && length($0) > 70 { exit 1 }' "$T/msg.sig" ||
  fail "armor lines longer than 70"
run ssh_verify ssh-keygen -Y verify -f "$signers" -I "$PRINCIPAL" -n certificate@lethe \
  -s "$T/msg.sig" <"$T/msg"
expect_rc 0 ssh_verify
grep -q "Good \"certificate@lethe\" signature for $PRINCIPAL" "$T/ssh_verify.out" ||
  fail "ssh-keygen said: $(cat "$T/ssh_verify.out" "$T/ssh_verify.err")"

# The git namespace, as the ledger's commits will use it.
"$SIGN_TOOL" sign "$key" git <"$T/msg" >"$T/git.sig" || fail "sign_tool sign (git) failed"
run ssh_verify_git ssh-keygen -Y verify -f "$signers" -I "$PRINCIPAL" -n git \
  -s "$T/git.sig" <"$T/msg"
expect_rc 0 ssh_verify_git

# ssh-keygen refuses another namespace, another message, another principal,
# and a namespace the allowed_signers line does not grant.
run ssh_wrong_ns ssh-keygen -Y verify -f "$signers" -I "$PRINCIPAL" -n git \
  -s "$T/msg.sig" <"$T/msg"
[[ $RC != 0 ]] || fail "ssh-keygen accepted a certificate@lethe signature as git"
printf 'tampered\n' >>"$T/msg.bad"
cat "$T/msg" >>"$T/msg.bad"
run ssh_tampered ssh-keygen -Y verify -f "$signers" -I "$PRINCIPAL" -n certificate@lethe \
  -s "$T/msg.sig" <"$T/msg.bad"
[[ $RC != 0 ]] || fail "ssh-keygen accepted a changed message"
run ssh_principal ssh-keygen -Y verify -f "$signers" -I "someone@else" -n certificate@lethe \
  -s "$T/msg.sig" <"$T/msg"
[[ $RC != 0 ]] || fail "ssh-keygen accepted another principal"
"$SIGN_TOOL" sign "$key" file <"$T/msg" >"$T/file.sig" || fail "sign_tool sign (file) failed"
run ssh_not_granted ssh-keygen -Y verify -f "$signers" -I "$PRINCIPAL" -n file \
  -s "$T/file.sig" <"$T/msg"
[[ $RC != 0 ]] || fail "ssh-keygen accepted a namespace allowed_signers does not grant"

# lethe checks its own signatures alike.
run own_verify "$SIGN_TOOL" verify certificate@lethe "$T/msg.sig" <"$T/msg"
expect_rc 0 own_verify
[[ $(head -n 1 "$T/own_verify.out") == "$fp" ]] || fail "signer fingerprint $(cat "$T/own_verify.out")"
run own_wrong_ns "$SIGN_TOOL" verify git "$T/msg.sig" <"$T/msg"
expect_rc 1 own_wrong_ns
grep -q namespace "$T/own_wrong_ns.err" || fail "no reason given: $(cat "$T/own_wrong_ns.err")"

# ssh-keygen signs with a key of its own, lethe verifies and names the key.
ssh-keygen -q -t ed25519 -N '' -C other@example.org -f "$T/other" || fail "ssh-keygen -t ed25519"
other_fp=$(ssh-keygen -l -f "$T/other.pub" | awk '{ print $2 }')
ssh-keygen -q -Y sign -n certificate@lethe -f "$T/other" <"$T/msg" >"$T/other.sig" 2>"$T/sign.err" ||
  fail "ssh-keygen -Y sign: $(cat "$T/sign.err")"
run lethe_verify "$SIGN_TOOL" verify certificate@lethe "$T/other.sig" <"$T/msg"
expect_rc 0 lethe_verify
[[ $(sed -n 1p "$T/lethe_verify.out") == "$other_fp" ]] ||
  fail "lethe names the signer $(sed -n 1p "$T/lethe_verify.out"), ssh-keygen $other_fp"
[[ $(sed -n 2p "$T/lethe_verify.out") == "$(cut -d' ' -f1,2 "$T/other.pub")" ]] ||
  fail "lethe gives the signer's key as $(sed -n 2p "$T/lethe_verify.out")"
run lethe_wrong_ns "$SIGN_TOOL" verify git "$T/other.sig" <"$T/msg"
expect_rc 1 lethe_wrong_ns
run lethe_tampered "$SIGN_TOOL" verify certificate@lethe "$T/other.sig" <"$T/msg.bad"
expect_rc 1 lethe_tampered

# Same key, same message: lethe writes the very bytes ssh-keygen writes.
# This needs the key in both formats; python3-cryptography converts it.
if python3 -c 'import cryptography' 2>/dev/null; then
  python3 - "$T/other" "$T/other.pkcs8" <<'PY' || fail "cannot convert the key to PKCS#8"
import os, sys
from cryptography.hazmat.primitives import serialization as s
key = s.load_ssh_private_key(open(sys.argv[1], 'rb').read(), None)
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()))
os.close(fd)
PY
  "$SIGN_TOOL" sign "$T/other.pkcs8" certificate@lethe <"$T/msg" >"$T/same.sig" ||
    fail "sign_tool cannot sign with a PKCS#8 key python wrote"
  cmp -s "$T/same.sig" "$T/other.sig" || fail "lethe and ssh-keygen signatures differ:
$(diff "$T/same.sig" "$T/other.sig")"
else
  note "python3-cryptography missing; byte-for-byte comparison not tried"
fi

# ssh-keygen's other hash algorithm, where this OpenSSH offers it.
if ssh-keygen -q -Y sign -n certificate@lethe -O hashalg=sha256 -f "$T/other" \
  <"$T/msg" >"$T/sha256.sig" 2>/dev/null; then
  run lethe_sha256 "$SIGN_TOOL" verify certificate@lethe "$T/sha256.sig" <"$T/msg"
  expect_rc 0 lethe_sha256
  run lethe_sha256_bad "$SIGN_TOOL" verify certificate@lethe "$T/sha256.sig" <"$T/msg.bad"
  expect_rc 1 lethe_sha256_bad
else
  note "ssh-keygen has no -O hashalg=sha256; sha256 signatures not tried"
fi

# An RSA signature is refused with a reason, not a crash.
ssh-keygen -q -t rsa -b 2048 -N '' -f "$T/rsa" || fail "ssh-keygen -t rsa"
ssh-keygen -q -Y sign -n certificate@lethe -f "$T/rsa" <"$T/msg" >"$T/rsa.sig" 2>/dev/null ||
  fail "ssh-keygen -Y sign (rsa)"
run lethe_rsa "$SIGN_TOOL" verify certificate@lethe "$T/rsa.sig" <"$T/msg"
expect_rc 1 lethe_rsa
grep -q -i ed25519 "$T/lethe_rsa.err" || fail "RSA refused without a reason: $(cat "$T/lethe_rsa.err")"

no_key_bytes "$key" "$T"/*.out "$T"/*.err "$T"/*.sig
note "ok"

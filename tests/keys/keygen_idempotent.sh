#!/bin/bash
# lethe keygen creates the key (0600) in a directory it makes (0700), KEY.pub
# and KEY.allowed_signers, printing paths and the fingerprint but never key
# bytes; run again it changes nothing, and it puts back a missing public file.
. "$(dirname "$0")/lib.sh"
setup_tmp

cfg=$T/etc
keygen_config "$cfg"
key=$cfg/keys/signing.key

run first "$LETHE" keygen -c "$cfg/lethe.ini"
expect_rc 0 first
[[ $(stat -c %a "$key") == 600 ]] || fail "key mode $(stat -c %a "$key")"
[[ $(stat -c %a "$cfg/keys") == 700 ]] || fail "key directory mode $(stat -c %a "$cfg/keys")"
[[ $(stat -c %a "$key.pub") == 644 ]] || fail "KEY.pub mode $(stat -c %a "$key.pub")"
head -n 1 "$key" | grep -q -x -e '-----BEGIN PRIVATE KEY-----' || fail "key is not PEM PKCS#8"
grep -q -x -E "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} $PRINCIPAL" "$key.pub" ||
  fail "KEY.pub: $(cat "$key.pub")"
[[ $(wc -l <"$key.allowed_signers") == 1 ]] || fail "allowed_signers has more than one line"
grep -q -F "key              $key (created)" "$T/first.out" || fail "output: $(cat "$T/first.out")"
grep -q -F "allowed signers  $key.allowed_signers (written)" "$T/first.out" ||
  fail "output: $(cat "$T/first.out")"
grep -q -F "principal        $PRINCIPAL" "$T/first.out" || fail "output: $(cat "$T/first.out")"
[[ ! -s $T/first.err ]] || fail "stderr: $(cat "$T/first.err")"
ls -A "$cfg/keys" | has -v -x -e signing.key -e signing.key.pub -e signing.key.allowed_signers &&
  fail "stray files: $(ls -A "$cfg/keys")"
fingerprint=$(grep '^fingerprint' "$T/first.out")

# Again: same output but for the states, and not one byte or mode changed.
tree_state "$cfg" >"$T/before"
sleep 1
run second "$LETHE" keygen -c "$cfg/lethe.ini"
expect_rc 0 second
tree_state "$cfg" >"$T/after"
diff "$T/before" "$T/after" >/dev/null || fail "second keygen changed files:
$(diff "$T/before" "$T/after")"
grep -q -F "key              $key (exists, unchanged)" "$T/second.out" ||
  fail "output: $(cat "$T/second.out")"
grep -q -F "allowed signers  $key.allowed_signers (present)" "$T/second.out" ||
  fail "output: $(cat "$T/second.out")"
grep -q -x -F "$fingerprint" "$T/second.out" || fail "fingerprint changed: $(cat "$T/second.out")"

# A lost KEY.pub is written again, identical; nothing else changes.
cp "$key.pub" "$T/pub.saved"
rm "$key.pub"
run third "$LETHE" keygen -c "$cfg/lethe.ini"
expect_rc 0 third
cmp -s "$key.pub" "$T/pub.saved" || fail "KEY.pub came back different"
grep -q -F "public key       $key.pub (written)" "$T/third.out" || fail "output: $(cat "$T/third.out")"
tree_state "$cfg" >"$T/after3"
diff "$T/before" "$T/after3" >/dev/null || fail "third keygen changed more than KEY.pub:
$(diff "$T/before" "$T/after3")"

# $LETHE_CONFIG names the configuration as well as -c does.
run env env LETHE_CONFIG="$cfg/lethe.ini" "$LETHE" keygen
expect_rc 0 env
grep -q -x -F "$fingerprint" "$T/env.out" || fail "LETHE_CONFIG: $(cat "$T/env.out")"

# The principal shown for an existing key is the one its allowed_signers
# names (the host may have been renamed since).
sed -i "s/^$PRINCIPAL /lethe@old-name /" "$key.allowed_signers"
tree_state "$cfg" >"$T/before5"
run renamed "$LETHE" keygen -c "$cfg/lethe.ini"
expect_rc 0 renamed
grep -q -x -F "principal        lethe@old-name" "$T/renamed.out" || fail "output: $(cat "$T/renamed.out")"
tree_state "$cfg" >"$T/after5"
diff "$T/before5" "$T/after5" >/dev/null || fail "keygen changed a renamed allowed_signers"

no_key_bytes "$key" "$T"/*.out "$T"/*.err "$key.pub" "$key.allowed_signers"
note "ok"

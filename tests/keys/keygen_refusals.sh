#!/bin/bash
# What lethe keygen refuses, each with a message naming the file: a key that
# others can read (even though keygen only needs its public half), a key that
# is a symbolic link, public files left from another key, a bad configuration
# or command line. None of them changes anything.
. "$(dirname "$0")/lib.sh"
setup_tmp

cfg=$T/etc
keygen_config "$cfg"
key=$cfg/keys/signing.key
run make "$LETHE" keygen -c "$cfg/lethe.ini"
expect_rc 0 make

# Group-readable key.
chmod 0640 "$key"
tree_state "$cfg" >"$T/before"
run mode "$LETHE" keygen -c "$cfg/lethe.ini"
expect_rc 3 mode
grep -q -F "$key: mode 0640" "$T/mode.err" || fail "message: $(cat "$T/mode.err")"
[[ ! -s $T/mode.out ]] || fail "printed despite the refusal: $(cat "$T/mode.out")"
chmod 0644 "$key"
run mode644 "$LETHE" keygen -c "$cfg/lethe.ini"
expect_rc 3 mode644
grep -q -F "$key: mode 0644" "$T/mode644.err" || fail "message: $(cat "$T/mode644.err")"
chmod 0640 "$key"
tree_state "$cfg" >"$T/after"
diff "$T/before" "$T/after" >/dev/null || fail "a refused keygen changed files"
chmod 0600 "$key"

# A symlink in place of the key.
mv "$key" "$T/real.key"
ln -s "$T/real.key" "$key"
run symlink "$LETHE" keygen -c "$cfg/lethe.ini"
expect_rc 3 symlink
grep -q -F "$key: is a symbolic link" "$T/symlink.err" || fail "message: $(cat "$T/symlink.err")"
[[ -L $key ]] || fail "the symlink was replaced"
rm "$key"

# The key moved away but its public files left behind: no new key.
run orphan "$LETHE" keygen -c "$cfg/lethe.ini"
expect_rc 3 orphan
grep -q -F "$key.pub exists but the key $key does not" "$T/orphan.err" ||
  fail "message: $(cat "$T/orphan.err")"
[[ ! -e $key ]] || fail "a key was created next to old public files"

# Public files of another key next to the real one.
mv "$T/real.key" "$key"
cp "$key.pub" "$T/pub.saved"
awk '{ $2 = substr($2, 1, 40) "0000000000000000000000000000"; print }' "$T/pub.saved" >"$key.pub"
cmp -s "$key.pub" "$T/pub.saved" && fail "the copy of KEY.pub did not change"
run foreign "$LETHE" keygen -c "$cfg/lethe.ini"
expect_rc 3 foreign
grep -q -F "$key.pub does not hold the public key of $key" "$T/foreign.err" ||
  fail "message: $(cat "$T/foreign.err")"
cp "$T/pub.saved" "$key.pub"

# Key directory whose parent is missing: keygen makes one level only.
printf '[agent]\nkey = no/such/dir/signing.key\n' >"$T/deep.ini"
run deep "$LETHE" keygen -c "$T/deep.ini"
expect_rc 1 deep
grep -q -F "cannot create the key directory $T/no/such/dir" "$T/deep.err" ||
  fail "message: $(cat "$T/deep.err")"

# Configuration and usage errors: exit 2.
printf '[agent]\nkey =\n' >"$T/bad.ini"
run badcfg "$LETHE" keygen -c "$T/bad.ini"
expect_rc 2 badcfg
grep -q -F "$T/bad.ini:2:" "$T/badcfg.err" || fail "message: $(cat "$T/badcfg.err")"
run missing "$LETHE" keygen -c "$T/none.ini"
expect_rc 2 missing
run force "$LETHE" keygen -c "$cfg/lethe.ini" --force
expect_rc 2 force
run extra "$LETHE" keygen -c "$cfg/lethe.ini" extra
expect_rc 2 extra
run help "$LETHE" keygen --help
expect_rc 0 help
grep -q -e '--config' "$T/help.out" || fail "help: $(cat "$T/help.out")"

no_key_bytes "$key" "$T"/*.out "$T"/*.err
note "ok"

#!/bin/bash
# lethe verify catches every way of altering the ledger after the fact, and
# names it: one byte of a certificate changed, two .sig files swapped, a
# certificate removed from the middle of the chain, history rewritten
# (amended or reset), a certificate signed by another key (with or without
# that key added to allowed_signers), a file that does not belong. Each case
# works on its own copy of a ledger of three certificates that verified
# before it was touched.
. "$(dirname "$0")/lib.sh"
setup_tmp

D=$T/env
make_env "$D"
keygen "$D"
for i in 1 2 3; do
  add_old_files "$D" "run$i"
  run "apply$i" "$LETHE" apply -c "$D/lethe.ini" --yes
  expect_rc 0 "apply$i"
done
check_ledger "$D/ledger"
mapfile -t C < <(certs "$D/ledger")
[[ ${#C[@]} == 3 ]] || fail "expected 3 certificates, got ${#C[@]}"
ssh-keygen -q -t ed25519 -N '' -C mallory -f "$T/mallory" || fail "ssh-keygen -t ed25519"

# case NAME: a fresh copy of the ledger in $T/NAME/ledger with its own
# state, verified once (which records its head); then cd into the copy.
case_start() {
  CASE=$T/$1
  mkdir -p "$CASE/state"
  cp -a "$D/ledger" "$CASE/ledger"
  printf '[agent]\nrules = rules.d\nstate = state\nledger = ledger\n' >"$CASE/lethe.ini"
  mkdir -p "$CASE/rules.d"
  run "$1-before" "$LETHE" verify -c "$CASE/lethe.ini"
  expect_rc 0 "$1-before"
  cd "$CASE/ledger" || fail "cd $CASE/ledger"
}

# case_expect NAME TEXT...: lethe verify fails (status 1), naming TEXT.
case_expect() {
  local name=$1 want
  shift
  cd "$T" || fail "cd $T"
  run "$name" "$LETHE" verify -c "$CASE/lethe.ini"
  expect_rc 1 "$name"
  for want; do
    expect_in "$name" "$want"
  done
  grep -q '^verified:' "$T/$name.out" && fail "$name: verify printed 'verified:' and failed"
  note "$name: $(sed 's/^lethe: //' "$T/$name.err")"
}

commit() {
  git add -A . && git commit -q -m "$1" || fail "git commit: $1"
}

id_of() {
  basename "$1" .json
}

# 1. One byte of a certificate changed (a file's name in its items).
case_start byte
sed -i '0,/share\/Acme/s//share\/Acne/' "${C[1]}"
cmp -s "${C[1]}" "$D/ledger/${C[1]}" && fail "byte: sed changed nothing"
commit "fix a typo"
case_expect byte "${C[1]}: the signature does not verify"

# 2. Two signatures swapped.
case_start swap
mv "${C[0]}.sig" "$T/sig0"
mv "${C[2]}.sig" "${C[0]}.sig"
mv "$T/sig0" "${C[2]}.sig"
commit "reorganise"
case_expect swap "${C[0]}: the signature does not verify"

# 3. The middle certificate removed (a new commit deleting it).
case_start delete
git rm -q "${C[1]}" "${C[1]}.sig"
git commit -q -m "remove a certificate" || fail "git commit"
case_expect delete "chain broken at ${C[2]}"

# 3b. The first removed: the next one names a previous that is not there.
case_start delete-first
git rm -q "${C[0]}" "${C[0]}.sig"
git commit -q -m "remove the first" || fail "git commit"
case_expect delete-first "chain broken at ${C[1]}" "is the first in the ledger"

# 3c. Removed in a commit that rewrites the one that added it.
case_start drop
GIT_SEQUENCE_EDITOR="sed -i '2s/^pick/drop/'" git rebase -q -i --root >/dev/null 2>&1 ||
  fail "git rebase to drop the second commit"
[[ $(git rev-list --count HEAD) == 2 ]] || fail "drop: the rebase did not drop a commit"
case_expect drop "history rewritten"

# 4. A commit rewritten: amended ...
case_start amend
git commit -q --amend -m "Certificate $(id_of "${C[2]}")" || fail "git commit --amend"
case_expect amend "history rewritten" "no longer in the history of HEAD"

# ... or the branch reset to an older commit.
case_start reset
git reset -q --hard HEAD~1
case_expect reset "history rewritten"

# 5. A certificate signed by another key.
case_start otherkey
sed -i 's/"host":"/"host":"forged-/' "${C[2]}"
rm "${C[2]}.sig"
ssh-keygen -q -Y sign -f "$T/mallory" -n certificate@lethe "${C[2]}" || fail "ssh-keygen -Y sign"
commit "re-sign"
case_expect otherkey "${C[2]}: signed by a key that allowed_signers does not allow" \
  "$(ssh-keygen -l -f "$T/mallory.pub" | awk '{print $2}')"

# 5b. The same, with that key added to allowed_signers and the commit signed
# by it: allowed_signers can only change under a key trusted before.
case_start otherkey-trusted
sed -i 's/"host":"/"host":"forged-/' "${C[2]}"
rm "${C[2]}.sig"
ssh-keygen -q -Y sign -f "$T/mallory" -n certificate@lethe "${C[2]}" || fail "ssh-keygen -Y sign"
printf 'mallory namespaces="git,certificate@lethe" %s\n' "$(cut -d' ' -f1,2 "$T/mallory.pub")" \
  >>allowed_signers
git add -A . && git -c gpg.format=ssh -c user.signingkey="$T/mallory" commit -q -S -m "rotate key" ||
  fail "signed git commit"
case_expect otherkey-trusted "changes certificates/" "a certificate altered"

# 5c. Only the key added, in a commit signed by it, then a new certificate
# from that key: the commit that trusted it is named.
case_start otherkey-added
printf 'mallory namespaces="git,certificate@lethe" %s\n' "$(cut -d' ' -f1,2 "$T/mallory.pub")" \
  >>allowed_signers
git add -A . && git -c gpg.format=ssh -c user.signingkey="$T/mallory" commit -q -S -m "add key" ||
  fail "signed git commit"
case_expect otherkey-added "(\"add key\") is signed by a key that the allowed_signers before it did not allow"

# 6. A file that does not belong, and an unsigned commit.
case_start stray
printf 'notes\n' >README
commit "add notes"
case_expect stray "README: does not belong in the ledger"

case_start unsigned
git commit -q --allow-empty -m "nothing" || fail "git commit --allow-empty"
case_expect unsigned "(\"nothing\") is not signed"

# The original is untouched and still verifies.
run original "$LETHE" verify -c "$D/lethe.ini"
expect_rc 0 original
no_secrets "$D/key/signing.key"

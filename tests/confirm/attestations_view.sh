#!/bin/bash
# lethe attestations on the central ledger (the bare repository trainers
# push to, and a clone of it): the trainer who confirmed is listed as
# such, a roster member who never did as overdue (exit 1), and
# attestations are rejected when signed by a key not in the roster, when
# altered after signing, or when signed by one roster member's key in
# another's name. With those gone and everyone current, exit 0.
. "$(dirname "$0")/lib.sh"
setup_tmp
make_trainer "Ada Trainer" ada@example.org
ADA_KEY=$HOME/.config/lethe/signing.key
run ada "$LETHE" confirm --yes
expect_rc 0 ada
L=$HOME/.local/state/lethe/ledger
ATT=$(the_attestation "$L")

# Eve confirms too, but the roster does not know her key
(
  export HOME=$T/eve
  mkdir -p "$HOME/.config/lethe"
  make_trainer "Eve Outsider" eve@example.org
  run eve "$LETHE" confirm --yes
  expect_rc 0 eve
) || exit 1

# Bob is on the roster with a key of his own (made by OpenSSH)
ssh-keygen -q -t ed25519 -N '' -C bob@example.org -f "$T/bob" || fail "ssh-keygen"
cat >"$T/roster.csv" <<EOF2
Name,E-mail,SSH public key,Cadence,Scope
Ada Trainer,ada@example.org,$(key_line "$ADA_KEY.pub"),6 months,all
"Bob Faculty, PhD",bob@example.org,"$(cat "$T/bob.pub")",6 months,
EOF2

# an altered attestation, and one Bob signed in Ada's name, each pushed on
# a branch of its own
ADA_BRANCH=$(git -C "$T/central.git" for-each-ref --format='%(refname:short)' refs/heads/confirm/ |
  grep '^confirm/ada@')
git clone -q -b "$ADA_BRANCH" "$T/central.git" "$T/work" || fail "git clone"
git -C "$T/work" checkout -q -b tampered
jq -c '.before.files = 5' "$T/work/$ATT" | head -c -1 >"$T/x.json" && printf '\n' >>"$T/x.json"
cp "$T/x.json" "$T/work/$ATT"
git -C "$T/work" -c user.name=M -c user.email=m@example.org commit -q -am "alter" &&
  git -C "$T/work" push -q origin tampered || fail "cannot push the altered attestation"
git -C "$T/work" checkout -q -b impostor "origin/$ADA_BRANCH"
jq -c '.host = "bobs-laptop"' "$T/work/$ATT" >"$T/y.json"
cp "$T/y.json" "$T/work/$ATT"
rm -f "$T/work/$ATT.sig"
ssh-keygen -q -Y sign -f "$T/bob" -n attestation@lethe "$T/work/$ATT" 2>/dev/null ||
  fail "ssh-keygen -Y sign"
git -C "$T/work" -c user.name=M -c user.email=m@example.org commit -q -am "impostor" &&
  git -C "$T/work" push -q origin impostor || fail "cannot push the impostor"

check_view() {
  local name=$1
  expect_rc 1 "$name"
  grep -qE '^Ada Trainer +ada@example.org +all +[0-9-]{10} +[0-9-]{10} +ok$' "$T/$name.out" ||
    fail "$name: Ada is not listed as confirmed: $(cat "$T/$name.out")"
  grep -qE '^Bob Faculty, PhD +bob@example.org +all +never +now +overdue$' "$T/$name.out" ||
    fail "$name: Bob is not listed as overdue: $(cat "$T/$name.out")"
  expect_in "$name" "signed by a key that is not in the roster (SHA256:"
  expect_in "$name" "its signature does not verify"
  expect_in "$name" "signed by bob@example.org's key, but it names ada@example.org"
  expect_in "$name" "1 of 2 overdue, 3 rejected."
  grep -q "eve@example.org.*not in the roster" "$T/$name.out" ||
    fail "$name: Eve's branch is not named"
}
run view "$LETHE" attestations --ledger "$T/central.git" --roster "$T/roster.csv"
check_view view
expect_in view "1 attestation accepted on 4 branches"
# a clone reads the same through its remote-tracking branches
git clone -q "$T/central.git" "$T/clone" 2>/dev/null || fail "git clone"
run clone "$LETHE" attestations --ledger "$T/clone" --roster "$T/roster.csv"
check_view clone

# seven months on, Ada is overdue too; five months and three weeks on, due soon
run later "$LETHE" attestations --ledger "$T/central.git" --roster "$T/roster.csv" \
  --now "$(date -u -d '+7 months' +%Y-%m-%dT%H:%M:%SZ)"
expect_rc 1 later
expect_in later "2 of 2 overdue"
run soon "$LETHE" attestations --ledger "$T/central.git" --roster "$T/roster.csv" \
  --now "$(date -u -d '+5 months +3 weeks' +%Y-%m-%dT%H:%M:%SZ)" --within "3 weeks"
grep -qE '^Ada Trainer .* due soon$' "$T/soon.out" || fail "Ada is not due soon: $(cat "$T/soon.out")"

# Bob's first confirmation is due six months after he joined
sed -i '1s/$/,Since/; 3s/$/,'"$(date -u +%Y-%m-%d)"'/; 2s/$/,/' "$T/roster.csv"
for b in tampered impostor; do git -C "$T/central.git" branch -q -D $b || fail "branch -D"; done
git -C "$T/central.git" for-each-ref --format='%(refname)' refs/heads/confirm/ | grep /eve@ |
  xargs -r -n1 git -C "$T/central.git" update-ref -d
run clean "$LETHE" attestations --ledger "$T/central.git" --roster "$T/roster.csv"
expect_rc 0 clean
expect_in clean "0 of 2 overdue, 0 rejected."

# a broken roster is named with its line
printf 'name,email,key,cadence\nCarol,carol@example.org,ssh-rsa AAAA,6 months\nDan,not-an-address,x,6m\n' \
  >"$T/bad.csv"
run bad "$LETHE" attestations --ledger "$T/central.git" --roster "$T/bad.csv"
expect_rc 2 bad
expect_in bad "bad.csv:2: key:"
expect_in bad "bad.csv:3: email: not a plain e-mail address"
# not a ledger at all
run none "$LETHE" attestations --ledger "$T/nowhere" --roster "$T/roster.csv"
expect_rc 2 none
note "confirmed, overdue and three kinds of rejection told apart, bare and cloned"

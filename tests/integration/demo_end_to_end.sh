#!/bin/bash
# The README's demo, end to end, with the build tree only (no install: the
# plugins are those built beside lethe): the generator, check, plan, a run
# refused without a key, keygen, apply, show, verify, and the auditor's
# check with ssh-keygen and git alone. What the plan said would go is what
# went, and what it kept is still there.
. "$(dirname "$0")/lib.sh"
setup_tmp
for t in ssh-keygen git; do
  command -v "$t" >/dev/null || skip "$t is not installed"
done
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
D=$T/demo
"$LETHE_DEMO" --force "$D" >/dev/null 2>&1 || fail "make-demo-share.sh failed"

run check "$LETHE" check -c "$D/lethe.ini"
expect_rc 0 check
run plan "$LETHE" plan -c "$D/lethe.ini" --format json -o "$T/plan.json"
expect_rc 0 plan
json_ok "$T/plan.json" plan
# What goes now: the deletions of rules that need no review.
mapfile -t due < <(jq -r '.rules as $rules | .items[] | select(.decision == "delete") | .rule as $n
  | select(($rules[] | select(.name == $n) | .review) != "required") | .uri' "$T/plan.json" |
  while IFS= read -r u; do uri_decode "${u#file://}"; printf '\n'; done | sort)
((${#due[@]} > 0)) || fail "the demo's plan deletes nothing now"
for f in "${due[@]}"; do [[ -e $f || -L $f ]] || fail "planned, but missing before apply: $f"; done

run nokey "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 3 nokey
expect_in nokey "lethe keygen -c $D/lethe.ini"
for f in "${due[@]}"; do [[ -e $f || -L $f ]] || fail "deleted without a key: $f"; done

run keygen "$LETHE" keygen -c "$D/lethe.ini"
expect_rc 0 keygen
run apply "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 0 apply
expect_in apply "certified run"
for f in "${due[@]}"; do [[ ! -e $f && ! -L $f ]] || fail "planned but still there: $f"; done
kept=$(jq -r '.items[] | select(.decision == "held" or .decision == "grace") | .uri' "$T/plan.json" |
       head -1)
if [[ -n $kept ]]; then
  k=$(uri_decode "${kept#file://}")
  [[ -e $k ]] || fail "a held or grace item went: $k"
fi

L=$D/state/ledger
mapfile -t certs < <(cd "$L" && find certificates -name '*.json' | sort)
((${#certs[@]} == 1)) || fail "expected one certificate, found ${#certs[@]}"
run show "$LETHE" show "$L/${certs[0]}"
expect_rc 0 show
expect_in show "Certificate of deletion"
run verify "$LETHE" verify -c "$D/lethe.ini"
expect_rc 0 verify
# The auditor: ssh-keygen and git, nothing of lethe's.
principal=$(cut -d' ' -f1 "$L/allowed_signers" | head -1)
(cd "$L" && ssh-keygen -Y verify -f allowed_signers -I "$principal" -n certificate@lethe \
   -s "${certs[0]}.sig" <"${certs[0]}") >"$T/ssh.out" 2>&1 ||
  fail "ssh-keygen -Y verify refuses the certificate: $(cat "$T/ssh.out")"
git -C "$L" -c gpg.ssh.allowedSignersFile=allowed_signers verify-commit HEAD >"$T/git.out" 2>&1 ||
  fail "git verify-commit refuses the ledger's head: $(cat "$T/git.out")"
note "${#due[@]} demo items deleted, certified, verified by lethe, ssh-keygen and git"

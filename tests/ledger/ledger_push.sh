#!/bin/bash
# With [agent] remote set, each run pushes the ledger to it (a bare
# repository on this machine). When the remote has diverged (someone pushed
# another commit into it), the push is rejected: the run says so, exits 1,
# and keeps the certificate; once the remote is fixed, the next run pushes
# without anything new to certify. A file:// URL works too.
. "$(dirname "$0")/lib.sh"
setup_tmp

D=$T/env
make_env "$D"
keygen "$D"
L=$D/ledger
R=$T/remote.git
git init -q --bare -b main "$R" || fail "git init --bare"
printf 'remote = %s\n' "$R" >>"$D/lethe.ini"

# --- a push after each run ---------------------------------------------------
run apply1 "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 0 apply1
expect_in apply1 "ledger pushed to $R"
[[ $(git -C "$R" rev-parse main) == $(git -C "$L" rev-parse HEAD) ]] ||
  fail "the remote does not have the ledger's head"
git -C "$R" fsck --strict >/dev/null 2>&1 || fail "git fsck in the remote"
pushed=$(git -C "$R" rev-parse main)

# --- the remote diverges: the push is rejected, reported, not ignored ---------
git clone -q "$R" "$T/clone" || fail "git clone"
printf 'not a certificate\n' >"$T/clone/intruder"
git -C "$T/clone" add intruder && git -C "$T/clone" commit -q -m "diverge" &&
  git -C "$T/clone" push -q origin main || fail "cannot make the remote diverge"
add_old_files "$D" two
run apply2 "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 1 apply2
expect_in apply2 "push to $R rejected"
expect_in apply2 "the next run pushes again"
expect_in apply2 "certified run"
[[ ! -e $D/share/Acme/two.txt ]] || fail "a rejected push must not stop the deletions"
[[ $(git -C "$L" rev-list --count HEAD) == 2 ]] || fail "the second certificate was not kept"
[[ $(git -C "$R" log -1 --format=%s main) == diverge ]] || fail "the remote was overwritten"
check_ledger "$L"

# the next run tries again, and is rejected again while the remote diverges
run again "$LETHE" run -c "$D/lethe.ini"
expect_rc 1 again
expect_in again "rejected"

# --- fixed: the next run pushes what is pending --------------------------------
git -C "$R" update-ref refs/heads/main "$pushed" || fail "cannot reset the remote"
run fixed "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 fixed
expect_in fixed "ledger pushed to $R"
[[ $(git -C "$R" rev-parse main) == $(git -C "$L" rev-parse HEAD) ]] ||
  fail "after the fix, the remote does not have the ledger's head"

# nothing new: the same head is not pushed twice
run quiet "$LETHE" verify -c "$D/lethe.ini"
expect_rc 0 quiet

# --- a file:// URL, with the remote checked by lethe verify -------------------
R2=$T/remote2.git
git init -q --bare -b main "$R2" || fail "git init --bare"
sed -i "s|^remote = .*|remote = file://$R2|" "$D/lethe.ini"
run url "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 url
expect_in url "ledger pushed to file://$R2"
git clone -q "$R2" "$T/audit" || fail "git clone of the pushed ledger"
run audit "$LETHE" verify --ledger "$T/audit"
expect_rc 0 audit
check_ledger "$T/audit"
no_secrets "$D/key/signing.key"

#!/bin/bash
# lethe check finds what would make a run fail, not only what is malformed:
# a credentials file a run cannot use (readable by others, missing), a
# signing key that is there but does not load, a ledger that is not a
# repository; each an error naming the file (and the rule's line), status
# 2. A missing key or an unmounted share is a warning only (status 0).
. "$(dirname "$0")/lib.sh"
setup_tmp
D=$T/site
mkdir -p "$D/rules.d" "$D/share"
printf '[agent]\nrules = rules.d\nstate = state\nkey = signing.key\n' >"$D/lethe.ini"
(umask 077; printf 'secret-password-123\n' >"$D/imap.cred")
cat >"$D/rules.d/10.ini" <<EOF
[rule files]
source = file://$D/share
retain = 30 days
action = unlink
[rule mail]
source = imaps://support@127.0.0.1:1/INBOX
retain = 12 months
action = expunge
credentials = $D/imap.cred
EOF

run ok "$LETHE" check -c "$D/lethe.ini"
expect_rc 0 ok
expect_in ok "warning: no signing key at $D/signing.key"

chmod 0644 "$D/imap.cred"
run loose "$LETHE" check -c "$D/lethe.ini"
expect_rc 2 loose
expect_in loose "$D/rules.d/10.ini:5: [rule mail]: credentials file '$D/imap.cred' is accessible by group or others"
rm "$D/imap.cred"
run missing "$LETHE" check -c "$D/lethe.ini"
expect_rc 2 missing
expect_in missing "$D/rules.d/10.ini:5: [rule mail]:"
(umask 077; printf 'secret-password-123\n' >"$D/imap.cred")

printf 'not a key\n' >"$D/signing.key"
chmod 0600 "$D/signing.key"
run badkey "$LETHE" check -c "$D/lethe.ini"
expect_rc 2 badkey
expect_in badkey "$D/lethe.ini: the signing key cannot be used"
rm "$D/signing.key"

mkdir -p "$D/state/ledger"
printf 'not a repository\n' >"$D/state/ledger/README"
run badledger "$LETHE" check -c "$D/lethe.ini"
expect_rc 2 badledger
expect_in badledger "$D/lethe.ini: ledger: $D/state/ledger"
rm -r "$D/state/ledger"

rmdir "$D/share"
run unmounted "$LETHE" check -c "$D/lethe.ini"
expect_rc 0 unmounted
expect_in unmounted "warning: [rule files] source $D/share cannot be opened now"

for c in ok loose missing badkey badledger unmounted; do
  ! grep -q "secret-password-123" "$T/$c.out" "$T/$c.err" || fail "$c: the password was printed"
done
note "ok"

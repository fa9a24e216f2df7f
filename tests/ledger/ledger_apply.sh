#!/bin/bash
# After lethe apply, each run's certificate is in the ledger, signed so that
# ssh-keygen -Y verify accepts it, in a commit git verify-commit accepts;
# git fsck and git status are clean, the chain links each certificate to the
# one before, and lethe verify passes. A run that deleted nothing still gets
# a certificate. Without a key nothing is deleted (status 3), unless the
# configuration lets certificates wait: then the journals wait (a warning); with an unsafe
# key, certification fails (status 1), the journal stays, and no further
# run deletes until it is fixed; then the next run certifies everything in
# the order the runs happened. lethe show renders it; no key bytes are
# ever printed.
. "$(dirname "$0")/lib.sh"
setup_tmp

D=$T/env
make_env "$D"
L=$D/ledger

# --- no key: nothing is deleted without a certificate ------------------------
mapfile -t before < <(find "$D/share" -type f | sort)
run refused "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 3 refused
expect_in refused "nothing is deleted without a certificate"
expect_in refused "lethe keygen -c $D/lethe.ini"
[[ $(find "$D/share" -type f | sort) == "$(printf '%s\n' "${before[@]}")" ]] ||
  fail "a run without a key deleted something"
[[ -z $(find "$D/state/journal" -maxdepth 1 -name '*.jsonl' 2>/dev/null) ]] ||
  fail "a refused run left a journal"

# --- unless certificates may wait: journalled, not certified, and says so ----
printf 'certificates = may-wait\n' >>"$D/lethe.ini"
run nokey "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 0 nokey
expect_in nokey "not certified: no signing key"
[[ ! -e $L ]] || fail "a ledger appeared without a key"
[[ $(find "$D/state/journal" -maxdepth 1 -name '*.jsonl' | wc -l) == 1 ]] ||
  fail "the uncertified journal should wait in state/journal"
first_run=$(basename "$(find "$D/state/journal" -maxdepth 1 -name '*.jsonl')" .jsonl)

# --- an unsafe key: certification fails, nothing is lost or deleted --------
keygen "$D"
chmod 0644 "$D/key/signing.key"
add_old_files "$D" two
run unsafe "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 1 unsafe
expect_in unsafe "certification failed"
[[ -f "$D/share/Acme/two.txt" ]] ||
  fail "a run deleted while an earlier run could not be certified"
[[ -f $D/state/journal/$first_run.jsonl ]] || fail "the journal was lost after a failure"
chmod 0600 "$D/key/signing.key"

# --- fixed: both runs certified, oldest first --------------------------------
run apply "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 0 apply
expect_in apply "certified run $first_run"
[[ -z $(find "$D/share" -type f) ]] || fail "files past their period are left: $(find "$D/share" -type f)"
[[ -z $(find "$D/state/journal" -maxdepth 1 -name '*.jsonl') ]] ||
  fail "certified journals were not moved to state/journal/certified"
[[ $(find "$D/state/journal/certified" -name '*.jsonl' | wc -l) == 2 ]] ||
  fail "expected 2 journals in state/journal/certified"

# --- a run that deletes nothing still gets its certificate --------------------
run empty "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 0 empty
[[ $(certs "$L" | wc -l) == 3 ]] || fail "expected 3 certificates, got: $(certs "$L")"
[[ $(git -C "$L" rev-list --count HEAD) == 3 ]] || fail "expected one commit per certificate"
c1=$L/$(cert_json "$L" 1)
c2=$L/$(cert_json "$L" 2)
c3=$L/$(cert_json "$L" 3)
[[ $(basename "$c1" .json) == "$first_run" ]] || fail "the oldest run was not certified first"
jq -e '.items == [] and .totals.items == 0 and .totals.deleted == 0' "$c3" >/dev/null ||
  fail "the empty run's certificate should list no item"

check_ledger "$L"

# --- the certificate's content -------------------------------------------------
[[ $(tail -c 1 "$c2" | od -An -c | tr -d ' ') == '\n' ]] || fail "no LF at the end of $c2"
[[ $(wc -l <"$c2") == 1 ]] || fail "$c2 is not one line of canonical JSON"
jq -e --arg host "$HOST" '
  .schema == "lethe-certificate/2" and .host == $host and .recovered == false
  and .previous != null' "$c2" >/dev/null || fail "header of $c2: $(head -c 600 "$c2")"
jq -e --arg host "$HOST" '.schema == "lethe-certificate/2" and .host == $host
  and .previous == null and .status == "done"' "$c1" >/dev/null || fail "header of $c1"
jq -e '.rules[0] | .name == "old" and .basis == "Retention policy §4.2" and .retain == "30 days"
  and (.description | contains("\"quoted\" & <escaped>")) and .action == "unlink"' "$c1" >/dev/null ||
  fail "rule of $c1: $(jq -c .rules "$c1")"
# the items, read with jq as lethe-certificate(5) says an auditor does
cert_items "$c1" | jq -se '[.[] | select(.kind == "file")] | length == 3 and all(.result == "deleted"
  and .level == "logical-delete" and .plugin == "unlink" and (.deleted_at | test("Z$"))
  and .clock == "mtime" and (.clock_value | test("Z$")) and .size > 0 and .rule == "old"
  and (.uri | startswith("file://")))' >/dev/null ||
  fail "items of $c1: $(cert_items "$c1")"
[[ $(jq .totals.deleted "$c1") == $(cert_items "$c1" | jq -s 'map(select(.result == "deleted")) | length') ]] ||
  fail "totals of $c1"
# the chain: each names the SHA-256 of the one before
[[ $(jq -r .previous "$c2") == $(sha256sum <"$c1" | cut -d' ' -f1) ]] || fail "chain 1 -> 2"
[[ $(jq -r .previous "$c3") == $(sha256sum <"$c2" | cut -d' ' -f1) ]] || fail "chain 2 -> 3"
# the commit message names it
msg=$(git -C "$L" log -1 --format=%B "$(git -C "$L" log --format=%H -1 -- "${c2#"$L"/}")")
[[ $msg == "Certificate $(basename "$c2" .json)"$'\n\n'"sha256 $(sha256sum <"$c2" | cut -d' ' -f1)"$'\n'"rules: old"$'\n'"deleted: "*", failed: 0, skipped: 0" ]] ||
  fail "commit message: $msg"
# no file contents in any certificate
grep -l 'contents of' "$L"/certificates/*/*/*.json && fail "file contents in a certificate"
grep -q "namespaces=\"git,certificate@lethe\" ssh-ed25519 " "$L/allowed_signers" ||
  fail "allowed_signers: $(cat "$L/allowed_signers")"

# --- lethe verify, first and second time --------------------------------------
run verify1 "$LETHE" verify -c "$D/lethe.ini"
expect_rc 0 verify1
expect_in verify1 "first verification"
expect_in verify1 "verified: 3 certificates"
[[ $(cat "$D/state/ledger-verified-head") == $(git -C "$L" rev-parse HEAD) ]] ||
  fail "the verified head was not recorded"
run verify2 "$LETHE" verify -c "$D/lethe.ini" "$c1" "$c3"
expect_rc 0 verify2
expect_in verify2 "history only appended"
run verify3 "$LETHE" verify --ledger "$L"
expect_rc 0 verify3
cp "$c1" "$T/copy.json"
cp "$c1.sig" "$T/copy.json.sig"
sed -i 's/"host":"/"host":"x/' "$T/copy.json"
run verify4 "$LETHE" verify -c "$D/lethe.ini" "$T/copy.json"
expect_rc 1 verify4
expect_in verify4 "copy.json: the signature does not verify"
run usage "$LETHE" verify --bogus
expect_rc 2 usage

# --- lethe show ------------------------------------------------------------------
run show "$LETHE" show "$c1"
expect_rc 0 show
expect_in show "Certificate of deletion $first_run"
expect_in show 'Beta/one <odd> "name".txt'
expect_in show "Retention policy §4.2"
run html "$LETHE" show --format html "$c1"
expect_rc 0 html
expect_in html "<!DOCTYPE html>"
expect_in html "Beta/one &lt;odd&gt; &quot;name&quot;.txt"
expect_in html "&quot;quoted&quot; &amp; &lt;escaped&gt;"
grep -q '<odd>' "$T/html.out" && fail "unescaped text in the HTML page"
run showbad "$LETHE" show "$D/lethe.ini"
expect_rc 1 showbad

# --- the operator: the sudo user, or the systemd unit ----------------------------
SUDO_USER=alice run sudo "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 0 sudo
jq -e '.operator == "alice"' "$L/$(cert_json "$L" 4)" >/dev/null ||
  fail "operator under sudo: $(jq .operator "$L/$(cert_json "$L" 4)")"
INVOCATION_ID=0123abcd run unit "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 0 unit
jq -e '.operator | startswith("systemd:") and endswith(".service")' \
  "$L/$(cert_json "$L" 5)" >/dev/null ||
  fail "operator under systemd: $(jq .operator "$L/$(cert_json "$L" 5)")"

# --- a key the ledger does not allow: refused, the journal waits ---------------
sed -e 's|^key = .*|key = key2/signing.key|' -e 's|^state = .*|state = state2|' \
  "$D/lethe.ini" >"$D/other.ini"
run keygen2 "$LETHE" keygen -c "$D/other.ini"
expect_rc 0 keygen2
run otherkey "$LETHE" apply -c "$D/other.ini" --yes
expect_rc 1 otherkey
expect_in otherkey "is not allowed by $L/allowed_signers"
[[ -n $(find "$D/state2/journal" -maxdepth 1 -name '*.jsonl') ]] || fail "the journal was lost"
run verify5 "$LETHE" verify -c "$D/lethe.ini"
expect_rc 0 verify5
expect_in verify5 "verified: 5 certificates"
check_ledger "$L"

no_secrets "$D/key/signing.key"
no_secrets "$D/key2/signing.key"
note "5 certificates and commits verified by ssh-keygen, git and lethe verify"

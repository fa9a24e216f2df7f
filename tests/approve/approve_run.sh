#!/bin/bash
# The review workflow end to end with real OpenSSH keys: a rule with review
# = required deletes nothing on lethe run until a saved plan of it is
# approved; lethe approve refuses a key not in approvers and a plan edited
# after it was made, and keeps nothing then; the approval it keeps is what
# ssh-keygen -Y verify -n approval@lethe accepts; the next lethe run
# deletes exactly the plan's items that are still as planned (a file
# changed after approval stays), certifies them naming the approver, her
# key's fingerprint and the time, with the approval as signed (checked
# again with ssh-keygen, from the certificate alone), and never applies the
# plan again. A key
# held by ssh-agent approves through its public half.
. "$(dirname "$0")/lib.sh"
setup_tmp

D=$T/env
make_env "$D"
L=(-c "$D/lethe.ini")

run check "$LETHE" check "${L[@]}"
expect_rc 0 check
expect_in check "approvals 1 from"

# Unapproved: nothing goes, and the run says why.
run run0 "$LETHE" run "${L[@]}"
expect_rc 0 run0
expect_in run0 "rule clients needs review: 3 items not deleted"
expect_in run0 "lethe approve"
[[ $(share_files "$D") == "new.txt old1.txt old2.txt old3.txt " ]] ||
  fail "an unapproved run deleted: $(share_files "$D")"

run plan "$LETHE" plan "${L[@]}" --rule clients --format json -o "$T/plan.json"
expect_rc 0 plan
hash=$(jq -r .hash "$T/plan.json")
dir=$(plan_dir "$D" "$T/plan.json")

# A key not among the approvers: refused, naming the approvers file.
run bob "$LETHE" approve "$T/plan.json" --key "$D/bob" "${L[@]}"
expect_rc 3 bob
expect_in bob "is not in approvers"
expect_in bob "approvers of rule clients"
[[ -z $(find "$D/state/approvals" -name '*.approval' 2>/dev/null) ]] ||
  fail "a refused approval was kept"

# A plan edited after it was made: refused (its hash no longer matches).
jq -c '.items |= map(if .path == "old1.txt" then .path = "new.txt" else . end)' \
  "$T/plan.json" >"$T/edited.json"
run edited "$LETHE" approve "$T/edited.json" --key "$D/alice" "${L[@]}"
expect_rc 3 edited
expect_in edited "edited.json: the plan's hash does not match its items"

# Alice approves; ssh-keygen accepts her approval as it lies.
run alice "$LETHE" approve "$T/plan.json" --key "$D/alice" "${L[@]}"
expect_rc 0 alice
expect_in alice "clients: 1 of 1 approval"
expect_in alice "The next 'lethe run' applies this plan."
approval=$dir/$(keyid "$D/alice.pub").approval
[[ -f $approval && -f $approval.sig && -f $dir/plan.json ]] || fail "no approval at $approval"
out=$(ssh-keygen -Y verify -f "$D/approvers" -I alice@example.org -n approval@lethe \
  -s "$approval.sig" <"$approval" 2>&1) || fail "ssh-keygen -Y verify rejects the approval: $out"
[[ $(jq -r .plan "$approval") == "$hash" ]] || fail "the approval names another plan"
approved_at=$(jq -r .approved_at "$approval")

# A planned file changes after the approval: it is not deleted.
echo changed >>"$D/share/old2.txt"
touch -d "@$OLD" "$D/share/old2.txt"

run run1 "$LETHE" run "${L[@]}"
expect_rc 0 run1
expect_in run1 "approved by alice@example.org"
[[ $(share_files "$D") == "new.txt old2.txt " ]] ||
  fail "the approved run left: $(share_files "$D") (expected new.txt old2.txt)"
[[ -d $D/state/approvals/applied/${hash#sha256:} && ! -e $dir ]] ||
  fail "the applied plan was not moved to approvals/applied"

cert=$(cert_of_plan "$D" "$hash")
[[ -n $cert && $(wc -l <<<"$cert") == 1 ]] || fail "no single certificate of the plan: $cert"
got=$(cert_items "$cert" | jq -r '"\(.result) \(.uri | sub(".*/"; ""))"' | sort | tr '\n' ' ')
[[ $got == "deleted old1.txt deleted old3.txt skipped old2.txt " ]] ||
  fail "certificate items: $got"
want=$(jq -cn --arg fp "$(fingerprint "$D/alice.pub")" --arg at "$approved_at" \
  '[{approved_at: $at, fingerprint: $fp, principal: "alice@example.org"}]')
got=$(jq -c '[.approvals[] | {approved_at, fingerprint, principal}]' "$cert")
[[ $got == "$want" ]] || fail "certificate approvals: $got, expected $want"
# The certificate alone lets an auditor check the approval.
jq -j '.approvals[0].message' "$cert" >"$T/cert-approval"
jq -j '.approvals[0].signature' "$cert" >"$T/cert-approval.sig"
applied=$D/state/approvals/applied/${hash#sha256:}/${approval##*/}
cmp -s "$T/cert-approval" "$applied" || fail "the certificate's approval is not the one signed"
out=$(ssh-keygen -Y verify -f "$D/approvers" -I alice@example.org -n approval@lethe \
  -s "$T/cert-approval.sig" <"$T/cert-approval" 2>&1) ||
  fail "ssh-keygen -Y verify rejects the approval in the certificate: $out"
run show "$LETHE" show "$cert"
expect_rc 0 show
expect_in show "approved by  alice@example.org ($(fingerprint "$D/alice.pub")) at $approved_at"
run verify "$LETHE" verify "${L[@]}"
expect_rc 0 verify

# The plan is not applied again, nor approved again.
run run2 "$LETHE" run "${L[@]}"
expect_rc 0 run2
[[ $(cert_of_plan "$D" "$hash" | wc -l) == 1 ]] || fail "the plan was applied twice"
run again "$LETHE" approve "$T/plan.json" --key "$D/alice" "${L[@]}"
expect_rc 3 again
expect_in again "was applied by a run already"
[[ $(share_files "$D") == "new.txt old2.txt " ]] || fail "later runs deleted: $(share_files "$D")"

# An applied plan names what it deleted: it goes keep-journals (90 days)
# after it was applied, as the run's journal does; a younger one stays.
applied_dir=$D/state/approvals/applied/${hash#sha256:}
young=$D/state/approvals/applied/$(printf '%064d' 0 | tr 0 a)
mkdir "$young" && cp "$applied_dir/plan.json" "$young/"
touch -d "@$((NOW - 100 * 86400))" "$applied_dir"
touch -d "@$((NOW - 10 * 86400))" "$young"
run prune "$LETHE" run "${L[@]}"
expect_rc 0 prune
expect_in prune "removed 1 approved plan applied more than 90 days ago"
[[ ! -e $applied_dir && -f $young/plan.json ]] ||
  fail "pruning: the plan applied 100 days ago $([[ -e $applied_dir ]] && echo stayed || echo went), the one applied 10 days ago $([[ -e $young ]] && echo stayed || echo went)"
rm -r "$young"

# Carol's key is in ssh-agent: she approves with its public half.
command -v ssh-agent >/dev/null || skip "ssh-agent is needed for the rest"
eval "$(ssh-agent -s)" >/dev/null || fail "ssh-agent"
CLEANUP_HOOKS+=("kill $SSH_AGENT_PID")
ssh-add -q "$D/carol" 2>/dev/null || fail "ssh-add"
run plan2 "$LETHE" plan "${L[@]}" --rule clients --now "$(iso $((NOW - 60)))" --format json -o "$T/p2.json"
expect_rc 0 plan2
run carol "$LETHE" approve "$T/p2.json" --key "$D/carol.pub" "${L[@]}"
expect_rc 0 carol
expect_in carol "as carol@example.org"
run run3 "$LETHE" run "${L[@]}"
expect_rc 0 run3
[[ $(share_files "$D") == "new.txt " ]] || fail "Carol's approved plan left: $(share_files "$D")"

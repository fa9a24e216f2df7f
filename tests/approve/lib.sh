# Shared helpers for the approval tests (lethe approve, and lethe run
# applying approved plans); sourced by each script, on top of
# tests/lib/common.sh (fail, skip, note, run, expect_rc, expect_in, $T ...).
#
# The environment may set:
#   LETHE                the lethe binary (default: build/agent/lethe)
#   LETHE_PLUGIN_UNLINK  build/plugins/unlink/unlink.so
# Needs bash, coreutils, jq, git and ssh-keygen: reviewers' keys are real
# OpenSSH keys, and their approvals are checked with ssh-keygen -Y verify.
# Nothing here reads standard input.

# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
exec </dev/null
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

LETHE_PLUGIN_UNLINK=${LETHE_PLUGIN_UNLINK:-$SRC_ROOT/build/plugins/unlink/unlink.so}
NOW=$(date -u +%s)
DAY=86400
OLD=$((NOW - 400 * DAY))

setup_tmp() {
  local tool
  [[ -f $LETHE_PLUGIN_UNLINK ]] || skip "the unlink plugin was not built"
  for tool in git ssh-keygen; do
    command -v "$tool" >/dev/null || skip "$tool is required"
  done
  tmp_setup approve
}

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# make_env DIR [RULE-LINES...]: DIR/lethe.ini (signing key, ledger), the
# unlink plugin, a share DIR/share with old1..old3.txt past "retain = 30
# days" and new.txt not, one rule "clients" with review = required and
# approvers DIR/approvers, and the extra RULE-LINES; reviewers' OpenSSH keys
# DIR/alice and DIR/carol (in approvers) and DIR/bob (not).
make_env() {
  local d=$1 who line
  shift
  mkdir -p "$d/rules.d" "$d/plugins" "$d/share"
  install -m 0644 "$LETHE_PLUGIN_UNLINK" "$d/plugins/unlink.so" || fail "cannot copy the plugin"
  printf '[agent]\nrules = rules.d\nstate = state\nplugins = plugins\nkey = key/signing.key\nledger = ledger\n' \
    >"$d/lethe.ini"
  mkdir -p "$d/key"
  run keygen "$LETHE" keygen -c "$d/lethe.ini"
  expect_rc 0 keygen
  for who in alice bob carol; do
    ssh-keygen -q -t ed25519 -N '' -C "$who@example.org" -f "$d/$who" || fail "ssh-keygen"
  done
  for who in alice carol; do
    printf '%s@example.org namespaces="approval@lethe" %s\n' "$who" "$(cut -d' ' -f1,2 "$d/$who.pub")"
  done >"$d/approvers"
  for who in old1 old2 old3 new; do
    echo "$who" >"$d/share/$who.txt"
  done
  touch -d "@$OLD" "$d/share/old1.txt" "$d/share/old2.txt" "$d/share/old3.txt"
  {
    printf '[rule clients]\nsource = file://%s\nretain = 30 days\naction = unlink\n' \
      "$(uri_encode "$d/share")"
    printf 'review = required\napprovers = ../approvers\n'
    for line; do printf '%s\n' "$line"; done
  } >"$d/rules.d/clients.ini"
}

# keyid PUB: the name lethe gives an approval by this key (its SHA-256
# fingerprint in base64url).
keyid() {
  ssh-keygen -lf "$1" | cut -d' ' -f2 | sed 's/^SHA256://; s|/|_|g; s|+|-|g'
}

# fingerprint PUB: "SHA256:..." as ssh-keygen -l prints it.
fingerprint() {
  ssh-keygen -lf "$1" | cut -d' ' -f2
}

# share_files DIR: the names left in DIR/share, sorted, on one line.
share_files() {
  (cd "$1/share" && ls | sort | tr '\n' ' ')
}

# plan_dir DIR PLAN: where lethe approve keeps PLAN in DIR's state.
plan_dir() {
  printf '%s/state/approvals/%s' "$1" "$(jq -r '.hash | sub("^sha256:"; "")' "$2")"
}

# cert_of_plan DIR HASH: the ledger's certificates (not their parts) of
# runs that applied the plan HASH with approvals, one a line. (A run's own
# fresh plan made in the same second over the same items has the same hash.)
cert_of_plan() {
  local c
  find "$1/ledger/certificates" -name '*.json' ! -name '*.part-*' 2>/dev/null | sort |
    while IFS= read -r c; do
      [[ $(jq -r 'select(.approvals) | .plan_hash' "$c") == "$2" ]] && printf '%s\n' "$c"
    done
}

# approve_by_hand D PLAN KEY AT [NAMESPACE]: keep PLAN in D's state as lethe
# approve would, with an approval of its rule clients dated AT (ISO 8601)
# signed by D/KEY with ssh-keygen (for NAMESPACE, approval@lethe by
# default): what an older lethe, or someone with the key, could leave.
# Prints the approval file's path.
approve_by_hand() {
  local dir file
  dir=$(plan_dir "$1" "$2")
  mkdir -p "$dir"
  cp "$2" "$dir/plan.json"
  file=$dir/$(keyid "$1/$3.pub").approval
  jq -cn --arg plan "$(jq -r .hash "$2")" --arg at "$4" \
    '{approved_at: $at, plan: $plan, rules: ["clients"], schema: "lethe-approval/1"}' >"$file"
  ssh-keygen -q -Y sign -f "$1/$3" -n "${5:-approval@lethe}" "$file" 2>/dev/null ||
    fail "ssh-keygen -Y sign"
  printf '%s\n' "$file"
}

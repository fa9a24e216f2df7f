# Shared helpers for the ledger tests; sourced by each script, on top of
# tests/lib/common.sh (fail, skip, note, run, expect_rc, expect_in, $T ...).
#
# The environment may set:
#   LETHE                the lethe binary (default: build/agent/lethe)
#   LETHE_PLUGIN_UNLINK  build/plugins/unlink/unlink.so
# Needs bash, coreutils, jq, git and ssh-keygen (OpenSSH 8.2 or later).
# Every output of a run is kept: the secrets check reads them all. Nothing
# here reads standard input.

# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
exec </dev/null
# git must not read the caller's configuration (signing, hooks, templates).
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Mallory GIT_AUTHOR_EMAIL=mallory@example.org
export GIT_COMMITTER_NAME=Mallory GIT_COMMITTER_EMAIL=mallory@example.org

LETHE_PLUGIN_UNLINK=${LETHE_PLUGIN_UNLINK:-$SRC_ROOT/build/plugins/unlink/unlink.so}
HOST=$(hostname)
OLD=$(($(date -u +%s) - 400 * 86400))

setup_tmp() {
  local tool
  [[ -f $LETHE_PLUGIN_UNLINK ]] || skip "the unlink plugin was not built"
  for tool in git ssh-keygen; do
    command -v "$tool" >/dev/null || skip "$tool is required"
  done
  tmp_setup ledger
}

# make_env DIR: DIR/lethe.ini with rules, state, plugins (a 0644 copy of
# unlink), key DIR/key/signing.key and ledger DIR/ledger; a share DIR/share
# under one rule "old" (retain 30 days) with a few files past it.
make_env() {
  local d=$1
  mkdir -p "$d/rules.d" "$d/plugins" "$d/share/Acme/0 Confidential" "$d/share/Beta"
  install -m 0644 "$LETHE_PLUGIN_UNLINK" "$d/plugins/unlink.so" || fail "cannot copy the plugin"
  printf '[agent]\nrules = rules.d\nstate = state\nplugins = plugins\nkey = key/signing.key\nledger = ledger\n' \
    >"$d/lethe.ini"
  cat >"$d/rules.d/10-old.ini" <<EOF
[rule old]
description = Files past 30 days, "quoted" & <escaped>
basis = Retention policy §4.2
source = file://$d/share
select = **
retain = 30 days
action = unlink
EOF
  add_old_files "$d" one
}

# add_old_files DIR TAG: files past their period in DIR/share.
add_old_files() {
  local f
  for f in "Acme/0 Confidential/$2 report.pdf" "Acme/$2.txt" "Beta/$2 <odd> \"name\".txt"; do
    mkdir -p "$(dirname "$1/share/$f")"
    printf 'contents of %s\n' "$f" >"$1/share/$f"
    touch -d "@$OLD" "$1/share/$f"
  done
}

# keygen DIR: the signing key of DIR's configuration.
keygen() {
  run keygen "$LETHE" keygen -c "$1/lethe.ini"
  expect_rc 0 keygen
}

# certs LEDGER: the certificate files at the ledger's head, oldest first
# (ID.json, not the parts ID.part-NNNN.json of a large one).
certs() {
  git -C "$1" log --reverse --diff-filter=A --name-only --format= -- 'certificates/*.json' |
    grep '\.json$' | grep -v '\.part-[0-9]*\.json$'
}

# cert_files LEDGER: every signed file under certificates/: certificates and
# their parts.
cert_files() {
  git -C "$1" log --reverse --diff-filter=A --name-only --format= -- 'certificates/*.json' |
    grep '\.json$'
}

# git_signed LEDGER ARGS...: git with the ledger's allowed_signers.
git_signed() {
  local l=$1
  shift
  git -C "$l" -c gpg.ssh.allowedSignersFile="$l/allowed_signers" "$@"
}

# check_ledger LEDGER: every certificate and part verifies with ssh-keygen -Y verify,
# every commit with git verify-commit, git fsck is clean, nothing is
# uncommitted.
check_ledger() {
  local l=$1 c out
  [[ -f $l/allowed_signers ]] || fail "$l has no allowed_signers"
  [[ -n $(certs "$l") ]] || fail "$l holds no certificate"
  while IFS= read -r c; do
    out=$(ssh-keygen -Y verify -f "$l/allowed_signers" -I "lethe@$HOST" -n certificate@lethe \
      -s "$l/$c.sig" <"$l/$c" 2>&1) || fail "ssh-keygen -Y verify rejects $c: $out"
    [[ $out == *'Good "certificate@lethe" signature'* ]] || fail "ssh-keygen on $c: $out"
  done < <(cert_files "$l")
  while IFS= read -r c; do
    out=$(git_signed "$l" verify-commit "$c" 2>&1) ||
      fail "git verify-commit rejects commit $c: $out"
    [[ $out == *'Good "git" signature'* ]] || fail "git verify-commit $c: $out"
  done < <(git -C "$l" log --format=%H)
  out=$(git -C "$l" fsck --strict 2>&1) || fail "git fsck: $out"
  # a writer that lost a compare-and-swap race leaves its commit unreferenced
  # (git gc removes it); only the concurrent test allows that
  [[ -n ${ALLOW_DANGLING-} ]] && out=$(grep -v '^dangling commit ' <<<"$out")
  [[ -z $out ]] || fail "git fsck is not clean: $out"
  out=$(git -C "$l" status --porcelain --untracked-files=all)
  [[ -z $out ]] || fail "git status is not clean in $l: $out"
}

# cert_json LEDGER N: the path of the N-th certificate (1 = oldest).
cert_json() {
  certs "$1" | sed -n "${2}p"
}

# no_secrets KEYFILE: no line of the key's PEM body appears in anything a
# run printed ($T/*.out, $T/*.err) nor in the ledger's work tree.
no_secrets() {
  local key=$1 line hits
  [[ -f $key ]] || fail "no key file $key"
  while IFS= read -r line; do
    [[ $line == -----* || -z $line ]] && continue
    hits=$(grep -rlF -- "$line" "$T"/*.out "$T"/*.err 2>/dev/null)
    [[ -z $hits ]] || fail "private key bytes printed in: $hits"
  done <"$key"
}

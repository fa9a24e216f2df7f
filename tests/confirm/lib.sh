# Shared by the lethe confirm and lethe attestations tests, on top of
# tests/lib/common.sh: a trainer's home directory with planted personal
# data (gen_home.py), their confirm.ini and key, a bare central ledger, a
# roster, and (tests/lib/smtp.sh) a real SMTP server on 127.0.0.1 with
# STARTTLS under a test CA made by openssl.
#
# The environment gives (tests/confirm/meson.build): LETHE, LETHE_PLUGINS
# (the built plugins), SMTP_PYTHON (a python3 that has aiosmtpd, or empty).

# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/smtp.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/smtp.sh"
exec </dev/null
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
CONFIRM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LETHE_PLUGINS=${LETHE_PLUGINS:-$SRC_ROOT/build/plugins/all}

setup_tmp() {
  local tool
  for tool in git ssh-keygen python3; do
    command -v "$tool" >/dev/null || skip "$tool is required"
  done
  tmp_setup confirm
  export HOME=$T/home XDG_CONFIG_HOME= XDG_STATE_HOME=
  unset XDG_CONFIG_HOME XDG_STATE_HOME
  mkdir -p "$HOME/.config/lethe"
}

# make_home: the planted home; the planted files (relative) in $T/planted.
make_home() {
  python3 "$CONFIRM_DIR/gen_home.py" "$HOME" >"$T/planted" || fail "gen_home.py failed"
}

# make_trainer NAME EMAIL [EXTRA-CONFIG-LINES]: ~/.config/lethe/confirm.ini
# pushing to the bare central ledger $T/central.git, and the key.
make_trainer() {
  local cfg=$HOME/.config/lethe/confirm.ini
  [[ -d $T/central.git ]] || git init -q --bare -b main "$T/central.git" || fail "git init"
  printf '[confirm]\nname = %s\nemail = %s\nremote = %s\nplugins = %s\n%s' "$1" "$2" \
    "$T/central.git" "$LETHE_PLUGINS" "${3:-}" >"$cfg"
  run keygen "$LETHE" keygen --user
  expect_rc 0 keygen
}

# key_line KEYFILE.pub: the public key without its comment.
key_line() {
  cut -d' ' -f1,2 "$1"
}

# the_attestation LEDGER: the newest attestation's path in the ledger.
the_attestation() {
  git -C "$1" log -1 --diff-filter=A --name-only --format= -- 'attestations/*.json' |
    grep '\.json$'
}

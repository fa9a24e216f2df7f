# Shared by the lethe confirm and lethe attestations tests, on top of
# tests/lib/common.sh: a trainer's home directory with planted personal
# data (gen_home.py), their confirm.ini and key, a bare central ledger, a
# roster, and a real SMTP server on 127.0.0.1 (smtp_sink.py, aiosmtpd)
# with STARTTLS under a test CA made by openssl.
#
# The environment gives (tests/confirm/meson.build): LETHE, LETHE_PLUGINS
# (the built plugins), SMTP_PYTHON (a python3 that has aiosmtpd, or empty).

# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
exec </dev/null
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
CONFIRM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LETHE_PLUGINS=${LETHE_PLUGINS:-$SRC_ROOT/build/plugins/all}
SMTP_PID=

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

# make_ca: a test CA and a server certificate for 127.0.0.1 ($T/tls/).
make_ca() {
  local d=$T/tls
  command -v openssl >/dev/null || skip "openssl is required"
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 \
    -subj "/CN=Lethe test CA" >/dev/null 2>&1 || fail "cannot make the test CA"
  openssl req -newkey rsa:2048 -nodes -keyout "$d/server.key" -out "$d/server.csr" \
    -subj "/CN=127.0.0.1" >/dev/null 2>&1 || fail "cannot make the server key"
  printf 'subjectAltName=IP:127.0.0.1\n' >"$d/ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
    -out "$d/server.pem" -days 2 -extfile "$d/ext" >/dev/null 2>&1 ||
    fail "cannot sign the server certificate"
}

smtp_stop() {
  [[ -n $SMTP_PID ]] || return 0
  kill "$SMTP_PID" 2>/dev/null
  wait "$SMTP_PID" 2>/dev/null
  SMTP_PID=
}

# smtp_start USER PASSWORD: the server, its messages in $T/mail, its port
# in $SMTP_PORT.
smtp_start() {
  local i
  [[ -n ${SMTP_PYTHON-} ]] || skip "no python3 with aiosmtpd (Debian python3-aiosmtpd)"
  make_ca
  mkdir -p "$T/mail"
  "$SMTP_PYTHON" "$CONFIRM_DIR/smtp_sink.py" "$T/mail" "$T/smtp.port" "$T/tls/server.pem" \
    "$T/tls/server.key" "$1" "$2" 2>"$T/smtp.log" &
  SMTP_PID=$!
  CLEANUP_HOOKS+=("smtp_stop")
  for ((i = 0; i < 100; i++)); do
    [[ -s $T/smtp.port ]] && break
    kill -0 "$SMTP_PID" 2>/dev/null || fail "the SMTP server died: $(cat "$T/smtp.log")"
    sleep 0.1
  done
  [[ -s $T/smtp.port ]] || fail "the SMTP server did not start: $(cat "$T/smtp.log")"
  SMTP_PORT=$(cat "$T/smtp.port")
}

# mails_to ADDR: how many messages the server received for ADDR.
mails_to() {
  grep -l -F -x -e "X-Envelope-To: $1"$'\r' "$T"/mail/*.eml 2>/dev/null | wc -l
}

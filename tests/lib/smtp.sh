# A real SMTP server for the shell tests, on 127.0.0.1: smtp_sink.py
# (Debian's python3-aiosmtpd, run by $SMTP_PYTHON, which tests/lib/meson.build
# finds) requiring STARTTLS with a certificate from a test CA made here by
# openssl, and a password. Sourced after common.sh (it needs $T, fail, skip
# and CLEANUP_HOOKS).

SMTP_PID=

# make_ca: a test CA and a server certificate for 127.0.0.1 ($T/tls/).
make_ca() {
  local d=$T/tls
  [[ -s $d/server.pem ]] && return 0 # a restarted server keeps its certificate
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
  rm -f "$T/smtp.port"
  "$SMTP_PYTHON" "$COMMON_LIB_DIR/smtp_sink.py" "$T/mail" "$T/smtp.port" "$T/tls/server.pem" \
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

# Shared by the IMAP integration tests: a real Dovecot on 127.0.0.1 on a
# free port, with a passwd-file user and a maildir in the test's temporary
# directory, and helpers to seed and inspect it through imap_peer (a client
# that shares no code with Lethe's).
#
# The environment gives (tests/imap/meson.build): LETHE, IMAP_PEER,
# IMAP_DRIVER, CUTPROXY, EXPUNGE_SO, ATE_SO. A test exits 77 (skipped) when
# Dovecot is not installed or cannot start here.

# shellcheck source=../integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

IMAP_USER=user@example.org
IMAP_PASS=pw-Lethe-7f3a
IMAP_PORT=
DOVECOT_DIR=

dovecot_conf() {
  # The example configuration (../shared/examples/dovecot-loopback.conf),
  # kept here so the test does not depend on a file outside the tree.
  cat <<EOF
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
log_path = $DOVECOT_DIR/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DOVECOT_DIR/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$DOVECOT_DIR/home/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
}
default_internal_user = nobody
default_login_user = nobody
EOF
  printf '%s\n' "${DOVECOT_EXTRA_CONF:-}"
}

dovecot_stop() {
  local pid i
  [[ -n $DOVECOT_DIR && -f $DOVECOT_DIR/dovecot.conf ]] || return 0
  if [[ ! -f $DOVECOT_DIR/run/master.pid ]]; then
    doveadm -c "$DOVECOT_DIR/dovecot.conf" stop 2>/dev/null || true
    return 0
  fi
  pid=$(cat "$DOVECOT_DIR/run/master.pid")
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

# Start Dovecot (skip the test if it cannot) and stop it when the test ends.
dovecot_start() {
  local i
  command -v dovecot >/dev/null || skip "dovecot is not installed (dovecot-imapd)"
  [[ $(id -u) == 0 ]] || skip "the Dovecot harness runs as root (it drops to nobody)"
  getent passwd nobody >/dev/null && getent group nogroup >/dev/null ||
    skip "no nobody user or nogroup group for Dovecot"
  DOVECOT_DIR=$T/dovecot
  chmod 0711 "$T"
  mkdir -p "$DOVECOT_DIR/run" "$DOVECOT_DIR/state" "$DOVECOT_DIR/home"
  chmod 0711 "$DOVECOT_DIR"
  chown nobody:nogroup "$DOVECOT_DIR/home"
  printf '%s:{PLAIN}%s\n' "$IMAP_USER" "$IMAP_PASS" >"$DOVECOT_DIR/passwd"
  for ((i = 0; i < 5; i++)); do
    IMAP_PORT=$("$IMAP_PEER" --free-port) || fail "imap_peer --free-port failed"
    dovecot_conf >"$DOVECOT_DIR/dovecot.conf"
    if dovecot -c "$DOVECOT_DIR/dovecot.conf" 2>"$T/dovecot.err"; then
      CLEANUP_HOOKS+=("dovecot_stop")
      break
    fi
    sleep 0.2
  done
  for ((i = 0; i < 50; i++)); do
    [[ -f $DOVECOT_DIR/run/master.pid ]] && break
    sleep 0.1
  done
  [[ -f $DOVECOT_DIR/run/master.pid ]] ||
    skip "dovecot did not start: $(head -c 500 "$T/dovecot.err") $(tail -n 5 "$DOVECOT_DIR/dovecot.log" 2>/dev/null)"
  for ((i = 0; i < 50; i++)); do
    if echo NOOP | peer >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  skip "dovecot started but does not answer on 127.0.0.1:$IMAP_PORT: $(tail -n 5 "$DOVECOT_DIR/dovecot.log" 2>/dev/null)"
}

# peer < COMMANDS: run IMAP commands in a fresh session; prints the replies.
peer() {
  "$IMAP_PEER" "$IMAP_PORT" "$IMAP_USER" "$IMAP_PASS"
}

# message FILE MESSAGE-ID DATE [BODY]: write an RFC 5322 message with CRLFs.
message() {
  local file=$1 id=$2 date=$3 body=${4:-Hello.}
  printf 'From: Client <client@example.org>\r\nTo: Support <support@example.org>\r\nSubject: Case %s\r\nDate: %s\r\nMessage-ID: %s\r\n\r\n%s\r\n' \
    "$id" "$date" "$id" "$body" >"$file"
}

# append FOLDER FLAGS INTERNALDATE FILE: one APPEND command line.
append() {
  printf 'APPEND "%s" (%s) "%s" @%s\n' "$1" "$2" "$3" "$4"
}

# uids FOLDER: the UIDs in FOLDER, ascending, one a line.
uids() {
  printf 'EXAMINE "%s"\nUID SEARCH ALL\n' "$1" | peer | tr -d '\r' |
    awk '/^\* SEARCH/ { for (i = 3; i <= NF; i++) print $i }' | sort -n
}

# uidvalidity FOLDER
uidvalidity() {
  printf 'EXAMINE "%s"\n' "$1" | peer | tr -d '\r' |
    sed -n 's/^\* OK \[UIDVALIDITY \([0-9]*\)\].*/\1/p'
}

# flags FOLDER: "UID flags..." per message, sorted, without the session
# flag \Recent (which says only that no session has selected it yet).
flags() {
  printf 'EXAMINE "%s"\nUID FETCH 1:* (UID FLAGS)\n' "$1" | peer | tr -d '\r' |
    sed -n 's/^\* [0-9]* FETCH (UID \([0-9]*\) FLAGS (\(.*\)))$/\1 \2/p' |
    sed 's/\\Recent//; s/  */ /g; s/ $//' | sort -n
}

# write_imap_config DIR: a lethe.ini and a credentials file for the user.
write_imap_config() {
  write_config "$1"
  printf '%s\n' "$IMAP_PASS" >"$1/imap.secret"
  chmod 600 "$1/imap.secret"
}

# source_uri FOLDER_ENCODED: the rule source for a percent-encoded folder.
source_uri() {
  printf 'imap://user%%40example.org@127.0.0.1:%s/%s' "$IMAP_PORT" "$1"
}

# plan_items JSON: "decision UID" per item, sorted by UID.
plan_items() {
  jq -r '.items[] | "\(.decision) \(.identity | sub(".* uid="; ""))"' "$1" | sort -k2n
}

# planned_identities JSON DECISION: the identities planned with DECISION.
planned_identities() {
  jq -r --arg d "$2" '.items[] | select(.decision == $d) | .identity' "$1"
}

# Shared by the notice tests: tests/lib/common.sh, the SMTP server of
# tests/lib/smtp.sh, and reading what it received.
#
# The environment gives (tests/notify/meson.build): LETHE, SMTP_PYTHON (a
# python3 that has aiosmtpd, or empty).

# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=../lib/smtp.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/smtp.sh"
exec </dev/null
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
NOTIFY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# mail_count: how many messages the server received.
mail_count() {
  find "$T/mail" -name '*.eml' 2>/dev/null | wc -l
}

# mails_for ADDR: the received messages to ADDR, oldest first.
mails_for() {
  grep -l -F -x -e "X-Envelope-To: $1"$'\r' "$T"/mail/*.eml 2>/dev/null | sort
}

# mail_parts EML: the message's text part, then "ATTACHMENT NAME TYPE" and
# the attachment decoded (read_mail.py).
mail_parts() {
  "$SMTP_PYTHON" "$NOTIFY_DIR/read_mail.py" "$1"
}

# iso_ago DAYS: the instant DAYS days ago, for touch -d.
ago() {
  date -u -d "-$1 days" +%Y-%m-%dT%H:%M:%SZ
}

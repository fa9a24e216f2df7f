#!/usr/bin/env bash
# bench_imap.sh: expunging the expired half of a large IMAP folder, three
# ways, on a real Dovecot on 127.0.0.1 (the tests/imap harness):
#   lethe     lethe plan, then the expunge plugin on the planned messages
#             (UID STORE/UID EXPUNGE over UID sets, confirmed by UID SEARCH)
#   doveadm   doveadm expunge ... before DATE: the server-side floor
#   per-msg   one UID STORE and one UID EXPUNGE per message over IMAP: the
#             naive client baseline, timed on the first --per-msg messages
#             (default 1000) and scaled up linearly: each EXPUNGE costs more
#             the larger the folder, so the real figure is worse
# Each starts from the same freshly seeded folder (--messages N, default
# 100000, half older than the 12-month period). Prints one table; the
# issue's target is lethe within 3x of doveadm.
#
# Through meson (not part of the default suite):
#   meson test -C build --suite bench -v bench-imap
# Needs root (Dovecot drops to nobody), dovecot-imapd, jq.
set -uo pipefail
MESSAGES=100000
permsg=1000
while [[ $# -gt 0 ]]; do
  case $1 in
    --messages) MESSAGES=$2; shift 2 ;;
    --per-msg) permsg=$2; shift 2 ;;
    *) echo "usage: bench_imap.sh [--messages N] [--per-msg K]" >&2; exit 2 ;;
  esac
done
export DOVECOT_EXTRA_CONF='mail_fsync = never'
source "$(dirname "$0")/../imap/lib.sh"
setup_tmp
[[ -n ${EXPUNGE_SO:-} ]] || skip "the expunge plugin is not built"
dovecot_start

M=$T/msg
mkdir -p "$M"
message "$M/1" '<bench@example.org>' 'Sat, 22 Nov 2025 11:59:59 +0000' \
  'A support request of a few lines, as most of them are.'
half=$((MESSAGES / 2))
((permsg > half)) && permsg=$half

# seed FOLDER: MESSAGES messages, the first half expired, in MULTIAPPENDs;
# then one SELECT, as any mail client makes, so that Dovecot has moved them
# from new/ to cur/ and no method pays for that.
seed() {
  local folder=$1 i k date
  {
    printf 'CREATE "%s"\n' "$folder"
    for ((i = 0; i < MESSAGES; i += 2000)); do
      printf 'APPEND "%s"' "$folder"
      for ((k = i; k < i + 2000 && k < MESSAGES; k++)); do
        date='01-Mar-2025 10:00:00 +0000'
        ((k >= half)) && date='01-Nov-2026 10:00:00 +0000'
        printf ' () "%s" @%s' "$date" "$M/1"
      done
      echo
    done
    printf 'SELECT "%s"\n' "$folder"
  } | peer >/dev/null || fail "seeding $folder failed"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
count() { [[ $(uids "$1" | wc -l) == "$2" ]] || fail "$1 holds $(uids "$1" | wc -l) messages, expected $2"; }

D=$T/lethe
write_imap_config "$D"
printf '[rule bench]\nsource = %s\nretain = 12 months\naction = expunge\ncredentials = ../imap.secret\ntls = none\n' \
  "$(source_uri Lethe)" >"$D/rules.d/mail.ini"

t0=$(now); seed Lethe; t1=$(now)
note "seeded $MESSAGES messages in $(elapsed "$t0" "$t1") s"
t0=$(now)
"$LETHE" plan -c "$D/lethe.ini" --now "$FIXED_NOW" --format json -o "$T/plan.json" ||
  fail "lethe plan failed"
t1=$(now)
jq -r '.items[] | select(.decision == "delete") | .identity' "$T/plan.json" >"$T/ids"
[[ $(wc -l <"$T/ids") == "$half" ]] || fail "planned $(wc -l <"$T/ids"), expected $half"
"$IMAP_DRIVER" -S "$(source_uri Lethe)" -s "credentials=$D/imap.secret" -s tls=none \
  -f "$T/ids" "$EXPUNGE_SO" >"$T/drive.out" || fail "the expunge plugin failed"
t2=$(now)
[[ $(grep -c ' deleted ' "$T/drive.out") == "$half" ]] || fail "not every message was deleted"
count Lethe $((MESSAGES - half))
lethe_plan=$(elapsed "$t0" "$t1")
lethe_expunge=$(elapsed "$t1" "$t2")

seed Doveadm
t0=$(now)
doveadm -c "$DOVECOT_DIR/dovecot.conf" expunge -u "$IMAP_USER" mailbox Doveadm before 2025-11-22 ||
  fail "doveadm expunge failed"
t1=$(now)
count Doveadm $((MESSAGES - half))
doveadm_expunge=$(elapsed "$t0" "$t1")

seed PerMsg
t0=$(now)
{
  echo 'SELECT "PerMsg"'
  for ((u = 1; u <= permsg; u++)); do
    printf 'UID STORE %d +FLAGS.SILENT (\\Deleted)\nUID EXPUNGE %d\n' $u $u
  done
} | peer >/dev/null || fail "the per-message baseline failed"
t1=$(now)
count PerMsg $((MESSAGES - permsg))
permsg_expunge=$(awk -v a="$t0" -v b="$t1" -v k="$permsg" -v n="$half" 'BEGIN { printf "%.2f", (b - a) * n / k }')

printf '\n%d messages, %d expired, Dovecot %s on 127.0.0.1 (mail_fsync = never)\n' \
  "$MESSAGES" "$half" "$(dovecot --version | cut -d' ' -f1)"
printf '%-34s %10s\n' "what" "seconds"
printf '%-34s %10s\n' "lethe plan (EXAMINE, SEARCH, FETCH)" "$lethe_plan"
printf '%-34s %10s\n' "lethe expunge plugin" "$lethe_expunge"
printf '%-34s %10s\n' "doveadm expunge (server floor)" "$doveadm_expunge"
printf '%-34s %10s\n' "one message per command (IMAP)" "$permsg_expunge"
printf '  (timed on %d messages, scaled to %d)\n' "$permsg" "$half"
awk -v l="$lethe_expunge" -v d="$doveadm_expunge" 'BEGIN { printf "lethe expunge / doveadm = %.2fx (target: within 3x)\n", l / d }'

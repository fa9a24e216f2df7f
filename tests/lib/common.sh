# What every shell test shares; each suite's lib.sh sources this first and
# adds its own helpers (see tests/README).
#
# A test gets its own temporary directory ($T, from tmp_setup), removed on
# exit (kept when LETHE_TEST_KEEP is set), and fails with a message naming
# itself. The environment may set:
#   LETHE   the lethe binary (default: build/agent/lethe in the tree)
# Only bash, coreutils, findutils and jq are assumed.

set -uo pipefail
# Bytes, not characters: names need not be valid UTF-8, and C sorts alike
# everywhere.
export LC_ALL=C TZ=UTC
# A test must not depend on the caller's journald, configuration, systemd
# unit or sudo, nor inherit a crash hook meant for one command.
unset JOURNAL_STREAM LETHE_CONFIG LETHE_TEST_KILL_AT INVOCATION_ID SUDO_USER
# Nor on a lethe.service installed here (lethe check reads it).
export SYSTEMD_UNIT_PATH=/nonexistent/lethe-tests

TEST_NAME=${0##*/}
TEST_NAME=${TEST_NAME%.sh}
COMMON_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_ROOT=$(cd "$COMMON_LIB_DIR/../.." && pwd)
LETHE=${LETHE:-$SRC_ROOT/build/agent/lethe}

fail() {
  printf 'FAIL: %s: %s\n' "$TEST_NAME" "$*" >&2
  exit 1
}

skip() {
  printf 'SKIP: %s: %s\n' "$TEST_NAME" "$*"
  exit 77
}

note() {
  printf '%s: %s\n' "$TEST_NAME" "$*"
}

# has GREP-ARGS...: whether stdin holds a matching line, reading stdin to its
# end. `producer | grep -q` stops reading at the first match, the producer
# then dies of SIGPIPE, and pipefail turns the match into a failure (or, under
# `!`, into a false pass).
has() {
  local rc
  grep -q "$@"
  rc=$?
  cat >/dev/null
  return $rc
}

# Commands run by cleanup before the directory is removed (umount ...).
CLEANUP_HOOKS=()
T=

cleanup() {
  local rc=$? h
  trap - EXIT
  for h in "${CLEANUP_HOOKS[@]+"${CLEANUP_HOOKS[@]}"}"; do
    eval "$h" || true
  done
  if [[ -n ${LETHE_TEST_KEEP-} && -n $T ]]; then
    printf 'kept %s\n' "$T" >&2
  elif [[ -n $T && -d $T ]]; then
    chmod -R u+rwx -- "$T" 2>/dev/null
    rm -rf -- "$T"
  fi
  exit "$rc"
}

# need_fault_injection: skip unless lethe was built with the crash tests'
# hook ($LETHE_TEST_KILL_AT; -Dfault_injection, never in release builds).
need_fault_injection() {
  [[ ${LETHE_FAULT_INJECTION-yes} == yes ]] ||
    skip "lethe was built without -Dfault_injection: no crash hook to test with"
}

# tmp_setup SUITE: make $T and arrange for it to go away however the
# script ends; the lethe binary and jq must be there.
tmp_setup() {
  [[ -x $LETHE ]] || fail "lethe binary not found at $LETHE (set LETHE=)"
  command -v jq >/dev/null || fail "jq is required"
  T=$(mktemp -d "${TMPDIR:-/tmp}/lethe-$1.XXXXXXXX") || fail "mktemp failed"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
}

# run NAME CMD...: stdout in $T/NAME.out, stderr in $T/NAME.err, exit
# status in $RC; standard input is the caller's. Never fails by itself,
# except when a sanitizer build reported something.
run() {
  local name=$1
  shift
  # The braces keep bash's "Killed" notice (a killed run is expected) quiet.
  { "$@" >"$T/$name.out" 2>"$T/$name.err"; } 2>/dev/null
  RC=$?
  no_sanitizer_report "$T/$name.err" "$name"
}

# no_sanitizer_report FILE WHAT: under a sanitizer build, any report in the
# stderr FILE fails the test.
no_sanitizer_report() {
  if grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' -e 'runtime error:' "$1"; then
    fail "$2: sanitizer report:
$(head -c 6000 "$1")"
  fi
}

# expect_rc WANT NAME: fail unless the last run exited WANT, showing its
# output.
expect_rc() {
  [[ $RC == "$1" ]] && return 0
  fail "$2: exit status $RC, expected $1; stdout:
$(head -c 2000 "$T/$2.out")
stderr:
$(head -c 4000 "$T/$2.err")"
}

# expect_in NAME TEXT: the last run's stderr or stdout contains TEXT.
expect_in() {
  grep -qF -- "$2" "$T/$1.err" "$T/$1.out" && return 0
  fail "$1: expected \"$2\" in its output; stdout:
$(head -c 2000 "$T/$1.out")
stderr:
$(head -c 3000 "$T/$1.err")"
}

# uri_decode ENC: a percent-encoded path decoded (lethe never writes %00 and
# encodes '\' as %5C).
uri_decode() {
  printf '%b' "${1//%/\\x}"
}

# uri_encode PATH: percent-encoded as lethe does for URIs: bytes outside
# [A-Za-z0-9] and -._~/!$&'()*+,;=:@ become %XX (upper-case hex).
uri_encode() {
  local LC_ALL=C s=$1 out= c h i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [a-zA-Z0-9] | [-._~/\!\$\&\'\(\)\*+,\;=:@]) out+=$c ;;
      *) printf -v h '%%%02X' "'$c"; out+=$h ;;
    esac
  done
  printf '%s' "$out"
}

# cert_items CERT: the items of the certificate CERT (a ledger's
# certificates/YYYY/MM/ID.json) as JSON objects, one per line, as an
# auditor reads them with jq (lethe-certificate(5)): for
# lethe-certificate/2, each row of CERT and of its parts beside it
# (ID.part-NNNN.json) with its "columns" names, its group's members and its
# detail; for lethe-certificate/1, its item objects as they are.
CERT_ITEMS_JQ='if .schema == "lethe-certificate/1" then .items[] else
  .columns as $c | .groups as $g | .details as $d | .items[]
  | [$c, .] | transpose | map({(.[0]): .[1]}) | add
  | .detail |= (if . == null then null else $d[.] end)
  | . + $g[.group] | del(.group) end'
cert_items() {
  local parts=("${1%.json}".part-*.json)
  [[ -e ${parts[0]} ]] || parts=()
  jq -c "$CERT_ITEMS_JQ" "$1" "${parts[@]}"
}

# The archiving plugins after a crash (tests/imap/imap_archive_crash.sh,
# tests/graph/graph_archive_crash.sh).
# only_archive DIR GLOB: the one verified archive in DIR matching GLOB, no
# ".partial-" file beside it, named after its run and journal numbers:
# sets ARCHIVE and ARCHIVE_RUN8 (the run's eight characters in its name).
only_archive() {
  local found=("$1"/$2)
  [[ ${#found[@]} == 1 && -f ${found[0]} ]] || fail "expected one archive $2: $(ls -a "$1")"
  ARCHIVE=${found[0]}
  [[ $(ls -A "$1" | grep -c '^\.partial-') == 0 ]] || fail "a verified archive kept its partial name"
  [[ ${ARCHIVE##*/} =~ -([0-9a-f]{8})-[0-9]+-[0-9]+\.[a-z.]+$ ]] ||
    fail "the archive is not named after its run and journal numbers: ${ARCHIVE##*/}"
  ARCHIVE_RUN8=${BASH_REMATCH[1]}
}

# plant_partials DIR PREFIX: what a crash while writing would have left in
# DIR: an unverified archive PREFIX-...-RUN8-1-3.mbox.gz of the stopped run
# ($ARCHIVE_RUN8) and one of another run.
plant_partials() {
  printf 'half an archive' >"$1/.partial-$2-20261122T120000Z-$ARCHIVE_RUN8-1-3.mbox.gz"
  printf 'not ours' >"$1/.partial-$2-20261122T120000Z-0000beef-1-3.mbox.gz"
}

# partials_judged DIR PREFIX: after recovery, the stopped run's unverified
# archive is gone and the other run's is still there.
partials_judged() {
  [[ ! -e "$1/.partial-$2-20261122T120000Z-$ARCHIVE_RUN8-1-3.mbox.gz" ]] ||
    fail "recovery left the stopped run's unverified archive"
  [[ -e "$1/.partial-$2-20261122T120000Z-0000beef-1-3.mbox.gz" ]] ||
    fail "recovery removed another run's file"
}

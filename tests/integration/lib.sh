# Shared helpers for the integration tests; sourced by each test script.
#
# Each test gets its own temporary directory ($T), removed on exit, and
# fails with a message naming itself. The environment may set:
#   LETHE        the lethe binary (default: build/agent/lethe in the tree)
#   LETHE_DEMO   the demo generator (default: rules/demo/make-demo-share.sh)
# Only bash, coreutils, findutils, jq and util-linux are used.

set -uo pipefail
# Bytes, not characters: names need not be valid UTF-8, and C sorts alike
# everywhere.
export LC_ALL=C TZ=UTC
# A plan must not depend on the caller's journald or config settings.
unset JOURNAL_STREAM LETHE_CONFIG

TEST_NAME=${0##*/}
TEST_NAME=${TEST_NAME%.sh}
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_ROOT=$(cd "$LIB_DIR/../.." && pwd)
LETHE=${LETHE:-$SRC_ROOT/build/agent/lethe}
LETHE_DEMO=${LETHE_DEMO:-$SRC_ROOT/rules/demo/make-demo-share.sh}
EXPECTED_DIR=$LIB_DIR/expected

# The instant every deterministic test decides at.
FIXED_NOW=2026-11-22T12:00:00Z

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

# Commands run by cleanup before the directory is removed (umount ...).
CLEANUP_HOOKS=()
T=

cleanup() {
  local rc=$? h
  trap - EXIT
  for h in "${CLEANUP_HOOKS[@]+"${CLEANUP_HOOKS[@]}"}"; do
    eval "$h" || true
  done
  if [[ -n $T && -d $T ]]; then
    chmod -R u+rwx -- "$T" 2>/dev/null
    rm -rf -- "$T"
  fi
  exit "$rc"
}

# Make $T and arrange for it to go away however the script ends.
setup_tmp() {
  [[ -x $LETHE ]] || fail "lethe binary not found at $LETHE (set LETHE=)"
  command -v jq >/dev/null || fail "jq is required"
  T=$(mktemp -d "${TMPDIR:-/tmp}/lethe-it.XXXXXXXX") || fail "mktemp failed"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
}

# run NAME CMD...: run CMD with stdout in $T/NAME.out, stderr in $T/NAME.err,
# exit status in $RC. Never fails by itself.
run() {
  local name=$1
  shift
  "$@" >"$T/$name.out" 2>"$T/$name.err"
  RC=$?
}

# expect_rc WANT NAME: fail unless the last run exited WANT, showing stderr.
expect_rc() {
  [[ $RC == "$1" ]] && return 0
  fail "$2: exit status $RC, expected $1; stderr:
$(head -c 4000 "$T/$2.err")"
}

# json_ok FILE WHAT: FILE parses as one JSON document.
json_ok() {
  jq -e 'type == "object"' "$1" >/dev/null 2>&1 || fail "$2: not valid JSON"
}

# Decode a percent-encoded path (lethe never writes %00 or a raw '\').
uri_decode() {
  printf '%b' "${1//%/\\x}"
}

# Percent-encode a path as lethe does for URIs: bytes outside
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

# plan_lines JSON: "rule | decision | path" per item, path decoded, sorted.
plan_lines() {
  local r d p
  jq -r '.items[] | [.rule, .decision, .path] | @tsv' "$1" |
    while IFS=$'\t' read -r r d p; do
      printf '%s | %s | %s\n' "$r" "$d" "$(uri_decode "$p")"
    done | LC_ALL=C sort
}

# expected_lines FILE: the non-comment, non-blank lines of FILE, sorted.
expected_lines() {
  grep -v -e '^#' -e '^[[:space:]]*$' "$1" | LC_ALL=C sort
}

# epoch ISO: seconds since the epoch.
epoch() {
  date -u -d "$1" +%s
}

# write_config DIR: a lethe.ini in DIR using DIR/rules.d and DIR/state.
write_config() {
  mkdir -p "$1/rules.d" "$1/state"
  printf '[agent]\nrules = rules.d\nstate = state\n' >"$1/lethe.ini"
}

# list_names OUT PATH...: every name under the PATHs, NUL-separated, sorted.
# Listing reads directories, which may move their atimes: list first, then
# age_atimes, then stat_names.
list_names() {
  local out=$1
  shift
  find "$@" -print0 2>/dev/null | LC_ALL=C sort -z >"$out"
}

# stat_names NAMES OUT: metadata of each name in the NAMES list (type, size,
# mode, owner, mtime, ctime, atime, inode, links), one line each. find
# -maxdepth 0 stats a directory without reading it, so this does not move
# any atime. (Symlink targets are left to content_snapshot: readlink moves
# a symlink's atime.)
stat_names() {
  xargs -0 -r sh -c 'exec find "$@" -maxdepth 0 -printf "%p|%y|%s|%m|%U:%G|%T@|%C@|%A@|%i|%n\n"' sh \
    <"$1" >"$2"
}

# age_atimes NAMES EPOCH: set the atime of each name in NAMES (symlinks
# themselves included) to EPOCH, so that any later read shows.
age_atimes() {
  xargs -0 -r touch -h -a -d "@$2" -- <"$1"
}

# content_snapshot OUT PATH...: sha256 of every regular file and the target
# of every symlink under the PATHs (reads them: take it before age_atimes or
# after the last stat_names).
content_snapshot() {
  local out=$1
  shift
  {
    find "$@" -type f -print0 2>/dev/null | LC_ALL=C sort -z | xargs -0 -r sha256sum
    find "$@" -type l -printf '%p -> %l\n' 2>/dev/null | LC_ALL=C sort
  } >"$out"
}

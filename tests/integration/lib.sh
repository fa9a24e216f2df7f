# Shared helpers for the integration tests; sourced by each script, on top
# of tests/lib/common.sh (fail, skip, note, run, expect_rc, $T ...).
#
# The environment may set:
#   LETHE        the lethe binary (default: build/agent/lethe in the tree)
#   LETHE_DEMO   the demo generator (default: rules/demo/make-demo-share.sh)
# Only bash, coreutils, findutils, jq and util-linux are used.

# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LETHE_DEMO=${LETHE_DEMO:-$SRC_ROOT/rules/demo/make-demo-share.sh}
EXPECTED_DIR=$LIB_DIR/expected

# The instant every deterministic test decides at.
FIXED_NOW=2026-11-22T12:00:00Z

setup_tmp() {
  tmp_setup it
}

# json_ok FILE WHAT: FILE parses as one JSON document.
json_ok() {
  jq -e 'type == "object"' "$1" >/dev/null 2>&1 || fail "$2: not valid JSON"
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

# Shared helpers for the archive-purge tests; sourced by each script, on top
# of tests/lib/common.sh. Each test gets its own temporary directory ($T).
# The environment may set PURGE_TOOL (plugins/archive-purge/purge_tool). Archives
# are made by the real tools: GNU tar, bsdtar, zip, python3.

# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

ARC_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PURGE_TOOL=${PURGE_TOOL:-$SRC_ROOT/build/plugins/archive-purge/purge_tool}

need() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"
  done
}

T=$(mktemp -d "${TMPDIR:-/tmp}/lethe-archive-XXXXXX") || exit 1
trap cleanup EXIT

[[ -x $PURGE_TOOL ]] || fail "no purge_tool at $PURGE_TOOL"

# purge ARCHIVE PATH...: run the purge, the report into $T/report.json.
purge() {
  "$PURGE_TOOL" purge "$@" >"$T/report.json" 2>"$T/purge.err"
}

sha() {
  sha256sum "$1" | cut -d' ' -f1
}

# manifest DIR: one line per file system object below DIR: type, mode,
# mtime (of regular files only: extractors differ in restoring those of
# directories and symlinks), link count, link target, path, and for regular
# files the SHA-256.
manifest() {
  (cd "$1" && find . -mindepth 1 -type f -printf '%y %m %T@ %n %p\n' | sort -k5) || return 1
  (cd "$1" && find . -mindepth 1 ! -type f ! -type d -printf '%y %m %n %l %p\n' | sort -k5) ||
    return 1
  (cd "$1" && find . -mindepth 1 -type d -printf '%y %m %p\n' | sort -k3) || return 1
  (cd "$1" && find . -type f -print0 | sort -z | xargs -0r sha256sum) || return 1
}

# same_tree A B: the manifests of A and B are equal; else show the difference.
same_tree() {
  manifest "$1" >"$T/m1" && manifest "$2" >"$T/m2" || fail "cannot list $1 or $2"
  if ! cmp -s "$T/m1" "$T/m2"; then
    diff "$T/m1" "$T/m2" | head -20 >&2
    fail "${3:-trees differ}: $1 vs $2"
  fi
}

# left ARCHIVE: no temporary file of a purge is left beside it.
no_leftovers() {
  local d
  d=$(dirname "$1")
  if compgen -G "$d/.lethe-purge-*" >/dev/null; then
    ls -la "$d" >&2
    fail "leftover temporary files beside $1"
  fi
}

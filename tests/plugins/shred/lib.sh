# Shared by the plugin test scripts: sourced with the driver and plugin paths
# as $1 and $2. Each script works in its own temporary directory, removed
# (after unmounting whatever it mounted) on exit.
set -euo pipefail

DRIVER=$1
PLUGIN=$2
shift 2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lethe-plugin-test.XXXXXX")
MOUNTS=()
EXTRA_DIRS=()   # made outside $WORK (on /dev/shm), removed too
FAILS=0

cleanup() {
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null || true
  done
  chattr -R -i "$WORK" 2>/dev/null || true
  rm -rf "$WORK" "${EXTRA_DIRS[@]+"${EXTRA_DIRS[@]}"}"
}
trap cleanup EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }

# check DESCRIPTION COMMAND...: one assertion.
check() {
  local desc=$1
  shift
  if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# The parts of a driver outcome line "RESULT LEVEL | REASON | ERROR | DETAIL".
result() { printf '%s\n' "$1" | awk '{print $1}'; }
level() { printf '%s\n' "$1" | awk '{print $2}'; }
reason() { printf '%s\n' "$1" | awk -F' [|] ' '{print $2}'; }
error_of() { printf '%s\n' "$1" | awk -F' [|] ' '{print $3}'; }
detail() { printf '%s\n' "$1" | awk -F' [|] ' '{print $4}'; }

contains() { [[ $1 == *"$2"* ]]; }
# The ctime_ns and nlink fields of PATH's identity, as lethe writes them.
status_of() {
  local c
  c=$(stat -c %.9Z -- "$1")
  printf 'ctime_ns=%s nlink=%s' "$((10#${c/./}))" "$(stat -c %h -- "$1")"
}
matches() { [[ $1 =~ $2 ]]; }   # matches STRING ERE
like() { [[ $1 == $2 ]]; }      # like STRING GLOB
is_json() { jq -e . >/dev/null <<<"$1"; }
gone() { [ ! -e "$1" ] && [ ! -L "$1" ]; }
# The directory holds exactly the names given (no leftover temporary names).
only_names() {
  local dir=$1
  shift
  [ "$(ls -A "$dir" | sort | tr '\n' ' ')" = "$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr '\n' ' ')" ]
}

# run DRIVER-ARGS...: run the driver (options, then the plugin, then files);
# its output is left in OUT and its exit status in RC, never fatal.
OUT=
RC=0
run() {
  RC=0
  OUT=$("$DRIVER" files "$@" 2>&1) || RC=$?
  printf '%s\n' "$OUT" | sed 's/^/    | /'
  if grep -qE 'Sanitizer|runtime error' <<<"$OUT"; then
    not_ok "the driver ran clean under the sanitizers"
  fi
}

# mkfile PATH SIZE_KIB: a file of random bytes.
mkfile() { head -c "$(($2 * 1024))" /dev/urandom >"$1"; }

is_root() { [ "$(id -u)" = 0 ]; }

finish() {
  if [ "$FAILS" -gt 0 ]; then
    echo "$FAILS assertion(s) failed"
    exit 1
  fi
  echo "all assertions passed"
  exit 0
}

#!/usr/bin/env bash
# bench_apply.sh: wall time of `lethe apply` deleting every file older than
# 180 days of a tree, against GNU find doing the same, journal included:
#   unlink:  lethe (action = unlink)            vs  find ROOT -type f -mtime +180 -delete
#   shred:   lethe (action = shred, passes = 1) vs  find ROOT -type f -mtime +180 -exec shred -n1 -u {} +
# Each measurement gets a fresh copy of the same tree (N files of BYTES
# bytes in N/100 directories, half older than the cutoff), built with
# mktree; the counts of files deleted must agree or the script exits 1.
#
#   meson test -C build-release --suite bench -v      (built and run by meson)
#   tests/bench/bench_apply.sh --lethe build-release/agent/lethe \
#       --plugins build-release/plugins [--files N] [--bytes B]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
files=100000
bytes=4096
lethe=
plugins=
mktree=
base=${TMPDIR:-/var/tmp}

die() { echo "bench_apply: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case $1 in
  --files) files=${2:?}; shift ;;
  --bytes) bytes=${2:?}; shift ;;
  --lethe) lethe=${2:?}; shift ;;
  --plugins) plugins=${2:?}; shift ;;
  --mktree) mktree=${2:?}; shift ;;
  --dir) base=${2:?}; shift ;;
  -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
  *) die "unknown argument $1" ;;
  esac
  shift
done
[ -x "$lethe" ] || die "--lethe PATH is required"
[ -d "$plugins" ] || die "--plugins DIR (the build's plugins directory) is required"
command -v shred >/dev/null || die "shred (coreutils) is needed"

work=$(mktemp -d "$base/lethe-bench-apply.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ -z "$mktree" ]; then
  mktree=$work/mktree
  cc -O2 -o "$mktree" "$here/mktree.c" || die "cannot compile mktree.c"
fi
mkdir -p "$work/plugins"
for p in unlink shred; do
  install -m 0644 "$plugins/$p/$p.so" "$work/plugins/$p.so"
done

now=$(date +%s)

# A fresh tree at $work/tree; prints how many files are older than the cutoff.
fresh_tree() {
  rm -rf "$work/tree" "$work/state"
  mkdir -p "$work/tree"
  "$mktree" "$work/tree" "$files" "$now" "$bytes" >/dev/null
  sync
  find "$work/tree" -type f -mtime +180 | wc -l
}

remaining() {
  find "$work/tree" -type f | wc -l
}

config() { # action [setting]
  mkdir -p "$work/rules.d"
  printf '[agent]\nrules = rules.d\nstate = state\nplugins = plugins\n' >"$work/lethe.ini"
  {
    printf '[rule bench]\nsource = file://%s/tree\nretain = 180 days\n' "$work"
    printf 'action = %s\nremove-empty-dirs = no\n' "$1"
    if [ $# -gt 1 ]; then printf "%s\n" "$2"; fi
  } >"$work/rules.d/bench.ini"
}

seconds() { # command...: wall seconds
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

measure() { # label command...
  local label=$1 before after s
  shift
  before=$(fresh_tree)
  total=$(find "$work/tree" -type f | wc -l)
  s=$(seconds "$@")
  after=$(remaining)
  deleted=$((total - after))
  [ "$deleted" -eq "$before" ] || {
    echo "bench_apply: $label deleted $deleted files, expected $before" >&2
    exit 1
  }
  printf '  %-24s %8s s  %7d files deleted\n' "$label" "$s" "$deleted" >&2
  echo "$s"
}

echo "apply benchmark: $files files of $bytes bytes, $(df -T "$work" | awk 'NR==2{print $2}') under $base, $(nproc) CPUs"
config unlink
u_lethe=$(measure "lethe apply (unlink)" "$lethe" apply -c "$work/lethe.ini" --yes)
u_find=$(measure "find -delete" find "$work/tree" -type f -mtime +180 -delete)
config shred "passes = 1"
s_lethe=$(measure "lethe apply (shred)" "$lethe" apply -c "$work/lethe.ini" --yes)
s_find=$(measure "find -exec shred -n1 -u" find "$work/tree" -type f -mtime +180 -exec shred -n1 -u {} +)
awk -v ul="$u_lethe" -v uf="$u_find" -v sl="$s_lethe" -v sf="$s_find" 'BEGIN {
  printf "ratios: unlink lethe/find = %.2f (target <= 1.20), shred lethe/shred = %.2f (target <= 1.00)\n",
    ul / uf, sl / sf }'

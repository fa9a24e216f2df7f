#!/usr/bin/env bash
# bench_saved_plan.sh: peak memory and time of the review workflow at scale:
# `lethe plan --format json -o FILE` over a tree whose files are all due,
# then `lethe apply --plan FILE` deleting them (unlink, journal included,
# certificates left to wait), at 10k, 100k and 1M planned items. Memory
# must not grow with the plan: both commands stream it (the plan from its
# spool to the file, apply a line at a time from the file).
#
#   meson test -C build-release --suite bench saved-plan -v
#   tests/bench/bench_saved_plan.sh --lethe build-release/agent/lethe \
#       --mktree build-release/tests/bench/bench_mktree \
#       --plugins build-release/plugins [--sizes "10000 100000"]
#
# Columns: items planned (and deleted: they must agree, or the script exits
# 1), the plan file's size, then seconds and peak RSS (/usr/bin/time) of
# each command.
set -euo pipefail

sizes=${SIZES:-"10000 100000 1000000"}
lethe= mktree= plugins=
base=${TMPDIR:-/var/tmp}
die() { echo "bench_saved_plan: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
  --lethe) lethe=${2:?}; shift ;;
  --mktree) mktree=${2:?}; shift ;;
  --plugins) plugins=${2:?}; shift ;;
  --sizes) sizes=${2:?}; shift ;;
  --dir) base=${2:?}; shift ;;
  -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
  *) die "unknown argument $1" ;;
  esac
  shift
done
[ -x "$lethe" ] || die "--lethe PATH is required"
[ -x "$mktree" ] || die "--mktree PATH (the build's tests/bench/bench_mktree) is required"
[ -f "$plugins/unlink/unlink.so" ] || die "--plugins DIR (the build's plugins) is required"
[ -x /usr/bin/time ] || die "/usr/bin/time (package time) is needed"

work=$(mktemp -d "$base/lethe-bench-saved.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/plugins" "$work/rules.d"
install -m 0644 "$plugins/unlink/unlink.so" "$work/plugins/unlink.so"
printf '[agent]\nrules = rules.d\nstate = state\nplugins = plugins\ncertificates = may-wait\n' \
  >"$work/lethe.ini"
printf '[rule bench]\nsource = file://%s/tree\nretain = 1 day\naction = unlink\n' "$work" \
  >"$work/rules.d/bench.ini"

# measure NAME command...: "seconds MiB" of the command into $work/NAME.m.
measure() {
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" ||
    { cat "$work/$name.err" >&2; die "$name failed"; }
  awk '{ printf "%.2f s %4.0f MiB", $1, $2 / 1024 }' "$work/$name.time"
}

echo "saved plans: $(nproc) CPUs, $(df -T "$work" | awk 'NR == 2 { print $2 }') under $base"
printf '%9s %10s %22s %22s\n' items "plan MiB" "plan -o FILE" "apply --plan FILE"
now=$(date +%s)
for n in $sizes; do
  rm -rf "$work/tree" "$work/state" "$work/plan.json"
  mkdir -p "$work/tree"
  # every file at least two days old, so that every one is due
  "$mktree" "$work/tree" "$n" "$((now - 2 * 86400))" 0 >/dev/null
  sync
  p=$(measure plan "$lethe" plan -c "$work/lethe.ini" --format json -o "$work/plan.json")
  planned=$(head -n 1 "$work/plan.json" | sed 's/,"items":\[$/}/' | jq .totals.delete.count)
  a=$(measure apply "$lethe" apply -c "$work/lethe.ini" --plan "$work/plan.json" --yes)
  left=$(find "$work/tree" -type f | wc -l)
  [ "$((n - left))" = "$planned" ] ||
    { echo "bench_saved_plan: $planned planned but $((n - left)) deleted" >&2; exit 1; }
  printf '%9s %10.1f %22s %22s\n' "$planned" \
    "$(echo "$(stat -c %s "$work/plan.json") / 1048576" | bc -l)" "$p" "$a"
done

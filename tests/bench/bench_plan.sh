#!/usr/bin/env bash
# bench_plan.sh: wall time and peak memory of `lethe plan` against GNU find
# and bfs asking the same question of the same tree, at several tree sizes.
#
# Through meson, which builds lethe first (-v shows the table; a release
# build gives the figures worth quoting):
#   meson setup build-release --buildtype=release
#   meson test -C build-release --suite bench -v
# A plain `meson test` leaves it out (see tests/bench/meson.build).
# Or directly:
#   tests/bench/bench_plan.sh --lethe build-release/agent/lethe [--files N]...
#
# For each N it builds N empty files in N/100 directories under a fresh
# temporary directory (on disk, not tmpfs, so directory and inode caches
# behave as on a file share), a quarter of them *.mp4, half of every kind
# older than 180 days. After one untimed pass to warm the caches it times
# each of these --repeat times, taking them in turn within each round so that
# other load on the machine falls on all of them alike, and prints the
# medians and the spread of the walls ((max - min) / median, in %):
#   find ROOT -xdev -type f -name '*.mp4' -mtime +180
#   bfs  ROOT -xdev -type f -name '*.mp4' -mtime +180
#   lethe plan (one rule: select = **/*.mp4, retain = 180 days), json and text
#   lethe plan with subjects (subject = */, clock = newest, retain = 12
#     months, select = **/*.mp4) at --now 400 days ahead, so that every
#     subject is due and each of its *.mp4 files is listed: the cost of
#     dating every subject by the newest file in it (json)
# The first four must find the same files, as many as the tree was built
# with, and the subjects row every *.mp4 file: the script exits 1 if any
# count differs, 2 on a usage or setup error.
#
# Needs bash, coreutils, findutils, bfs, cc, jq and GNU time (/usr/bin/time,
# Debian package 'time'); strace for --syscalls.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcroot=$(cd "$here/../.." && pwd)

usage() {
  cat <<EOF
Usage: bench_plan.sh [--files N]... [--repeat K] [--lethe PATH] [--mktree PATH]
                     [--dir DIR | --tmpfs] [--keep] [--syscalls]

  --files N      tree size; repeat for several (default 100000 and 1000000)
  --repeat K     timed runs of each command; the median is shown (default 3)
  --lethe PATH   the lethe program (default build-release/agent/lethe if
                 built, else build/agent/lethe)
  --mktree PATH  the tree builder (default: compile mktree.c with cc)
  --dir DIR      make the trees under DIR (default \$TMPDIR or /var/tmp;
                 refused if it is tmpfs)
  --tmpfs        make the trees on tmpfs (/dev/shm) instead
  --keep         leave the trees in place and print where they are
  --syscalls     also count each tool's system calls once (strace -c -f)
  -h, --help     show this help
EOF
}

die() {
  echo "bench_plan: $*" >&2
  exit 2
}

sizes=()
repeat=3
lethe=
mktree=
base=
tmpfs=false
keep=false
syscalls=false

while (($#)); do
  case $1 in
  --files) sizes+=("${2:?--files needs a number}"); shift ;;
  --repeat) repeat=${2:?--repeat needs a number}; shift ;;
  --lethe) lethe=${2:?--lethe needs a path}; shift ;;
  --mktree) mktree=${2:?--mktree needs a path}; shift ;;
  --dir) base=${2:?--dir needs a directory}; shift ;;
  --tmpfs) tmpfs=true ;;
  --keep) keep=true ;;
  --syscalls) syscalls=true ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
  esac
  shift
done

((${#sizes[@]})) || sizes=(100000 1000000)
for n in "${sizes[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "--files wants a positive number, not '$n'"
done
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "--repeat wants a positive number, not '$repeat'"

if [[ -z $lethe ]]; then
  lethe=$srcroot/build/agent/lethe
  [[ -x $srcroot/build-release/agent/lethe ]] && lethe=$srcroot/build-release/agent/lethe
fi
[[ -x $lethe ]] || die "$lethe: not an executable (build it, or name it with --lethe)"
lethe=$(readlink -f "$lethe")
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian package 'time')"
command -v jq >/dev/null || die "jq is missing"
command -v bfs >/dev/null || die "bfs is missing (Debian package 'bfs')"
if $syscalls; then
  command -v strace >/dev/null || die "strace is missing (needed by --syscalls)"
fi

if $tmpfs; then
  base=/dev/shm
elif [[ -z $base ]]; then
  base=${TMPDIR:-/var/tmp}
fi
[[ -d $base ]] || die "$base: not a directory"
# stat -f names the file system by its magic number (ext4 shows as
# ext2/ext3), which is what the tmpfs test needs; findmnt names it better.
if ! $tmpfs && [[ $(stat -f -c %T "$base") == tmpfs ]]; then
  die "$base is tmpfs; name a directory on disk with --dir, or pass --tmpfs"
fi
fstype=$(findmnt -n -o FSTYPE -T "$base" 2>/dev/null | tail -n 1)
[[ -n $fstype ]] || fstype=$(stat -f -c %T "$base")

# meson test sets a random MALLOC_PERTURB_, which makes glibc fill every
# allocation and free: not what lethe costs in production.
unset MALLOC_PERTURB_

work=$(mktemp -d "$base/lethe-bench.XXXXXX")
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  if $keep; then
    echo "kept: $work" >&2
  else
    rm -rf --one-file-system -- "$work"
  fi
}
trap cleanup EXIT

if [[ -z $mktree ]]; then
  mktree=$work/mktree
  cc -O2 -o "$mktree" "$here/mktree.c" || die "cannot compile mktree.c"
fi

# Print the median of the numbers on stdin, one a line.
median() {
  sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# run_once OUT CMD...: run CMD (stdout discarded) once; append its wall
# milliseconds, user and system seconds and peak RSS in KiB to OUT.runs.
run_once() {
  local out=$1 t0 t1 u s m
  shift
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S %M' -o "$out.time" "$@" >/dev/null || die "failed ($?): $*"
  t1=$(date +%s%N)
  read -r u s m <"$out.time"
  echo "$(((t1 - t0) / 1000000)) $u $s $m" >>"$out.runs"
}

# summarise OUT: the medians of OUT.runs (wall seconds, user, system, peak
# RSS in KiB) and the spread of the walls in %, one line into OUT.
summarise() {
  local out=$1 e u s m lo hi
  e=$(awk '{ print $1 / 1000 }' "$out.runs" | median)
  u=$(awk '{ print $2 }' "$out.runs" | median)
  s=$(awk '{ print $3 }' "$out.runs" | median)
  m=$(awk '{ print $4 }' "$out.runs" | median)
  lo=$(awk '{ print $1 / 1000 }' "$out.runs" | sort -g | head -n 1)
  hi=$(awk '{ print $1 / 1000 }' "$out.runs" | sort -g | tail -n 1)
  echo "$e $u $s $m $(awk -v lo="$lo" -v hi="$hi" -v e="$e" \
    'BEGIN { printf "%.0f", (e > 0 ? 100 * (hi - lo) / e : 0) }')" >"$out"
}

# write_config DIR ROOT: a configuration with one rule equivalent to
# find ROOT -xdev -type f -name '*.mp4' -mtime +180.
write_config() {
  local dir=$1 root=$2
  mkdir -p "$dir/rules.d"
  printf '[agent]\nrules = %s/rules.d\n' "$dir" >"$dir/lethe.ini"
  cat >"$dir/rules.d/bench.ini" <<EOF
[rule bench-mp4]
description = benchmark: the mp4 files older than 180 days
source = file://$root
select = **/*.mp4
retain = 180 days
action = shred
EOF
}

# write_subject_config DIR ROOT: one rule that dates each top-level folder
# (a client) by the newest file in it and lists its *.mp4 files when due.
write_subject_config() {
  local dir=$1 root=$2
  mkdir -p "$dir/rules.d"
  printf '[agent]\nrules = %s/rules.d\n' "$dir" >"$dir/lethe.ini"
  cat >"$dir/rules.d/bench.ini" <<EOF
[rule bench-clients]
description = benchmark: the mp4 files of clients dormant for 12 months
source = file://$root
select = **/*.mp4
subject = */
clock = newest
retain = 12 months
action = shred
EOF
}

declare -a rows=()
status=0

# add_row N TOOL TIMINGFILE MATCHES
add_row() {
  local e u s m spread
  read -r e u s m spread <"$3"
  rows+=("$(printf '%9s  %-14s %8.3f %7.2f %7.2f %8.1f %9s %7s' "$1" "$2" "$e" "$u" "$s" \
    "$(awk -v k="$m" 'BEGIN { print k / 1024 }')" "$4" "$spread")")
}

syscall_summary() {
  local label=$1
  shift
  echo "== system calls of $label =="
  strace -c -f -o "$work/strace" "$@" >/dev/null
  head -n 20 "$work/strace"
}

bench_one() {
  local n=$1 tree=$work/tree-$1 root now iso later t0 t1 expect all_mp4 i t
  local found_find found_bfs found_json found_text found_subj summary_count
  root=$tree/root
  mkdir -p "$root"
  now=$(date +%s)
  iso=$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)
  later=$(date -u -d "@$((now + 400 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
  t0=$(date +%s%N)
  expect=$("$mktree" "$root" "$n" "$now") || die "cannot build the tree of $n files"
  t1=$(date +%s%N)
  echo "built $n files in $(((t1 - t0) / 1000000)) ms under $root ($fstype)" >&2
  write_config "$tree/etc" "$root"
  write_subject_config "$tree/etc-subjects" "$root"
  local conf=$tree/etc/lethe.ini
  local findcmd=(find "$root" -xdev -type f -name '*.mp4' -mtime +180)
  local bfscmd=(bfs "$root" -xdev -type f -name '*.mp4' -mtime +180)
  local plancmd=("$lethe" plan -c "$conf" --now "$iso")
  local subjcmd=("$lethe" plan -c "$tree/etc-subjects/lethe.ini" --now "$later")

  # Warm the dentry and inode caches: -mtime makes find stat everything.
  find "$root" -xdev -mtime +100000 >/dev/null

  for ((i = 0; i < repeat; i++)); do
    run_once "$tree/t.find" "${findcmd[@]}"
    run_once "$tree/t.bfs" "${bfscmd[@]}"
    run_once "$tree/t.json" "${plancmd[@]}" --format json -o /dev/null
    run_once "$tree/t.text" "${plancmd[@]}" --format text -o /dev/null
    run_once "$tree/t.subj" "${subjcmd[@]}" --format json -o /dev/null
  done
  for t in find bfs json text subj; do
    summarise "$tree/t.$t"
  done

  # The counts come from separate, untimed runs, so that the timed ones
  # write to /dev/null like find.
  found_find=$("${findcmd[@]}" | wc -l)
  found_bfs=$("${bfscmd[@]}" | wc -l)
  all_mp4=$(find "$root" -xdev -type f -name '*.mp4' | wc -l)
  "${plancmd[@]}" --format json -o "$tree/plan.json" || die "lethe plan failed ($?)"
  found_json=$(jq '[.items[] | select(.decision == "delete")] | length' "$tree/plan.json")
  summary_count=$(jq '.totals.delete.count' "$tree/plan.json")
  "${plancmd[@]}" --format text -o "$tree/plan.txt" || die "lethe plan failed ($?)"
  # Item lines, not the rule's summary line "  delete N items (SIZE)...".
  found_text=$(awk '/^  delete / && !/^  delete [0-9]+ items? \(/ { n++ } END { print n + 0 }' \
    "$tree/plan.txt")
  "${subjcmd[@]}" --format json -o "$tree/subjects.json" || die "lethe plan failed ($?)"
  found_subj=$(jq '[.items[] | select(.decision == "delete")] | length' "$tree/subjects.json")

  add_row "$n" find "$tree/t.find" "$found_find"
  add_row "$n" bfs "$tree/t.bfs" "$found_bfs"
  add_row "$n" lethe-json "$tree/t.json" "$found_json"
  add_row "$n" lethe-text "$tree/t.text" "$found_text"
  add_row "$n" lethe-subjects "$tree/t.subj" "$found_subj"
  for c in "$found_find" "$found_bfs" "$found_json" "$summary_count" "$found_text"; do
    if [[ $c != "$expect" ]]; then
      echo "bench_plan: N=$n: counts differ: expected $expect; find $found_find, bfs" \
        "$found_bfs, lethe json items $found_json (summary $summary_count), text" \
        "$found_text" >&2
      status=1
      break
    fi
  done
  if [[ $found_subj != "$all_mp4" ]]; then
    echo "bench_plan: N=$n: the subjects rule lists $found_subj files, not every" \
      "*.mp4 ($all_mp4)" >&2
    status=1
  fi

  if $syscalls; then
    syscall_summary "find, N=$n" "${findcmd[@]}"
    syscall_summary "bfs, N=$n" "${bfscmd[@]}"
    syscall_summary "lethe plan --format json, N=$n" \
      "${plancmd[@]}" --format json -o /dev/null
    syscall_summary "lethe plan --format text, N=$n" \
      "${plancmd[@]}" --format text -o /dev/null
  fi
  if ! $keep; then
    rm -rf --one-file-system -- "$tree"
  fi
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
for n in "${sizes[@]}"; do
  bench_one "$n"
done

echo
echo "lethe: $lethe"
echo "trees: $base ($fstype), $(nproc) CPUs, $(uname -sr); median of $repeat runs, warm cache"
echo "load average before: $load0; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "spread: (slowest - fastest) / median wall, in %"
printf '%9s  %-14s %8s %7s %7s %8s %9s %7s\n' files tool wall_s user_s sys_s rss_MiB matches \
  spread
printf '%s\n' "${rows[@]}"
exit "$status"

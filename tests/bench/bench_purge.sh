#!/bin/bash
# Benchmark: purge one top-level folder (1% of 100,000 files) from a .tar.zst
# with purge_tool (write, verify, swap, dispose), beside
# `bsdtar --exclude PATTERN -cf - @old.tar.zst | zstd`, which does the same
# rewrite without verifying anything. Prints wall time and peak RSS of each
# (/usr/bin/time -v), the median of RUNS runs. Targets: within 1.5x of bsdtar;
# peak RSS under 64 MiB and flat from 200 MB to 2 GB.
#
#   SIZE=200M (default) or SIZE=2G; FILES=100000; BENCH_DIR=/tmp (needs about
#   3 x SIZE free); PURGE_TOOL as for the tests.
. "$(dirname "$0")/../archive/lib.sh"
need bsdtar zstd python3
[[ -x /usr/bin/time ]] || skip "/usr/bin/time (package time) is not installed"

SIZE=${SIZE:-200M}
FILES=${FILES:-100000}
bytes=$(numfmt --from=iec "$SIZE") || fail "SIZE: $SIZE"
dir=${BENCH_DIR:-$T}
[[ $dir = "$T" ]] || { dir=$(mktemp -d "$dir/lethe-bench-XXXXXX") && CLEANUP_DIR=$dir; }
trap 'rm -rf "${CLEANUP_DIR:-}"; cleanup' EXIT
avail=$(df --output=avail -B1 "$dir" | tail -1)
(( avail > 3 * bytes )) || skip "need $((3 * bytes / 1048576)) MiB free in $dir"

# 100 top-level folders of FILES/100 files; contents are words drawn from a
# vocabulary, so zstd compresses them about as much as office documents.
note "generating $FILES files, $SIZE, as $dir/old.tar.zst"
python3 - "$FILES" "$bytes" <<'PY' | zstd -q -T0 -3 -o "$dir/old.tar.zst" || fail "cannot generate"
import io, random, sys, tarfile
files, total = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(42)
words = [bytes(rnd.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 10)))
         for _ in range(5000)]
pool = b" ".join(rnd.choice(words) for _ in range(3000000))
avg = total // files
with tarfile.open(fileobj=sys.stdout.buffer, mode="w|", format=tarfile.PAX_FORMAT) as t:
    for i in range(files):
        size = rnd.randint(avg // 2, avg * 3 // 2)
        off = rnd.randrange(0, len(pool) - size)
        info = tarfile.TarInfo("client%03d/doc%06d.txt" % (i % 100, i))
        info.size, info.mtime, info.mode = size, 1600000000 + i, 0o644
        t.addfile(info, io.BytesIO(pool[off:off + size]))
PY
ls -l "$dir/old.tar.zst" | awk '{printf "archive: %.1f MiB compressed\n", $5 / 1048576}'

measure() {   # LABEL COMMAND...: prints "LABEL wall=S rss=KiB"
  local label=$1
  shift
  /usr/bin/time -v "$@" 2>"$T/time.out" >/dev/null || { cat "$T/time.out" >&2; fail "$label failed"; }
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$T/time.out" |
         awk -F: '{ s = 0; for(i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time.out")
  printf '%-10s wall %7.2f s   peak RSS %7.1f MiB\n' "$label" "$wall" "$(echo "$rss / 1024" | bc -l)"
  eval "${label//-/_}_wall=$wall ${label//-/_}_rss=$rss"
}

# RUNS (default 3) alternating runs of each; the median wall time and the
# largest peak RSS are kept (other work on the machine makes one run noisy).
RUNS=${RUNS:-3}
bsdtar_walls=() purge_walls=() bsdtar_rss_max=0 purge_rss_max=0
for ((i = 1; i <= RUNS; i++)); do
  cp "$dir/old.tar.zst" "$dir/purge.tar.zst"
  sync
  measure bsdtar sh -c "bsdtar --exclude 'client042' -cf - @'$dir/old.tar.zst' | zstd -q > '$dir/bsdtar.tar.zst'"
  sync
  measure purge "$PURGE_TOOL" purge --run bench --seq "$i" "$dir/purge.tar.zst" client042
  bsdtar_walls+=("$bsdtar_wall") purge_walls+=("$purge_wall")
  ((bsdtar_rss > bsdtar_rss_max)) && bsdtar_rss_max=$bsdtar_rss
  ((purge_rss > purge_rss_max)) && purge_rss_max=$purge_rss
done
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
bsdtar_wall=$(median "${bsdtar_walls[@]}") purge_wall=$(median "${purge_walls[@]}")
purge_rss=$purge_rss_max
printf 'median of %d: bsdtar %.2f s, purge %.2f s\n' "$RUNS" "$bsdtar_wall" "$purge_wall"
n1=$(bsdtar -tf "$dir/bsdtar.tar.zst" | wc -l)
n2=$(bsdtar -tf "$dir/purge.tar.zst" | wc -l)
[[ $n1 = "$n2" ]] || fail "bsdtar kept $n1 entries, the purge $n2"
ratio=$(echo "$purge_wall / $bsdtar_wall" | bc -l)
printf 'SIZE=%s files=%s kept=%s: purge/bsdtar = %.2fx (target <= 1.5), purge peak RSS %.1f MiB (target < 64)\n' \
  "$SIZE" "$FILES" "$n2" "$ratio" "$(echo "$purge_rss / 1024" | bc -l)"
echo "1 passed, 0 failed"

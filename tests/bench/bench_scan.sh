#!/bin/sh
# Throughput of the personal-data scanner against ripgrep.
#
#   tests/bench/bench_scan.sh SCAN_TOOL [SIZE_MB]
#
# Generates (once) a corpus of SIZE_MB (default 1024) of plain text and CSV
# with realistic words and a sprinkling of planted values, and an office
# corpus (docx, xlsx, pptx, odt, ods, PDF), in $BENCH_DIR (default
# /tmp/lethe-scan-bench); then, with the page cache warm and as many threads
# as cores, times scan_tool and `rg -c` with equivalent patterns
# (bench_patterns.txt, in ripgrep's fastest ASCII mode) and prints MB/s.
# The client-name comparison runs on one file only: ripgrep's Unicode
# case-insensitive matching of the list is too slow for the whole corpus.
set -eu
here=$(cd "$(dirname "$0")/../scan" && pwd)   # the corpus generators
tool=${1:?usage: bench_scan.sh SCAN_TOOL [SIZE_MB]}
size=${2:-1024}
dir=${BENCH_DIR:-/tmp/lethe-scan-bench}
jobs=$(nproc)

if [ "$(cat "$dir/text/.size" 2>/dev/null)" != "$size" ]; then
  rm -rf "$dir/text"
  python3 "$here/gen_bench.py" text "$dir/text" "$size"
  echo "$size" > "$dir/text/.size"
fi
[ -d "$dir/office" ] || python3 "$here/gen_bench.py" office "$dir/office" 4
python3 - "$here/corpusgen.py" "$dir" <<'PY'
import re, sys, importlib.util
spec = importlib.util.spec_from_file_location("cg", sys.argv[1]); cg = importlib.util.module_from_spec(spec); spec.loader.exec_module(cg)
d = sys.argv[2]
open(d + "/clients.txt", "w").write("\n".join(cg.CLIENTS) + "\n")
names = "|".join(re.escape(c).replace("\\ ", "\\s{1,3}") for c in cg.CLIENTS)
open(d + "/pat_clients.txt", "w").write("(?i)\\b(" + names + ")\\b\n")
PY
sed 's/^(?i)\(.*\)$/(?i-u:\1)/; /^(?i-u:/!s/^\(.*\)$/(?-u:\1)/' "$here/bench_patterns.txt" > "$dir/pat_ascii.txt"

now() { date +%s.%N; }
bytes_of() { cat "$@" | wc -c; }
rate() { echo "$1 $2 $3" | awk '{ printf "%.1f", $1 / 1048576 / ($3 - $2) }'; }

text_files=$(ls "$dir"/text/*.txt "$dir"/text/*.csv)
total=$(bytes_of $text_files)
cat $text_files > /dev/null

t0=$(now); "$tool" -j "$jobs" $text_files > "$dir/scan.json"; t1=$(now)
scan=$(rate "$total" "$t0" "$t1")
t0=$(now); rg -c -j "$jobs" -f "$dir/pat_ascii.txt" $text_files > "$dir/rg.txt" || true; t1=$(now)
rg=$(rate "$total" "$t0" "$t1")
echo "text+CSV corpus: $(echo "$total" | awk '{ printf "%.0f", $1 / 1048576 }') MB in $(echo $text_files | wc -w) files, $jobs threads"
echo "  scan_tool (all detectors but client-name): $scan MB/s"
echo "  rg -c (equivalent ASCII patterns):          $rg MB/s"
echo "  ratio: $(echo "$scan $rg" | awk '{ printf "%.2f", $1 / $2 }')"

one=$(ls "$dir"/text/*.txt | head -1)
onesize=$(bytes_of "$one")
t0=$(now); "$tool" -c "$dir/clients.txt" "$one" > /dev/null; t1=$(now)
scanc=$(rate "$onesize" "$t0" "$t1")
t0=$(now); rg -c -j1 -f "$dir/pat_ascii.txt" -f "$dir/pat_clients.txt" "$one" > /dev/null || true; t1=$(now)
rgc=$(rate "$onesize" "$t0" "$t1")
echo "one file with the client list (1 thread): scan_tool $scanc MB/s, rg -c $rgc MB/s"

office=$(ls "$dir"/office/*)
obytes=$(bytes_of $office)
t0=$(now); "$tool" -j "$jobs" $office > "$dir/office.json"; t1=$(now)
text=$(awk -F'"bytes":' '{ split($2, a, ","); s += a[1] } END { print s }' "$dir/office.json")
echo "office corpus: $(echo $office | wc -w) files, $(echo "$obytes" | awk '{ printf "%.0f", $1 / 1048576 }') MB on disk, $(echo "$text" | awk '{ printf "%.0f", $1 / 1048576 }') MB of text"
echo "  scan_tool: $(rate "$obytes" "$t0" "$t1") MB/s of files, $(rate "$text" "$t0" "$t1") MB/s of text"
grep -c '"error"' "$dir/office.json" | awk '{ if ($1 > 0) print "  errors: " $1 }'

#!/usr/bin/env bash
# bench_certify.sh: time and peak memory of certifying, verifying and
# showing runs of 10k, 200k and 1M items, and the sizes of what they leave.
# Each run's journal is made by mkjournal (the journal code lethe apply
# uses, records as apply writes them for the shred plugin); `lethe run`
# then certifies it into a fresh ledger (with an empty rule set, so the run
# itself adds nothing), `lethe verify` checks the ledger and `lethe show`
# renders the certificate as text and as HTML.
#
#   meson test -C build-release --suite bench certify-scale -v
#   tests/bench/bench_certify.sh --lethe build-release/agent/lethe \
#       --mkjournal build-release/tests/bench/bench_mkjournal [--sizes "10000 200000"]
#
# Columns: seconds and peak RSS (MiB, from /usr/bin/time) of each command;
# the journal's size; the certificate's size (its .json files and their
# .sig in the ledger's work tree); the ledger's .git/objects; the text and
# HTML renderings. Exits 1 if a command fails.
set -euo pipefail

sizes=${SIZES:-"10000 200000 1000000"}
lethe=
mkjournal=
base=${TMPDIR:-/var/tmp}

die() { echo "bench_certify: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case $1 in
  --lethe) lethe=${2:?}; shift ;;
  --mkjournal) mkjournal=${2:?}; shift ;;
  --sizes) sizes=${2:?}; shift ;;
  --dir) base=${2:?}; shift ;;
  -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
  *) die "unknown argument $1" ;;
  esac
  shift
done
[ -x "$lethe" ] || die "--lethe PATH is required"
[ -x "$mkjournal" ] || die "--mkjournal PATH (the build's tests/bench/bench_mkjournal) is required"
[ -x /usr/bin/time ] || die "/usr/bin/time (package time) is needed"

work=$(mktemp -d "$base/lethe-bench-certify.XXXXXX")
trap 'rm -rf "$work"' EXIT

# measure LABEL OUT COMMAND...: runs it with its stdout in OUT; prints
# "seconds MiB"; a failure ends the benchmark.
measure() {
  local label=$1 out=$2 rc=0
  shift 2
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$out" 2>"$work/stderr" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "bench_certify: $label failed (exit $rc):" >&2
    tail -5 "$work/stderr" >&2
    exit 1
  fi
  awk '{ printf "%s %.0f", $1, $2 / 1024 }' "$work/time"
}

mib() { # bytes -> MiB with one decimal
  awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'
}

bytes_of() { # files... -> total bytes
  cat "$@" | wc -c
}

one_size() {
  local n=$1 d=$work/$1 journal id certs cert t_cert t_verify t_text t_html
  mkdir -p "$d/rules.d"
  printf '[agent]\nrules = rules.d\nstate = state\nkey = signing.key\nledger = ledger\n' \
    >"$d/lethe.ini"
  "$lethe" keygen -c "$d/lethe.ini" >/dev/null
  journal=$("$mkjournal" "$d/state" "$n")
  id=$(basename "$journal" .jsonl)
  local journal_bytes
  journal_bytes=$(bytes_of "$journal")
  t_cert=$(measure certify /dev/null "$lethe" run -c "$d/lethe.ini")
  cert=$(cd "$d/ledger" && ls certificates/*/*/"$id".json) ||
    die "no certificate for run $id in the ledger"
  # the certificate's files: ID.json, any ID.*.json beside it, their .sig
  certs=$(cd "$d/ledger" && ls "$(dirname "$cert")/$id".*)
  t_verify=$(measure verify /dev/null "$lethe" verify -c "$d/lethe.ini")
  t_text=$(measure "show (text)" "$d/show.txt" "$lethe" show "$d/ledger/$cert")
  t_html=$(measure "show (html)" "$d/show.html" "$lethe" show --format html "$d/ledger/$cert")
  printf '%8s %14s %14s %14s %14s %9s %9s %9s %9s %9s\n' "$n" \
    "$(printf '%s s %s MiB' $t_cert)" "$(printf '%s s %s MiB' $t_verify)" \
    "$(printf '%s s %s MiB' $t_text)" "$(printf '%s s %s MiB' $t_html)" \
    "$(mib "$journal_bytes")" "$(mib "$(cd "$d/ledger" && bytes_of $certs)")" \
    "$(mib "$(du -sb "$d/ledger/.git/objects" | cut -f1)")" \
    "$(mib "$(bytes_of "$d/show.txt")")" "$(mib "$(bytes_of "$d/show.html")")"
  rm -rf "$d"
}

echo "certificate benchmark: $(nproc) CPUs, $(df -T "$work" | awk 'NR==2{print $2}') under $base"
printf '%8s %14s %14s %14s %14s %9s %9s %9s %9s %9s\n' items certify verify "show text" \
  "show html" "journal" "cert" "git objs" "text" "html"
printf '%8s %14s %14s %14s %14s %9s %9s %9s %9s %9s\n' "" "(s, peak)" "(s, peak)" \
  "(s, peak)" "(s, peak)" "MiB" "MiB" "MiB" "MiB" "MiB"
for n in $sizes; do
  one_size "$n"
done

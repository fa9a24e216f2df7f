#!/bin/bash
# The example rules shipped in rules/ must pass `lethe check`: copy them into a
# scratch configuration, point their events files at scratch CSVs and their
# archive directory at a scratch one, and expect every rule listed.
set -euo pipefail
lethe=$1 rules=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/rules.d" "$tmp/events" "$tmp/archive"
chmod 700 "$tmp/archive"
for f in "$rules"/*.ini; do
  sed -e "s|/var/lib/lethe/events/|$tmp/events/|g" -e "s|/srv/archive/clients|$tmp/archive|g" \
    "$f" >"$tmp/rules.d/$(basename "$f")"
done
printf 'client,last invoice\nAcme Ltd,2025-10-01\n' >"$tmp/events/last-invoice.csv"
printf 'record,consent date\nforms/jane.pdf,2020-01-01\n' >"$tmp/events/consent-dates.csv"
printf 'client,left\nAcme Ltd,2026-10-01\n' >"$tmp/events/clients-left.csv"
printf '[agent]\nrules = rules.d\nstate = state\n' >"$tmp/lethe.ini"
out=$("$lethe" check -c "$tmp/lethe.ini" 2>/dev/null)
expected=$(grep -h '^\[rule ' "$rules"/*.ini | wc -l)
got=$(grep -c '^rule ' <<<"$out")
if [ "$got" -ne "$expected" ]; then
  echo "FAIL: lethe check listed $got rules, the files define $expected" >&2
  echo "$out" >&2
  exit 1
fi
echo "ok: $got shipped rules pass lethe check"

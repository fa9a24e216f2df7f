#!/bin/bash
# The example rules shipped in rules/ must pass `lethe check`: copy them into a
# scratch configuration, point their events files, archive directory and
# credentials files at scratch ones, and expect every rule listed and no
# error.
#
#   check_shipped.sh LETHE RULES-DIR [PLUGINS-DIR]
#
# (tests/package/deb.sh runs it with the packaged lethe, rules and plugins.)
set -euo pipefail
lethe=$1 rules=$2 plugins=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/rules.d" "$tmp/events" "$tmp/archive" "$tmp/secrets"
chmod 700 "$tmp/archive" "$tmp/secrets"
for f in "$rules"/*.ini; do
  sed -e "s|/var/lib/lethe/events/|$tmp/events/|g" -e "s|/srv/archive/clients|$tmp/archive|g" \
    -e "s|/etc/lethe/secrets/|$tmp/secrets/|g" "$f" >"$tmp/rules.d/$(basename "$f")"
done
printf 'client,last invoice\nAcme Ltd,2025-10-01\n' >"$tmp/events/last-invoice.csv"
printf 'record,consent date\nforms/jane.pdf,2020-01-01\n' >"$tmp/events/consent-dates.csv"
printf 'client,left\nAcme Ltd,2026-10-01\n' >"$tmp/events/clients-left.csv"
# What a credentials file holds (lethe-imap(7), lethe-graph(7)), mode 0600.
(umask 077
 printf 'not-a-real-password\n' >"$tmp/secrets/cs-mailbox"
 printf 'not-a-real-password\n' >"$tmp/secrets/icoach-support"
 printf 'tenant = 00000000-0000-0000-0000-000000000001\nclient-id = 00000000-0000-0000-0000-000000000002\nclient-secret = not-a-real-secret\n' \
   >"$tmp/secrets/graph.cred")
printf '[agent]\nrules = rules.d\nstate = state\n%s' "${plugins:+plugins = $plugins
}" >"$tmp/lethe.ini"
if ! out=$("$lethe" check -c "$tmp/lethe.ini" 2>"$tmp/err"); then
  echo "FAIL: lethe check refused the shipped rules:" >&2
  cat "$tmp/err" >&2
  exit 1
fi
expected=$(cat "$rules"/*.ini | grep -c '^\[rule ')
got=$(grep -c '^rule ' <<<"$out")
if [ "$got" -ne "$expected" ]; then
  echo "FAIL: lethe check listed $got rules, the files define $expected" >&2
  echo "$out" >&2
  exit 1
fi
echo "ok: $got shipped rules pass lethe check"

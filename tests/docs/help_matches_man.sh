#!/bin/bash
# help-matches-man: every command 'lethe --help' lists has a page
# lethe-COMMAND.1 and an entry under COMMANDS in lethe.1, and the options
# 'lethe COMMAND --help' lists are exactly those the OPTIONS section of its
# page documents, with the same short forms.
#
# Usage: help_matches_man.sh LETHE MANDIR
set -u

lethe=$1
mandir=$2
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# The tag lines (the line after .TP or .TQ) of section $2 of page $1, with
# roff font changes and escaped hyphens turned back into plain text.
section_tags() {
	awk -v want="$2" '
		/^\.SH/ {
			name = $0
			sub(/^\.SH[ \t]+/, "", name)
			gsub(/"/, "", name)
			in_section = (name == want)
			prev = ""
			next
		}
		in_section && (prev == ".TP" || prev == ".TQ") { print }
		{ prev = $0 }
	' "$1" | sed -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\-/-/g' -e 's/\\&//g' \
		-e 's/^\.B[IR]* //' -e 's/"//g'
}

# "SHORT LONG" for each long option in the text on stdin, SHORT being "-"
# when the option has no short form: "-c, --config FILE" gives "-c --config".
option_pairs() {
	grep -o -E -e '(-[A-Za-z0-9], *)?--[a-z][a-z0-9-]*' |
		sed -E -e 's/^(-[A-Za-z0-9]), *(--.*)$/\1 \2/' -e 's/^(--.*)$/- \1/' |
		sort -u
}

top_help=$("$lethe" --help) || fail "'lethe --help' failed"
commands=$(printf '%s\n' "$top_help" |
	awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
if [ -z "$commands" ]; then
	fail "'lethe --help' lists no commands"
fi
listed=$(section_tags "$mandir/lethe.1" COMMANDS | awk '{ print $1 }')

for cmd in $commands; do
	page=$mandir/lethe-$cmd.1
	if ! printf '%s\n' "$listed" | grep -qx -- "$cmd"; then
		fail "lethe.1: COMMANDS does not list '$cmd'"
	fi
	if [ ! -f "$page" ]; then
		fail "$page: missing (lethe $cmd has no man page)"
		continue
	fi
	if ! help=$("$lethe" "$cmd" --help); then
		fail "'lethe $cmd --help' failed"
		continue
	fi
	# Long options of the usage line and of the option lines (white space,
	# then a '-'), up to where the description starts (two spaces): prose
	# may name another command's options ('lethe plan --format json').
	opt_lines=$(printf '%s\n' "$help" | grep -E '^[[:space:]]+-' |
		sed -E 's/^([[:space:]]+-[^ ]*( [^ ]+)*)  .*$/\1/')
	help_long=$( { printf '%s\n' "$help" | grep -E '^Usage:'; printf '%s\n' "$opt_lines"; } |
		grep -o -E -e '--[a-z][a-z0-9-]*' | sort -u)
	from_help=$(printf '%s\n' "$opt_lines" | option_pairs)
	from_man=$(section_tags "$page" OPTIONS | option_pairs)
	man_long=$(printf '%s\n' "$from_man" | awk 'NF { print $2 }' | sort -u)
	if [ -z "$help_long" ]; then
		fail "'lethe $cmd --help' lists no long option"
	fi
	if [ -z "$man_long" ]; then
		fail "$page: OPTIONS documents no long option"
	fi
	for opt in $(comm -23 <(printf '%s\n' "$help_long") <(printf '%s\n' "$man_long")); do
		fail "lethe $cmd: $opt is in --help but not in the OPTIONS of $(basename "$page")"
	done
	for opt in $(comm -13 <(printf '%s\n' "$help_long") <(printf '%s\n' "$man_long")); do
		fail "lethe $cmd: $opt is in the OPTIONS of $(basename "$page") but not in --help"
	done
	# Then the short forms of the options both name.
	while read -r short long; do
		[ -n "$long" ] || continue
		other=$(printf '%s\n' "$from_man" | awk -v l="$long" '$2 == l { print $1 }')
		if [ -n "$other" ] && [ "$other" != "$short" ]; then
			fail "lethe $cmd: $long is '$short' in --help but '$other' in $(basename "$page")" \
				"('-' means no short form)"
		fi
	done <<<"$from_help"
	echo "lethe $cmd: $(printf '%s\n' "$help_long" | tr '\n' ' ')"
done

if [ "$failures" -ne 0 ]; then
	echo "$failures mismatch(es) between --help and the man pages in $mandir" >&2
	exit 1
fi
echo "--help matches the man pages for: $(echo $commands)"

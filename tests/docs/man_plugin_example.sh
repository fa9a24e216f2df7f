#!/bin/bash
# man-plugin-example: the example plugin of lethe-plugins(7), cut out of
# the page as printed (the first .EX block of EXAMPLES), compiles against
# the public header without a warning and does what the page says. Driven
# by the plugin test host, it deletes a file still as planned, skips and
# leaves one changed after its identity was taken, keeps a symbolic link
# when told to, and refuses a bad setting; lethe check reports that
# setting at its line, through the plugin's check.
#
# Usage: man_plugin_example.sh SRC PLUGIN_TOOL LETHE
# CC: the compiler command (default cc).
set -euo pipefail
src=$1 tool=$2 lethe=$3
read -ra cc <<<"${CC:-cc}"
export LC_ALL=C
unset JOURNAL_STREAM LETHE_CONFIG
umask 022 # the host refuses a plugin that group or others may write

T=$(mktemp -d "${TMPDIR:-/tmp}/lethe-man-example.XXXXXX")
trap 'rm -rf "$T"' EXIT

fail() {
	printf 'FAIL: man-plugin-example: %s\n' "$*" >&2
	exit 1
}

# The code, with the troff escapes it uses undone: \- is '-', \(aq is
# "'", \e is a backslash (last, so that it cannot start another escape).
page=$src/packaging/man/lethe-plugins.7
awk '
	/^\.SH/ { in_examples = ($0 ~ /^\.SH +"?EXAMPLES"?[ \t]*$/); next }
	in_examples && !on && /^\.EX/ { on = 1; next }
	on && /^\.EE/ { exit }
	on { print }
' "$page" | sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\e/\\/g' >"$T/quick-unlink.c"
grep -q 'lethe_plugin_entry' "$T/quick-unlink.c" ||
	fail "no plugin code in the first .EX block of EXAMPLES in $page"
if grep -n '\\[(f*&]' "$T/quick-unlink.c"; then
	fail "a troff escape this test does not undo is left in the code above"
fi

mkdir "$T/plugins"
if ! "${cc[@]}" -shared -fPIC -Wall -Werror -I"$src/agent/include" \
	-o "$T/plugins/quick-unlink.so" "$T/quick-unlink.c"; then
	cat -n "$T/quick-unlink.c" >&2
	fail "the example of lethe-plugins(7) does not compile (the code is above)"
fi
so=$T/plugins/quick-unlink.so

# item NAME [plugin_tool options and settings...]: delete $T/d/NAME, its
# identity taken just before.
item() {
	local name=$1
	shift
	"$tool" item "$@" -- "dir=$T/d" "name=$name" "path=$name" identity=auto
}

mkdir "$T/d"
printf 'old\n' >"$T/d/kept-as-planned"
out=$(item kept-as-planned "$so")
[[ $out == 'DELETED|logical-delete|'* ]] || fail "a file as planned: $out"
[[ ! -e $T/d/kept-as-planned ]] || fail "DELETED, but the file is still there"

printf 'old\n' >"$T/d/changed"
out=$(item changed --run-before "printf 'new\n' >>'$T/d/changed'" "$so")
[[ $out == 'SKIPPED|none||'* ]] || fail "a file changed since planned: $out"
[[ $(cat "$T/d/changed") == $'old\nnew' ]] || fail "the changed file was touched"

ln -s changed "$T/d/link"
out=$("$tool" item "$so" symlinks=no -- "dir=$T/d" name=link path=link kind=symlink identity=auto)
[[ $out == 'SKIPPED|none||'* ]] || fail "symlinks=no, a symbolic link: $out"
[[ -L $T/d/link ]] || fail "symlinks=no, but the link is gone"
out=$("$tool" item "$so" symlinks=yes -- "dir=$T/d" name=link path=link kind=symlink identity=auto)
[[ $out == 'DELETED|'* && ! -L $T/d/link && -f $T/d/changed ]] ||
	fail "symlinks=yes, a symbolic link: $out"

rc=0
out=$("$tool" item "$so" symlinks=maybe) || rc=$?
[[ $rc == 2 && $out == 'OPEN-REFUSED|symlinks: expected yes or no' ]] ||
	fail "open with symlinks=maybe: exit $rc: $out"

# lethe check loads it from the configured plugin directory and lets its
# check judge the value, at the setting's line.
mkdir -p "$T/conf/rules.d" "$T/conf/state" "$T/share"
printf '[agent]\nrules = rules.d\nstate = state\nplugins = %s\n' "$T/plugins" >"$T/conf/lethe.ini"
cat >"$T/conf/rules.d/exports.ini" <<RULES
[rule exports]
source = file://$T/share
retain = 30 days
action = quick-unlink
symlinks = maybe
RULES
rc=0
"$lethe" check -c "$T/conf/lethe.ini" >"$T/check.out" 2>"$T/check.err" || rc=$?
[[ $rc == 2 ]] || fail "lethe check of symlinks = maybe: exit $rc"
grep -qF "exports.ini:5: [rule exports]: action quick-unlink: symlinks: expected yes or no" \
	"$T/check.err" || fail "lethe check did not report the setting at its line: $(cat "$T/check.err")"
sed -i 's/^symlinks = maybe$/symlinks = no/' "$T/conf/rules.d/exports.ini"
rc=0
"$lethe" check -c "$T/conf/lethe.ini" >"$T/check.out" 2>"$T/check.err" || rc=$?
[[ $rc == 0 ]] && grep -q '^rule exports .*action quick-unlink' "$T/check.out" ||
	fail "lethe check of symlinks = no: exit $rc: $(cat "$T/check.err")"
echo "man-plugin-example: the example of lethe-plugins(7) builds and deletes as it says"

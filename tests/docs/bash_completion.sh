#!/bin/bash
# The bash completion (packaging/bash-completion/lethe) offers what lethe
# itself says: its commands, each command's options, --format's values, and
# rule names from lethe check with the -c on the line.
. "$(dirname "$0")/../lib/common.sh"
tmp_setup completion
mkdir -p "$T/bin" "$T/rules.d"
ln -s "$LETHE" "$T/bin/lethe"
PATH=$T/bin:$PATH
printf '[agent]\nrules = rules.d\nstate = state\n' >"$T/lethe.ini"
printf '[rule old-recordings]\nsource = file:///tmp\nretain = 1 day\naction = unlink\n' >"$T/rules.d/a.ini"
# shellcheck source=../../packaging/bash-completion/lethe
. "$SRC_ROOT/packaging/bash-completion/lethe"

complete_line() {  # WORDS...: the candidates for the last word
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  _lethe
  printf '%s\n' "${COMPREPLY[@]}" | sort
}

got=$(complete_line lethe p)
[[ $got == plan ]] || fail "lethe p<TAB>: $got"
got=$(complete_line lethe re)
[[ $got == restore-check ]] || fail "lethe re<TAB>: $got"
got=$(complete_line lethe apply --)
for o in --config --plan --rule --yes --wait; do
  grep -qx -- "$o" <<<"$got" || fail "lethe apply --<TAB> lacks $o: $got"
done
got=$(complete_line lethe plan --format "")
[[ $got == $'csv\nhtml\njson\ntext' ]] || fail "lethe plan --format <TAB>: $got"
got=$(complete_line lethe show -f "")
[[ $got == $'html\ntext' ]] || fail "lethe show -f <TAB>: $got"
got=$(complete_line lethe plan -c "$T/lethe.ini" --rule "")
[[ $got == old-recordings ]] || fail "lethe plan -c ... --rule <TAB>: $got"
note "ok"

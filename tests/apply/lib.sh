# Shared helpers for the apply/run tests; sourced by each script, on top of
# tests/lib/common.sh (fail, skip, note, run, expect_rc, $T ...).
#
# The environment may set:
#   LETHE                  the lethe binary (default: build/agent/lethe)
#   LETHE_PLUGIN_UNLINK    build/plugins/unlink/unlink.so
#   LETHE_PLUGIN_SHRED     build/plugins/shred/shred.so
#   LETHE_PLUGIN_ATS       build/plugins/archive-then-shred/archive-then-shred.so
#   LETHE_PLUGIN_EXEC      build/plugins/exec/exec.so
#   LETHE_PLUGIN_MOCK      build/tests/plugins/abi/mock.so
# Only bash, coreutils, findutils, jq and util-linux are used.
#
# Lethe's apply uses the real clock (a saved plan may not be made for the
# future), so "old" files here are dated relative to now. Nothing here
# reads standard input: a command that would ask for confirmation finds no
# terminal.

# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
exec </dev/null

LETHE_PLUGIN_UNLINK=${LETHE_PLUGIN_UNLINK:-$SRC_ROOT/build/plugins/unlink/unlink.so}
LETHE_PLUGIN_SHRED=${LETHE_PLUGIN_SHRED:-$SRC_ROOT/build/plugins/shred/shred.so}
LETHE_PLUGIN_ATS=${LETHE_PLUGIN_ATS:-$SRC_ROOT/build/plugins/archive-then-shred/archive-then-shred.so}
LETHE_PLUGIN_EXEC=${LETHE_PLUGIN_EXEC:-$SRC_ROOT/build/plugins/exec/exec.so}
LETHE_PLUGIN_MOCK=${LETHE_PLUGIN_MOCK:-$SRC_ROOT/build/tests/plugins/abi/mock.so}

NOW=$(date -u +%s)
DAY=86400
OLD=$((NOW - 400 * DAY))      # expired under "retain = 30 days"
RECENT=$((NOW - 2 * DAY))     # kept under "retain = 30 days"

setup_tmp() {
  tmp_setup apply
}

# plugin_path NAME: the built .so for the action NAME.
plugin_path() {
  case $1 in
    unlink) printf '%s' "$LETHE_PLUGIN_UNLINK" ;;
    shred) printf '%s' "$LETHE_PLUGIN_SHRED" ;;
    archive-then-shred) printf '%s' "$LETHE_PLUGIN_ATS" ;;
    exec) printf '%s' "$LETHE_PLUGIN_EXEC" ;;
    mock) printf '%s' "$LETHE_PLUGIN_MOCK" ;;
    *) fail "no such plugin '$1'" ;;
  esac
}

# need_plugins NAME...: skip the test when a plugin was not built.
need_plugins() {
  local p
  for p; do
    [[ -f $(plugin_path "$p") ]] || skip "plugin $p not built at $(plugin_path "$p")"
  done
}

# make_env DIR PLUGIN...: DIR/lethe.ini with rules DIR/rules.d, state
# DIR/state and plugins DIR/plugins, holding copies (0644) of the plugins.
make_env() {
  local dir=$1 p
  shift
  mkdir -p "$dir/rules.d" "$dir/plugins"
  chmod 0755 "$dir/plugins"
  for p; do
    install -m 0644 "$(plugin_path "$p")" "$dir/plugins/$p.so" || fail "cannot copy plugin $p"
  done
  # These tests are about deleting, not certifying: no signing key, and
  # certificates wait for one (tests/ledger certify).
  printf '[agent]\nrules = rules.d\nstate = state\nplugins = plugins\ncertificates = may-wait\n' \
    >"$dir/lethe.ini"
}

# decode_lines: percent-encoded paths, one a line, on stdin; decoded and
# NUL-terminated on stdout, sorted.
decode_lines() {
  local x
  while IFS= read -r x; do
    uri_decode "$x"
    printf '\0'
  done | sort -z
}

# plan_deletes PLAN [RULE]: absolute paths (source root + item path) of the
# plan's "delete" items, NUL-separated and sorted.
plan_deletes() {
  jq -r --arg rule "${2-}" '
    (.rules | map({key: .name, value: (.source | sub("^file://"; ""))}) | from_entries) as $src
    | .items[] | select(.decision == "delete" and ($rule == "" or .rule == $rule))
    | $src[.rule] + "/" + .path' "$1" | decode_lines
}

# journal_files STATE: the journals, one a line.
journal_files() {
  find "$1/journal" -type f -name '*.jsonl' 2>/dev/null | sort
}

# journal_results STATE RESULT [KIND]: absolute paths (root + path of the
# intent with the same seq in the same journal) of every outcome with this
# result, over every journal, NUL-separated, sorted, duplicates kept.
# KIND: "file" (items, the default), "dir" (removed directories) or "all".
journal_results() {
  local j
  journal_files "$1" | while IFS= read -r j; do
    jq -rs --arg res "$2" --arg kind "${3:-file}" '
      (map(select(.type == "intent")) | map({key: (.seq | tostring), value: .}) | from_entries) as $in
      | .[] | select(.type == "outcome" and .result == $res)
      | $in[.seq | tostring] // error("outcome seq \(.seq) has no intent")
      | select($kind == "all" or ($kind == "dir") == (.kind == "directory"))
      | .root + "/" + .path' "$j" || printf 'BAD-JOURNAL %s\n' "$j"
  done | decode_lines
}

# journal_skips STATE RESULT: "root/path" of every "skip" record with this
# result, NUL-separated, sorted.
journal_skips() {
  local j
  journal_files "$1" | while IFS= read -r j; do
    jq -r --arg res "$2" 'select(.type == "skip" and .result == $res) | .root + "/" + .path' "$j"
  done | decode_lines
}

# journals_all_ended STATE: fail unless every journal has an "end" record
# and parses.
journals_all_ended() {
  local j
  while IFS= read -r j; do
    jq -es 'any(.[]; .type == "end")' "$j" >/dev/null 2>&1 ||
      fail "journal ${j##*/} has no end record (or does not parse):
$(tail -c 2000 "$j")"
  done < <(journal_files "$1")
}

# nul_list DIR [FIND-ARGS...]: absolute paths of entries below DIR (not DIR),
# NUL-separated, sorted.
nul_list() {
  local d=$1
  shift
  find "$d" -mindepth 1 "$@" -print0 2>/dev/null | sort -z
}

# minus A B: entries of NUL list file A not in B (both sorted).
minus() {
  comm -z -23 "$1" "$2"
}

# show_nul FILE: a NUL list, one a line, for messages (newlines shown as \n).
show_nul() {
  tr '\n\0' '#\n' <"$1" | head -50
}

# same_set A B WHAT: fail unless NUL lists A and B hold the same entries.
same_set() {
  cmp -s "$1" "$2" && return 0
  fail "$3:
only in the first:
$(comm -z -23 "$1" "$2" | tr '\n\0' '#\n' | head -30)
only in the second:
$(comm -z -13 "$1" "$2" | tr '\n\0' '#\n' | head -30)"
}

# states_of OUT: the state of every NUL-separated path on stdin -- type,
# mtime (ns), size, inode, symlink target and sha256 of a file's bytes, or
# "gone" -- as NUL-separated "path<TAB>state" records in input order. A few
# processes in all, however many paths.
states_of() {
  local p h rec
  local -a paths=()
  local -A meta=() sum=()
  mapfile -d "" -t paths
  while IFS= read -r -d "" rec; do
    meta[${rec%$'\t'*}]=${rec##*$'\t'}
  done < <(printf "%s\0" "${paths[@]}" | xargs -0 -r sh -c 'exec find "$@" -maxdepth 0 -printf "%p\t%y|%T@|%s|%i|%l\0" 2>/dev/null' sh)
  while IFS= read -r -d "" rec; do
    h=${rec%%  *}
    sum[${rec#*  }]=$h
  done < <(printf "%s\0" "${paths[@]}" | xargs -0 -r sh -c 'exec find "$@" -maxdepth 0 -type f -print0 2>/dev/null' sh |
             xargs -0 -r sha256sum -z)
  for p in "${paths[@]}"; do
    if [[ -n ${meta[$p]+x} ]]; then
      printf "%s\t%s|%s\0" "$p" "${meta[$p]}" "${sum[$p]-}"
    else
      printf "%s\tgone\0" "$p"
    fi
  done >"$1"
}

# set_old PATH... / set_recent PATH...: date files (symlinks themselves).
set_old() { touch -h -d "@$OLD" -- "$@"; }
set_recent() { touch -h -d "@$RECENT" -- "$@"; }

# no_lethe_temps DIR: fail if a .lethe-* temporary name is left below DIR
# (.lethe-hold markers are not temporaries).
no_lethe_temps() {
  local left
  left=$(find "$1" -name '.lethe-*' ! -name '.lethe-hold' -printf '%p\n' | head -20)
  [[ -z $left ]] || fail "temporary names left behind:
$left"
}

# dups FILE: the entries a sorted NUL list repeats, one a line (empty: none).
dups() {
  uniq -z -d <"$1" | tr '\n\0' '#\n'
}

# check_after BEFORE GONE: BEFORE is states_of output taken before a run;
# GONE a NUL list of the paths that must be gone now. Fail unless those are
# gone and every other path of BEFORE is still exactly as it was.
check_after() {
  local rec p want now bad=
  local -A gone=() after=()
  while IFS= read -r -d "" p; do gone[$p]=1; done <"$2"
  while IFS= read -r -d "" rec; do printf "%s\0" "${rec%$'\t'*}"; done <"$1" >"$T/.after.list"
  states_of "$T/.after.states" <"$T/.after.list"
  while IFS= read -r -d "" rec; do after[${rec%$'\t'*}]=${rec##*$'\t'}; done <"$T/.after.states"
  while IFS= read -r -d "" rec; do
    p=${rec%$'\t'*}
    want=${rec##*$'\t'}
    [[ -n ${gone[$p]-} ]] && want=gone
    now=${after[$p]}
    [[ $now == "$want" ]] || bad+="  ${p//$'\n'/#}: was/expected [$want], now [$now]"$'\n'
  done <"$1"
  [[ -z $bad ]] || fail "after the run, files are not as expected:
$(head -c 4000 <<<"$bad")"
}

# journal_report STATE: every journal checked in one pass. Prints lines
#   D ROOT/PATH   an outcome "deleted" (percent-encoded, any kind)
#   E FILE        a journal without an end record
#   X MESSAGE     an inconsistency: an outcome without an intent, or an
#                 intent with several outcomes
# A journal that does not parse makes jq fail (and prints X).
journal_report() {
  local -a js
  mapfile -t js < <(journal_files "$1")
  ((${#js[@]})) || return 0
  jq -rn '
    reduce inputs as $r ({}; .[input_filename] += [$r])
    | to_entries[] | .key as $f | .value as $recs
    | ($recs | map(select(.type == "intent")) | map({key: (.seq | tostring), value: .})
       | from_entries) as $in
    | (if any($recs[]; .type == "end") then empty else "E \($f)" end),
      ($recs | map(select(.type == "outcome") | .seq) | group_by(.) | map(select(length > 1))[]
       | "X \($f): seq \(.[0]) has \(length) outcomes"),
      ($recs[] | select(.type == "outcome")
       | if $in[.seq | tostring] == null then "X \($f): outcome seq \(.seq) has no intent"
         elif .result == "deleted" then "D \($in[.seq | tostring] | .root + "/" + .path)"
         else empty end)' "${js[@]}" || echo "X a journal does not parse"
}

#!/bin/bash
# The progress line of lethe plan and lethe apply, for a person at a
# terminal (run under script(1), which gives them one):
# - with --progress, plan shows "lethe: planning RULE: N items" and apply
#   "lethe: deleting RULE: N of M items (P%)", each line erased (\r, ESC [K)
#   when its pass ends, so the report and the messages read as without it;
# - by default, nothing on a pass quicker than half a second, nothing in a
#   pipe or a file (cron, scripts, the journal), and nothing with
#   --no-progress;
# - the report is the same bytes with and without the line.
. "$(dirname "$0")/lib.sh"
setup_tmp
need_plugins unlink
command -v script >/dev/null || skip "script(1) (bsdutils) is not installed"

D=$T/env
make_env "$D" unlink
mkdir -p "$D/share/a" "$D/share/b"
for i in 1 2 3; do echo "old $i" >"$D/share/a/old$i.txt"; done
echo new >"$D/share/b/new.txt"
touch -d "@$OLD" "$D"/share/a/*
cat >"$D/rules.d/10.ini" <<EOF
[rule files]
source = file://$(uri_encode "$D/share")
select = **
retain = 30 days
action = unlink
EOF
ESC=$'\e'
# One instant for every plan: the reasons name it, and runs a second apart
# would differ by it.
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# on_terminal NAME CMD...: CMD on a pseudo-terminal; what it printed there
# into $T/NAME.tty.
on_terminal() {
  local name=$1 cmd
  shift
  printf -v cmd '%q ' "$@"
  script -qec "$cmd" /dev/null >"$T/$name.tty" </dev/null ||
    fail "$name: failed on a terminal: $(cat -v "$T/$name.tty")"
}

on_terminal plan "$LETHE" plan -c "$D/lethe.ini" --now "$NOW" --progress -o "$T/plan-progress.txt"
grep -qaF $'\r'"lethe: planning files: 1 item" "$T/plan.tty" ||
  fail "plan --progress showed no line: $(cat -v "$T/plan.tty")"
[[ $(tail -c 4 "$T/plan.tty") == $'\r'"$ESC[K" ]] ||
  fail "plan's progress line was not erased at the end: $(cat -v "$T/plan.tty")"

on_terminal quiet "$LETHE" plan -c "$D/lethe.ini" --now "$NOW" -o "$T/plan-quiet.txt"
[[ ! -s $T/quiet.tty ]] || fail "a quick plan on a terminal printed: $(cat -v "$T/quiet.tty")"
on_terminal never "$LETHE" plan -c "$D/lethe.ini" --progress --no-progress -o /dev/null
[[ ! -s $T/never.tty ]] || fail "--no-progress printed: $(cat -v "$T/never.tty")"
run pipe "$LETHE" plan -c "$D/lethe.ini" --now "$NOW" -o "$T/plan-pipe.txt"
expect_rc 0 pipe
[[ ! -s $T/pipe.err ]] || fail "plan printed to stderr in a pipe: $(cat -v "$T/pipe.err")"
cmp -s "$T/plan-progress.txt" "$T/plan-pipe.txt" && cmp -s "$T/plan-quiet.txt" "$T/plan-pipe.txt" ||
  fail "the report differs with the progress line"

on_terminal apply "$LETHE" apply -c "$D/lethe.ini" --yes --progress
grep -qaF $'\r'"lethe: deleting files: 3 of 3 items (100%)" "$T/apply.tty" ||
  fail "apply --progress showed no line: $(cat -v "$T/apply.tty")"
grep -qaF $'\r'"$ESC[Klethe: " "$T/apply.tty" ||
  fail "apply's messages do not start on an erased line: $(cat -v "$T/apply.tty")"
[[ ! -e $D/share/a/old1.txt && -e $D/share/b/new.txt ]] || fail "apply deleted the wrong files"
note "progress shown on a terminal when asked, erased, never in a pipe"

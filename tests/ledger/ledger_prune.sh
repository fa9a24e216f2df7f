#!/bin/bash
# Journals of certified runs name what was deleted: lethe run removes those
# certified longer ago than keep-journals (default 90 days), and nothing
# else: not a younger certified journal, not a journal still waiting for
# its certificate however old, not another file or a symlink in
# journal/certified/. lethe apply prunes nothing. keep-journals = 0 removes
# a journal at the first run after its certification; a malformed value is
# a configuration error naming the line.
. "$(dirname "$0")/lib.sh"
setup_tmp

D=$T/env
make_env "$D"
keygen "$D"
C=$D/state/journal/certified
ago() { # DAYS FILE: the file's time DAYS days back
  touch -d "@$(($(date +%s) - $1 * 86400))" "$2" || fail "touch $2"
}
journals() { # DIR: the journals directly in DIR, by run id, sorted
  find "$1" -maxdepth 1 -type f -name '*.jsonl' -printf '%f\n' | sort
}

# Run 1, certified 100 days ago by its journal's time; run 2, 10 days ago.
run one "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 one
old=$(journals "$C")
[[ -n $old ]] || fail "run 1 left no certified journal"
ago 100 "$C/$old"
add_old_files "$D" two
run two "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 0 two
young=$(journals "$C" | grep -vx "$old")
ago 10 "$C/$young"
[[ -f $C/$old ]] || fail "lethe apply pruned a journal"
printf 'notes\n' >"$C/notes.txt"
ago 400 "$C/notes.txt"
ln -s "$old" "$C/link.jsonl"
touch -h -d "@$(($(date +%s) - 400 * 86400))" "$C/link.jsonl"

# Run 3 without a key (certificates may wait): its journal waits; made old,
# it is not pruned.
mv "$D/key" "$D/key.away"
printf 'certificates = may-wait\n' >>"$D/lethe.ini"
add_old_files "$D" three
run three "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 three
expect_in three "not certified: no signing key"
waiting=$(journals "$D/state/journal" | sed "s/\\.jsonl$//")
[[ -n $waiting ]] || fail "run 3's journal is not waiting in state/journal"
ago 200 "$D/state/journal/$waiting.jsonl"
[[ ! -e $C/$old ]] || fail "run 3 left the journal certified 100 days ago"
expect_in three "removed 1 journal of runs certified more than 90 days ago"
[[ -f $C/$young ]] || fail "the journal certified 10 days ago was removed"
[[ -f $C/notes.txt && -L $C/link.jsonl ]] || fail "pruning touched what is not a journal"
run again "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 again
[[ -f $D/state/journal/$waiting.jsonl ]] || fail "a journal waiting for its certificate was removed"

# keep-journals = 0: the next run certifies the waiting journal and removes
# every certified journal, its own included.
mv "$D/key.away" "$D/key"
printf 'keep-journals = 0\n' >>"$D/lethe.ini"
run zero "$LETHE" run -c "$D/lethe.ini"
expect_rc 0 zero
expect_in zero "certified run $waiting"
[[ -z $(journals "$C") && -z $(journals "$D/state/journal") ]] ||
  fail "keep-journals = 0 left journals: $(journals "$C") $(journals "$D/state/journal")"
[[ -f $C/notes.txt && -L $C/link.jsonl ]] || fail "pruning touched what is not a journal"
check_ledger "$D/ledger"
run verify "$LETHE" verify -c "$D/lethe.ini"
expect_rc 0 verify

sed -i 's/^keep-journals = 0$/keep-journals = 12m/' "$D/lethe.ini"
run bad "$LETHE" check -c "$D/lethe.ini"
expect_rc 2 bad
expect_in bad "lethe.ini:$(grep -n '^keep-journals' "$D/lethe.ini" | cut -d: -f1): keep-journals:"
note "old certified journals pruned, nothing else"

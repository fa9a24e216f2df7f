#!/bin/bash
# A rule's action is judged by its plugin, loaded from the plugin directory
# as a run would load it (the build tree's plugins, for the lethe built
# here): lethe check and lethe plan refuse, as FILE:LINE, an action with no
# plugin, a setting the plugin does not take, a value it refuses, and a
# store it cannot delete from; a configuration check passes is one a run
# can open. Nothing is written meanwhile.
. "$(dirname "$0")/lib.sh"
setup_tmp

C=$T/conf
write_config "$C"
mkdir -p "$T/share" "$T/archive"
chmod 700 "$T/archive"
cat >"$C/rules.d/10.ini" <<RULES
[rule burner]
source = file://$T/share
retain = 1 day
action = burn
[rule unlink-passes]
source = file://$T/share
retain = 1 day
action = unlink
passes = 3
[rule shred-passes]
source = file://$T/share
retain = 1 day
action = shred
passes = 99
[rule mail-shred]
source = imap://u@127.0.0.1/INBOX
retain = 1 day
action = shred
[rule no-archive-dir]
source = file://$T/share
retain = 1 day
action = archive-then-shred
[rule good]
source = file://$T/share
retain = 1 day
action = archive-then-shred
archive-dir = $T/archive
passes = 2
RULES

# LINE|phrase: one per expected error.
expected="4|unknown action 'burn': 
9|unknown key 'passes' in [rule unlink-passes] for action unlink
14|[rule shred-passes]: action shred: setting 'passes'
18|[rule mail-shred]: action shred cannot delete from a imap source
22|[rule no-archive-dir]: action archive-then-shred: setting 'archive-dir' is required"

for cmd in check plan; do
  if [[ $cmd == check ]]; then
    run "$cmd" "$LETHE" check -c "$C/lethe.ini"
  else
    run "$cmd" "$LETHE" plan -c "$C/lethe.ini" --now "$FIXED_NOW"
  fi
  expect_rc 2 "$cmd"
  while IFS='|' read -r line phrase; do
    grep -F -- "lethe: $C/rules.d/10.ini:$line: " "$T/$cmd.err" | grep -qF -- "$phrase" ||
      fail "$cmd: no error at line $line '$phrase'; stderr was:
$(cat "$T/$cmd.err")"
  done <<<"$expected"
  n=$(grep -c "^lethe: $C/rules.d/10.ini:" "$T/$cmd.err")
  [[ $n == 5 ]] || fail "$cmd: $n errors, expected 5:
$(cat "$T/$cmd.err")"
  ! grep -q "rule good" "$T/$cmd.err" || fail "$cmd: the good rule was refused"
done

# With the bad rules gone, the same configuration checks clean.
sed -i '1,22d' "$C/rules.d/10.ini"
run ok "$LETHE" check -c "$C/lethe.ini"
expect_rc 0 ok
grep -q '^rule good ' "$T/ok.out" || fail "check did not list the good rule"
[[ -z $(find "$T/archive" "$T/share" -mindepth 1) ]] || fail "check wrote into the archive or the share"
note "ok"

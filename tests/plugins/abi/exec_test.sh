#!/bin/bash
# Tests of the exec plugin, one case per run:
#   exec_test.sh CASE DRIVER EXEC_SO PROBE
# DRIVER is plugin_tool (see tests/lib/plugin_tool/tool_item.c), PROBE is
# exec_probe. Each case works in its own temporary directory, removed at exit.
set -euo pipefail
case_=$1 driver=$2 so=$3 probe=$4
T=$(mktemp -d "${TMPDIR:-/tmp}/lethe-exec.XXXXXX")
trap 'rm -rf "$T"' EXIT
case $T in *' '*) echo "temporary directory has a space: $T" >&2; exit 77 ;; esac
mkdir "$T/bin" "$T/src" "$T/out"

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$(printf 'expected: %s\ngot:      %s' "$2" "$1")"; }
expect_has() { case $1 in *"$2"*) ;; *) fail "$(printf 'expected to contain: %s\ngot: %s' "$2" "$1")" ;; esac; }
expect_lacks() { case $1 in *"$2"*) fail "$(printf 'must not contain: %s\ngot: %s' "$2" "$1")" ;; esac; }

# script NAME: an executable /bin/sh script in $T/bin, body from stdin.
script() {
  { echo '#!/bin/sh'; cat; } > "$T/bin/$1"
  chmod 0755 "$T/bin/$1"
}

# drive [--detail] [--rule NAME] [--run-before CMD] [SETTING...] [-- FIELD...]: the driver's
# output in $out, its exit status in $rc.
drive() {
  local opts=(--source "file://$T/src")
  while [ $# -gt 0 ] && [ "$1" != -- ] && [ "${1#--}" != "$1" ]; do
    case $1 in --rule | --run-before) opts+=("$1" "$2"); shift ;; *) opts+=("$1") ;; esac
    shift
  done
  rc=0
  out=$("$driver" item "${opts[@]}" "$so" "$@") || rc=$?
}

# expect_gone PID MARKER: PID has died (a zombie is dead: once its parent
# is gone, init reaps it when it does) and no process has MARKER in its
# command line. SIGKILL is delivered at once but dying takes a moment.
expect_gone() {
  local state=
  for _ in $(seq 20); do
    state=$(ps -o stat= -p "$1" || true)
    case $state in '' | Z*) break ;; esac
    sleep 0.1
  done
  case $state in '' | Z*) ;; *) fail "process $1 is still running ($state)" ;; esac
  if pgrep -af -- "$2" >&2; then fail "processes left behind (above)"; fi
}

# An item that is not a file, so only the command decides.
msg_item=(-- store=imap kind=message uri=imaps://mail.example/INBOX/7 path=INBOX/7)

case $case_ in
deletes)
  # The command removes LETHE_PATH below the directory it is given; the
  # level is the rule's (default logical-delete) and the detail names the
  # command.
  echo data > "$T/src/a b.txt"
  script rm-item <<'EOF'
rm -- "$1/$LETHE_PATH"
EOF
  drive --detail "command=$T/bin/rm-item $T/src" -- store=file "uri=file://$T/src/a%20b.txt" \
    "path=a b.txt" "dir=$T/src" "name=a b.txt" identity=auto
  expect_eq "$out" "DELETED|logical-delete|reported by the command||{\"method\":\"external command: $T/bin/rm-item\"}"
  [ ! -e "$T/src/a b.txt" ] || fail "the file is still there"
  echo data > "$T/src/b"
  drive "command=$T/bin/rm-item $T/src" level=purge -- "path=b" "dir=$T/src" name=b identity=auto
  expect_eq "$out" "DELETED|purge|reported by the command|"
  [ ! -e "$T/src/b" ] || fail "b is still there"
  ;;

json)
  # The JSON on stdin is valid for a name with a newline and a 0xff byte, and
  # LETHE_PATH carries the raw bytes (the command deletes the file by it).
  name=$'we\nird\xff.txt'
  printf x > "$T/src/$name"
  script check-json <<'EOF'
cat > "$1/stdin.json"
jq -e .uri "$1/stdin.json" > /dev/null || exit 1
jq -e '.path == "we\nird\u00ff.txt" and .store == "file" and .kind == "file" and .size == 1
       and .subject == null and .rule == "test-rule" and (.identity | startswith("dev="))' \
  "$1/stdin.json" > /dev/null || { echo "unexpected JSON fields" >&2; exit 1; }
rm -- "$2/$LETHE_PATH"
EOF
  drive "command=$T/bin/check-json $T/out $T/src" -- "uri=file://$T/src/we%0Aird%FF.txt" \
    "path=$name" "dir=$T/src" "name=$name" identity=auto
  expect_eq "$out" "DELETED|logical-delete|reported by the command|"
  [ ! -e "$T/src/$name" ] || fail "the file is still there"
  raw=$(cat "$T/out/stdin.json")
  expect_has "$raw" '"path":"we\u000aird\u00ff.txt"'
  # Quotes, backslashes and control bytes are escaped, valid UTF-8 is kept
  # as is, an overlong sequence is written byte by byte.
  script dump-json <<'EOF'
cat > "$1/stdin2.json"
EOF
  drive "command=$T/bin/dump-json $T/out" -- store=graph kind=message uri=graph://m/1 \
    $'path=caf\xc3\xa9 \xc0\xaf' $'subject=cli"ent\\\x01\x7f'
  expect_eq "$out" "DELETED|logical-delete|reported by the command|"
  raw=$(cat "$T/out/stdin2.json")
  expect_has "$raw" $'"path":"caf\xc3\xa9 \\u00c0\\u00af"'
  expect_has "$raw" '"subject":"cli\"ent\\\u0001\u007f"'
  expect_has "$raw" '"store":"graph","kind":"message"'
  jq -e $'.path == "caf\xc3\xa9 \\u00c0\\u00af" and .subject == "cli\\"ent\\\\\\u0001\\u007f" and .size == 0' \
    "$T/out/stdin2.json" > /dev/null || fail "jq disagrees: $raw"
  ;;

exit-status)
  script fail3 <<'EOF'
echo "disk on fire" >&2
exit 3
EOF
  drive "command=$T/bin/fail3" "${msg_item[@]}"
  expect_eq "$out" "FAILED|none||exit status 3: disk on fire"
  # Only the end of a long stderr is kept, on one line.
  script fail-long <<'EOF'
i=0
while [ $i -lt 200 ]; do echo "noise line $i" >&2; i=$((i + 1)); done
printf 'the real\treason\n\n' >&2
exit 4
EOF
  drive "command=$T/bin/fail-long" "${msg_item[@]}"
  expect_has "$out" "FAILED|none||exit status 4: ..."
  expect_has "$out" "noise line 199 the real reason"
  case $out in *"the real reason") ;; *) fail "tail does not end the message: $out" ;; esac
  [ ${#out} -lt 560 ] || fail "message too long (${#out}): $out"
  # Silent failure: no colon, no tail.
  script fail1 <<'EOF'
exit 1
EOF
  drive "command=$T/bin/fail1" "${msg_item[@]}"
  expect_eq "$out" "FAILED|none||exit status 1"
  ;;

signal)
  script die <<'EOF'
echo "going down" >&2
kill -KILL $$
EOF
  drive "command=$T/bin/die" "${msg_item[@]}"
  expect_eq "$out" "FAILED|none||killed by signal 9 (SIGKILL): going down"
  ;;

not-deleted)
  # Exit 0 is not enough for a file: it must be gone.
  echo data > "$T/src/keep"
  script liar <<'EOF'
exit 0
EOF
  drive "command=$T/bin/liar" -- "path=keep" "dir=$T/src" name=keep identity=auto
  expect_eq "$out" "FAILED|none||the command exited 0 but the file is still there"
  [ -e "$T/src/keep" ] || fail "keep was removed"
  ;;

changed)
  # A file that is not the one planned is skipped without running the command.
  echo data > "$T/src/f"
  script touch-ran <<'EOF'
: > "$1/ran"
rm -- "$2/$LETHE_PATH"
EOF
  drive "command=$T/bin/touch-ran $T/out $T/src" -- path=f "dir=$T/src" name=f \
    "identity=dev=1 ino=1 size=5 mtime_ns=1 ctime_ns=1 nlink=1"
  expect_eq "$out" "SKIPPED|none||the file changed since it was planned"
  [ ! -e "$T/out/ran" ] || fail "the command ran"
  [ -e "$T/src/f" ] || fail "f was removed"
  drive "command=$T/bin/touch-ran $T/out $T/src" -- path=gone "dir=$T/src" name=gone \
    "identity=dev=1 ino=1 size=5 mtime_ns=1 ctime_ns=1 nlink=1"
  expect_eq "$out" "SKIPPED|none||the file is gone since it was planned"
  [ ! -e "$T/out/ran" ] || fail "the command ran"
  ;;

replaced)
  # The command is checked again before each run: replaced, or made
  # writable, after the rule was opened, it is not run.
  script ok <<'EOF'
: > "$1/ran"
EOF
  cp -p "$T/bin/ok" "$T/bin/ok.new"
  drive --run-before "mv $T/bin/ok.new $T/bin/ok" "command=$T/bin/ok $T/out" "${msg_item[@]}"
  expect_eq "$out" "SKIPPED|none||command: $T/bin/ok was replaced since the rule was opened"
  drive --run-before "chmod 0777 $T/bin/ok" "command=$T/bin/ok $T/out" "${msg_item[@]}"
  expect_eq "$out" "SKIPPED|none||command: $T/bin/ok is group- or world-writable (mode 0777); refusing to run it"
  [ ! -e "$T/out/ran" ] || fail "the command ran"
  ;;

not-started)
  # Executable, but execve fails (its interpreter is missing).
  printf '#!/nonexistent/interpreter\n' > "$T/bin/broken"
  chmod 0755 "$T/bin/broken"
  drive "command=$T/bin/broken secret-arg-123" "${msg_item[@]}"
  expect_eq "$out" "FAILED|none||cannot run $T/bin/broken: execve: No such file or directory"
  ;;

timeout | timeout-ignores-term)
  # Past the limit the whole process group is stopped: the command and what
  # it started. With SIGTERM ignored, SIGKILL follows 5 s later.
  marker="lethe-exec-test-$$-$RANDOM"
  {
    [ "$case_" = timeout-ignores-term ] && echo "trap '' TERM"
    cat <<'EOF'
sh -c 'echo $$ > "$1"; sleep 30; true' "$1-inner" "$2/inner.pid" &
sleep 30
EOF
  } | script sleeper
  start=$SECONDS
  drive "command=$T/bin/sleeper $marker $T/out" timeout=1 "${msg_item[@]}"
  elapsed=$((SECONDS - start))
  if [ "$case_" = timeout ]; then
    expect_eq "$out" "FAILED|none||timed out after 1 s; stopped with SIGTERM"
    [ $elapsed -le 4 ] || fail "took $elapsed s"
  else
    expect_eq "$out" "FAILED|none||timed out after 1 s; killed with SIGKILL 5 s after SIGTERM"
    [ $elapsed -ge 5 ] && [ $elapsed -le 9 ] || fail "took $elapsed s"
  fi
  [ -s "$T/out/inner.pid" ] || fail "the inner process never started"
  expect_gone "$(cat "$T/out/inner.pid")" "$marker"
  ;;

leftovers)
  # A command that exits 0 but leaves a process running in its group (with
  # our stderr pipe open): we do not wait for it, and it does not outlive us.
  marker="lethe-exec-test-$$-$RANDOM"
  script forker <<'EOF'
sh -c 'echo $$ > "$1.tmp"; mv "$1.tmp" "$1"; sleep 30; true' "$1-inner" "$2/inner.pid" &
while [ ! -s "$2/inner.pid" ]; do sleep 0.05; done
exit 0
EOF
  start=$SECONDS
  drive "command=$T/bin/forker $marker $T/out" "${msg_item[@]}"
  elapsed=$((SECONDS - start))
  expect_eq "$out" "DELETED|logical-delete|reported by the command|"
  [ $elapsed -le 4 ] || fail "took $elapsed s"
  expect_gone "$(cat "$T/out/inner.pid")" "$marker"
  ;;

env)
  # Nothing from our environment reaches the command but what the plugin sets.
  export SECRET_TOKEN=xyz
  script env-dump <<'EOF'
tr '\0' '\n' < /proc/$$/environ > "$1/env.out"
EOF
  drive --rule clients "command=$T/bin/env-dump $T/out" -- store=imap kind=message \
    uri=imaps://mail.example/INBOX/7 path=INBOX/7 subject=client-a
  expect_eq "$out" "DELETED|logical-delete|reported by the command|"
  env_out=$(sort "$T/out/env.out")
  expect_lacks "$env_out" SECRET_TOKEN
  expect_lacks "$env_out" xyz
  expect_eq "$env_out" "$(sort <<EOF
PATH=/usr/sbin:/usr/bin:/sbin:/bin
LETHE_RULE=clients
LETHE_SOURCE=file://$T/src
LETHE_STORE=imap
LETHE_URI=imaps://mail.example/INBOX/7
LETHE_PATH=INBOX/7
LETHE_SUBJECT=client-a
EOF
)"
  ;;

fds)
  # stdin a pipe, stdout /dev/null, stderr a pipe, nothing else open (fd 7
  # is open in the driver without close-on-exec), cwd /, no signal blocked
  # (the plugin blocks SIGPIPE while it writes) or ignored (the driver is
  # started with SIGINT and SIGQUIT ignored).
  : > "$T/leak-marker"
  install -m 0755 "$probe" "$T/bin/probe"
  exec 7< "$T/leak-marker"
  trap '' INT QUIT
  drive "command=$T/bin/probe $T/out/probe.out" "${msg_item[@]}"
  trap - INT QUIT
  exec 7<&-
  expect_eq "$out" "DELETED|logical-delete|reported by the command|"
  probe_out=$(sed -E 's/pipe:\[[0-9]+\]/pipe/' "$T/out/probe.out" | sort)
  expect_eq "$probe_out" "$(sort <<'EOF'
fd 0 pipe
fd 1 /dev/null
fd 2 pipe
cwd /
blocked none
ignored none
EOF
)"
  ;;

refuse-relative)
  drive "command=bin/true secret-arg-123"
  expect_eq "$rc:$out" "2:OPEN-REFUSED|command: bin/true is not an absolute path"
  ;;

refuse-writable)
  script ok <<'EOF'
exit 0
EOF
  drive "command=$T/bin/ok secret-arg-123"
  expect_eq "$rc:$out" "0:OPENED"
  chmod 0777 "$T/bin/ok"
  drive "command=$T/bin/ok secret-arg-123"
  expect_eq "$rc:$out" "2:OPEN-REFUSED|command: $T/bin/ok is group- or world-writable (mode 0777); refusing to run it"
  chmod 0775 "$T/bin/ok"
  drive "command=$T/bin/ok secret-arg-123"
  expect_eq "$rc:$out" "2:OPEN-REFUSED|command: $T/bin/ok is group- or world-writable (mode 0775); refusing to run it"
  # Owned by someone else, who could change it.
  if [ "$(id -u)" = 0 ]; then
    chmod 0755 "$T/bin/ok"
    chown 65534 "$T/bin/ok"
    drive "command=$T/bin/ok"
    expect_eq "$rc:$out" "2:OPEN-REFUSED|command: $T/bin/ok is owned by uid 65534, neither root nor us; refusing to run it"
    chown 0 "$T/bin/ok"
  fi
  # A symlink is judged by its target.
  chmod 0757 "$T/bin/ok"
  ln -s ok "$T/bin/link"
  drive "command=$T/bin/link"
  expect_eq "$rc:$out" "2:OPEN-REFUSED|command: $T/bin/link is group- or world-writable (mode 0757); refusing to run it"
  ;;

refuse-missing)
  drive "command=/nonexistent/lethe-cmd secret-arg-123"
  expect_eq "$rc:$out" "2:OPEN-REFUSED|command: /nonexistent/lethe-cmd: No such file or directory"
  printf '#!/bin/sh\n' > "$T/bin/noexec"
  chmod 0644 "$T/bin/noexec"
  drive "command=$T/bin/noexec secret-arg-123"
  expect_eq "$rc:$out" "2:OPEN-REFUSED|command: $T/bin/noexec is not executable: Permission denied"
  drive "command=$T/bin secret-arg-123"
  expect_eq "$rc:$out" "2:OPEN-REFUSED|command: $T/bin is not a regular file"
  ;;

refuse-settings)
  script ok <<'EOF'
exit 0
EOF
  drive
  expect_eq "$rc:$out" "2:OPEN-REFUSED|the setting 'command' is required"
  drive "command="
  expect_eq "$rc:$out" "2:OPEN-REFUSED|command: is empty"
  drive "command=   "
  expect_eq "$rc:$out" "2:OPEN-REFUSED|command: is empty"
  for t in 0 86401 5m 60s -1 "" " 5" 99999999999999999999; do
    drive "command=$T/bin/ok" "timeout=$t"
    expect_eq "$rc:$out" "2:OPEN-REFUSED|timeout: must be a whole number of seconds from 1 to 86400"
  done
  for t in 1 86400; do
    drive "command=$T/bin/ok" "timeout=$t"
    expect_eq "$rc:$out" "0:OPENED"
  done
  drive "command=$T/bin/ok" level=shredded
  expect_eq "$rc:$out" "2:OPEN-REFUSED|level: must be logical-delete, clear or purge"
  drive "command=$T/bin/ok" password=hunter2
  expect_eq "$rc:$out" "2:OPEN-REFUSED|unknown setting 'password' (exec knows command, timeout, level)"
  drive "command=$T/bin/ok   x  y" level=clear timeout=5
  expect_eq "$rc:$out" "0:OPENED"
  ;;

*)
  echo "unknown case: $case_" >&2
  exit 2
  ;;
esac

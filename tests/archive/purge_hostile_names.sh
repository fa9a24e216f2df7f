#!/bin/bash
# Entry names are only names: an archive holding "../../etc/passwd",
# "/etc/passwd" and "a/../../x" is listed and purged without anything being
# written anywhere but beside the archive.
. "$(dirname "$0")/lib.sh"
need python3 tar

mkdir -p "$T/work/deep/er"
python3 - "$T/work/deep/er/evil.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for name, data in [("../../etc/passwd", b"root::0:0::/:/bin/sh\n"),
                       ("/etc/passwd", b"evil\n"), ("a/../../x", b"x\n"),
                       ("ok.txt", b"fine\n")]:
        i = tarfile.TarInfo(name)
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))
    link = tarfile.TarInfo("escape")
    link.type = tarfile.SYMTYPE
    link.linkname = "../../../../etc/shadow"
    t.addfile(link)
PY
a=$T/work/deep/er/evil.tar
passwd=$(sha /etc/passwd)
find "$T" -newer "$a" >"$T/before.list"
sleep 1
cd "$T/work/deep/er" || fail "cd"
"$PURGE_TOOL" list "$a" >"$T/list" || fail "cannot list: $(cat "$T/list")"
grep -qx 'file 21 644 0 ../../etc/passwd' "$T/list" || fail "listing: $(cat "$T/list")"
grep -q ' -> ../../../../etc/shadow$' "$T/list" || fail "listing lacks the symlink"
purge "$a" ../../etc/passwd /etc/passwd || fail "purge failed: $(cat "$T/purge.err")"
grep -q '"path":"../../etc/passwd","type":"file","size":21' "$T/report.json" ||
  fail "report: $(cat "$T/report.json")"
tar -tf "$a" >"$T/got" 2>/dev/null
printf 'a/../../x\nok.txt\nescape\n' | diff - "$T/got" >&2 || fail "kept entries differ"
[[ $(sha /etc/passwd) = "$passwd" ]] || fail "/etc/passwd changed"
# Nothing new anywhere in the test's directory but the archive itself.
find "$T" -newer "$T/before.list" ! -path "$T" ! -path "$T/new.list" ! -path "$a" ! -path "$T/list" ! -path "$T/report.json" \
  ! -path "$T/purge.err" ! -path "$T/got" ! -path "$T/work/deep/er" >"$T/new.list"
[[ -s $T/new.list ]] && fail "files appeared: $(cat "$T/new.list")"
no_leftovers "$a"
echo "1 passed, 0 failed"

#!/bin/bash
# The libraries lethe loads on first use (lib/lazy/lazy.h), seen from the
# outside:
# - lethe --version loads each of libcurl, libgit2, libarchive and libxml2
#   and prints the version it found;
# - where the build has the trampolines (LETHE_LAZY_ARCH=x86_64), the
#   program names none of them in its dynamic section, and a plan of a file
#   share loads none of them (ld.so's own account, LD_DEBUG=files), so its
#   start-up stays a few milliseconds;
# - a plan that reads an office document (contains =) loads libarchive and
#   libxml2 then, and finds what the document holds.
. "$(dirname "$0")/lib.sh"
setup_tmp
LAZY_LIBS=(libcurl libgit2 libarchive libxml2)

run version "$LETHE" --version
expect_rc 0 version
[[ $(head -n 1 "$T/version.out") == "lethe "[0-9]* ]] || fail "--version: $(head -n 1 "$T/version.out")"
for lib in "${LAZY_LIBS[@]}"; do
  grep -Eq "^$lib [0-9][0-9.]* \\($lib\\.so\\.[0-9.]+\\)\$" "$T/version.out" ||
    fail "lethe --version shows no version of $lib: $(cat "$T/version.out")"
done

[[ ${LETHE_LAZY_ARCH:-none} != none ]] ||
  skip "this build links the libraries as usual (-Dlazy_libraries, or no trampolines here)"

needed=$(readelf -d "$LETHE" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
grep -q '^libc\.so' <<<"$needed" || fail "readelf shows no NEEDED entries: $needed"
for lib in "${LAZY_LIBS[@]}"; do
  ! grep -q "^$lib\\.so" <<<"$needed" || fail "lethe is linked with $lib: $needed"
done

# loaded NAME: the libraries ld.so opened during the run NAME (its stderr).
loaded() {
  sed -n 's/.*file=\([^ ]*\) \[0\];  *\(needed\|dynamically loaded\).*/\1/p' "$T/$1.err" |
    sed 's|.*/||' | sort -u
}

S=$T/share
mkdir -p "$S/Clients/Acme" "$T/rules.d"
printf 'minutes\n' >"$S/Clients/Acme/notes.txt"
touch -d 2024-01-01 "$S/Clients/Acme/notes.txt"
printf '[agent]\nrules = rules.d\nstate = state\n' >"$T/lethe.ini"
printf '[rule old-notes]\nsource = file://%s\nselect = **/*.txt\nretain = 180 days\naction = shred\n' \
  "$S" >"$T/rules.d/10.ini"
run plan env LD_DEBUG=files "$LETHE" plan -c "$T/lethe.ini" --now "$FIXED_NOW" --format json
expect_rc 0 plan
jq -e '.totals.delete.count == 1' "$T/plan.out" >/dev/null || fail "plan: $(cat "$T/plan.out")"
loaded plan >"$T/plan.libs"
grep -q '^libc\.so' "$T/plan.libs" || fail "LD_DEBUG shows no library at all: $(head -c 2000 "$T/plan.err")"
for lib in "${LAZY_LIBS[@]}"; do
  ! grep -q "^$lib\\.so" "$T/plan.libs" ||
    fail "a plan of a file share loaded $lib: $(tr '\n' ' ' <"$T/plan.libs")"
done

PY=$(command -v python3) || skip "python3 is not installed (the office document)"
printf '%s\n' 'import sys' 'sys.dont_write_bytecode = True' 'sys.path.insert(0, sys.argv[1])' \
  'import officegen as o' \
  'open(sys.argv[2], "wb").write(o.xlsx([[["Name", "Email"], ["Ada Byron", "ada.byron@example.org"]]]))' \
  >"$T/mkxlsx.py"
"$PY" "$T/mkxlsx.py" "$SRC_ROOT/tests/scan" "$S/Clients/Acme/delegates.xlsx" ||
  fail "cannot make the workbook"
touch -d 2024-01-01 "$S/Clients/Acme/delegates.xlsx"
printf '[rule sheets-with-addresses]\nsource = file://%s\nselect = **/*.xlsx\ncontains = email\naction = report\n' \
  "$S" >>"$T/rules.d/10.ini"
run scan env LD_DEBUG=files "$LETHE" plan -c "$T/lethe.ini" --now "$FIXED_NOW" --format json
expect_rc 0 scan
loaded scan >"$T/scan.libs"
for lib in libarchive libxml2; do
  grep -q "^$lib\\.so" "$T/scan.libs" ||
    fail "reading a workbook did not load $lib: $(tr '\n' ' ' <"$T/scan.libs")"
done
jq -e '[.items[] | select(.rule == "sheets-with-addresses") | .findings.email.count] == [1]' \
  "$T/scan.out" \
  >/dev/null || fail "the workbook's address was not found: $(head -c 3000 "$T/scan.out")"
note "a file plan loads none of ${LAZY_LIBS[*]}; reading a workbook loads libarchive and libxml2"

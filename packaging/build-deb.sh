#!/bin/bash
# Build the Debian packages (lethe, lethe-dev) from this tree:
#
#   packaging/build-deb.sh OUTDIR
#
# dpkg-buildpackage wants debian/ at the top of a source tree: the tracked
# files of this tree (git ls-files: nothing untracked, no build directory;
# as they are in the work tree) are copied to OUTDIR/src, packaging/debian becomes its debian/, and the
# .deb files land in OUTDIR. Needs dpkg-dev, debhelper and the build
# dependencies of packaging/debian/control. DEB_BUILD_OPTIONS passes through
# (nocheck skips the package's unit tests, as tests/run does: the suite
# itself has just run them).
set -euo pipefail
out=${1:?usage: packaging/build-deb.sh OUTDIR}
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/src"
mkdir "$out/src"
(cd "$top" && git ls-files -z | while IFS= read -r -d '' f; do
   [[ -e $f ]] && printf '%s\0' "$f"; done | xargs -0 cp --parents -t "$out/src")
cp -r "$top/packaging/debian" "$out/src/debian"
cd "$out/src"
dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1 || {
  tail -40 "$out/build.log" >&2
  echo "build-deb: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
  exit 1
}
ls "$out"/*.deb

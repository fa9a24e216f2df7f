#!/bin/bash
# Pictures of what people read, for a person to look at: the HTML plan of
# the demo share and the HTML certificate of applying it, rendered by
# headless Chromium into SHOTS (by default tests/screenshots in the build
# tree; not committed). Checked here: both pages render, as PNGs of the
# window's width, and each is a page of text and tables, not a blank or an
# error page (several thousand distinct bytes of image). Skipped without
# chromium (Debian chromium; not installed in CI).
#
#   meson test -C build screenshots; ls build/tests/screenshots
. "$(dirname "$0")/../lib/common.sh"
tmp_setup shots
CHROMIUM=$(command -v chromium || command -v chromium-browser) || skip "chromium is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
[[ -n ${SHOTS-} ]] || fail "SHOTS (where the pictures go) is not set"
mkdir -p "$SHOTS" || fail "cannot make $SHOTS"
D=$T/demo
"$SRC_ROOT/rules/demo/make-demo-share.sh" --force "$D" >/dev/null || fail "demo share"

run plan "$LETHE" plan -c "$D/lethe.ini" --format html -o "$T/plan.html"
expect_rc 0 plan
run keygen "$LETHE" keygen -c "$D/lethe.ini"
expect_rc 0 keygen
run apply "$LETHE" apply -c "$D/lethe.ini" --yes
expect_rc 0 apply
cert=$(find "$D/state/ledger/certificates" -name '*.json' ! -name '*.part-*' | head -n 1)
[[ -n $cert ]] || fail "apply left no certificate"
run show "$LETHE" show --format html "$cert"
expect_rc 0 show
cp "$T/show.out" "$T/certificate.html"

for page in plan certificate; do
  rm -f "$SHOTS/$page.png"
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$T/chromium" --window-size=1280,1800 \
    --screenshot="$SHOTS/$page.png" "file://$T/$page.html" >"$T/$page.chromium" 2>&1 ||
    fail "chromium could not render the $page: $(tail -n 3 "$T/$page.chromium")"
  python3 - "$SHOTS/$page.png" 2>"$T/check" <<'EOF' || fail "$page: $(tail -n 1 "$T/check")"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
width, height = struct.unpack(">II", data[16:24])
assert (width, height) == (1280, 1800), f"{width}x{height}, not the window's 1280x1800"
# The image data, inflated: a blank page compresses to almost nothing.
idat, i = b"", 8
while i < len(data):
    n, kind = struct.unpack(">I4s", data[i:i + 8])
    if kind == b"IDAT":
        idat += data[i + 8:i + 8 + n]
    i += 12 + n
pixels = zlib.decompress(idat)
distinct = len(set(pixels[j:j + 3] for j in range(0, len(pixels), 997)))
assert distinct > 20, f"only {distinct} distinct samples: a blank page?"
EOF
done
note "screenshots in $SHOTS: plan.png, certificate.png"

#!/bin/bash
# The Debian packages, as an admin gets them: built from this tree
# (packaging/build-deb.sh), checked by lintian (an error fails), unpacked
# into a throw-away root, and then used from there: the units pass
# systemd-analyze verify, the installed lethe checks the shipped example
# rules with the installed plugins, and a plugin builds against lethe-dev
# with pkg-config alone.
#
#   tests/package/deb.sh OUTDIR
#
# Run by tests/run once (not per build variant). Needs dpkg-dev, debhelper,
# lintian and systemd (systemd-analyze), as packaging/debian-packages lists.
. "$(dirname "$0")/../lib/common.sh"
out=${1:?usage: tests/package/deb.sh OUTDIR}
for t in dpkg-buildpackage dh lintian systemd-analyze; do
  command -v "$t" >/dev/null || fail "$t is not installed (see packaging/debian-packages)"
done
LETHE=/bin/true # not the build's lethe: the packaged one, once unpacked
tmp_setup package
rm -rf "$out"
DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" "$SRC_ROOT/packaging/build-deb.sh" "$out" >/dev/null ||
  fail "the package does not build"
deb=$(ls "$out"/lethe_*.deb) dev=$(ls "$out"/lethe-dev_*.deb)

# lintian: errors fail, warnings are shown.
# (as root, it says that running as root is not recommended: not about us)
lintian --fail-on error "$deb" "$dev" >"$T/lintian.out" 2>&1 ||
  fail "lintian: $(cat "$T/lintian.out")"
grep -v 'running with root privileges' "$T/lintian.out" >"$T/lintian.said" || true
[[ -s $T/lintian.said ]] && note "lintian: $(cat "$T/lintian.said")"

R=$T/root
dpkg-deb -x "$deb" "$R" && dpkg-deb -x "$dev" "$R" || fail "cannot unpack the packages"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
plugins=$R/usr/lib/$multiarch/lethe/plugins
[[ -x $R/usr/bin/lethe && -f $plugins/shred.so && -f $R/etc/lethe/lethe.ini ]] ||
  fail "the package lacks the program, a plugin or the configuration"
[[ -f $R/usr/share/bash-completion/completions/lethe ]] || fail "no bash completion"
[[ -f $R/usr/share/man/man1/lethe.1.gz && -f $R/usr/share/man/man5/lethe.ini.5.gz ]] ||
  fail "no man pages"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libcurl4 libgit2 libarchive13 libxml2 libssl3 libjson-c5; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
# The libraries lethe loads on first use are there and load.
"$R/usr/bin/lethe" --version >"$T/version.out" 2>&1 || fail "lethe --version: $(cat "$T/version.out")"
for lib in libcurl libgit2 libarchive libxml2; do
  grep -q "^$lib [0-9]" "$T/version.out" || fail "lethe --version names no $lib: $(cat "$T/version.out")"
done

# The units, as installed (ExecStart pointed at the unpacked program, since
# verify checks that it exists; the system's own units found as usual, which
# common.sh hides from lethe); any complaint fails.
mkdir -p "$T/units"
for u in "$R"/lib/systemd/system/*; do
  sed "s|^ExecStart=/usr/bin/lethe|ExecStart=$R/usr/bin/lethe|" "$u" >"$T/units/${u##*/}"
done
[[ -f $T/units/lethe.service && -f $T/units/lethe.timer ]] || fail "the units are not in the package"
env -u SYSTEMD_UNIT_PATH systemd-analyze verify --man=no "$T"/units/* \
  >"$T/verify.out" 2>&1 || fail "systemd-analyze verify: $(cat "$T/verify.out")"
[[ ! -s $T/verify.out ]] || fail "systemd-analyze verify complains: $(cat "$T/verify.out")"

# The installed lethe, its plugins and the shipped example rules, as
# rules/check_shipped.sh checks them in the tree.
run check "$SRC_ROOT/rules/check_shipped.sh" "$R/usr/bin/lethe" \
  "$R/usr/share/doc/lethe/examples/rules" "$plugins"
expect_rc 0 check
got=$(sed -n 's/^ok: \([0-9]*\) shipped rules.*/\1/p' "$T/check.out")

# lethe-dev: a plugin builds with pkg-config alone, and says where it goes.
export PKG_CONFIG_SYSROOT_DIR=$R PKG_CONFIG_PATH=$R/usr/lib/$multiarch/pkgconfig
cat >"$T/p.c" <<'EOF'
#include <lethe/plugin.h>
const struct lethe_plugin *lethe_plugin_entry(void);
static const struct lethe_plugin plugin = { .abi_version = LETHE_PLUGIN_ABI_VERSION,
                                            .name = "noop" };
const struct lethe_plugin *lethe_plugin_entry(void) { return &plugin; }
EOF
# shellcheck disable=SC2046
cc -shared -fPIC $(pkg-config --cflags lethe-plugin) -o "$T/noop.so" "$T/p.c" ||
  fail "a plugin does not build with pkg-config --cflags lethe-plugin"
[[ $(pkg-config --variable=plugindir lethe-plugin) == */usr/lib/$multiarch/lethe/plugins ]] ||
  fail "lethe-plugin.pc names no plugindir: $(pkg-config --variable=plugindir lethe-plugin)"
note "built, lintian clean, units verified, $got example rules checked by the installed lethe"

#!/usr/bin/env bash
# The arm64 .deb: scripts/package.sh --arch arm64 from an arm64 build tree (cross.arm64_build
# made it), inspected without installing: file name and Architecture, contents, a stripped
# AArch64 binary, and Depends naming the Debian package of every library the binary needs
# (looked up in the sysroot's file list, scripts/lib/cross-sysroot.sh: dpkg -S cannot answer for
# arm64 files on an x86 host).
# usage: test_package_arm64.sh ARM64_BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:?usage: test_package_arm64.sh ARM64_BUILD_DIR}
sysroot=${SW_SYSROOT:-/var/cache/sockwarden-cross/arm64/sysroot}
fail() { echo "FAIL: $*"; exit 1; }
[[ -x $build/userspace/sockwarden ]] || fail "no arm64 build in $build: run scripts/build.sh --target arm64 (ctest: cross.arm64_build)"
[[ -f $sysroot/.sockwarden-files ]] || fail "arm64 sysroot file list $sysroot/.sockwarden-files missing: run scripts/setup.sh --target arm64"
readelf=$(command -v aarch64-linux-gnu-readelf) || fail "aarch64-linux-gnu-readelf missing: run scripts/setup.sh --target arm64"
tmp=$(mktemp -d /tmp/sw-pkg-arm64.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

BUILD_DIR=$build SOCKWARDEN_SKIP_BUILD=1 "$root/scripts/package.sh" --arch arm64 "$tmp/dist" >/dev/null
deb=$(ls "$tmp"/dist/sockwarden_*.deb)
[[ $(basename "$deb") == sockwarden_*_arm64.deb ]] || fail "file name $(basename "$deb") is not *_arm64.deb"
[[ $(dpkg-deb -f "$deb" Architecture) == arm64 ]] || fail "Architecture: $(dpkg-deb -f "$deb" Architecture)"
[[ $(dpkg-deb -f "$deb" Package) == sockwarden ]] || fail "package name"
echo "ok: $(basename "$deb"), Architecture: arm64"

contents=$(dpkg-deb -c "$deb")
for f in ./usr/sbin/sockwarden ./usr/lib/systemd/system/sockwarden.service ./etc/sockwarden/config.yaml \
         ./usr/share/sockwarden/sockwarden-event.schema.json ./usr/share/sockwarden/sockwarden-doctor.schema.json; do
  grep -q " $f\$" <<<"$contents" || fail "$f missing from the package"
done
grep -q '/etc/sockwarden/config.yaml' <(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles) || fail "config.yaml not a conffile"
dpkg-deb -x "$deb" "$tmp/root"
bin=$tmp/root/usr/sbin/sockwarden
"$readelf" -h "$bin" | grep -q 'Machine:.*AArch64' || fail "packaged binary is not AArch64"
# .symtab as well as .debug_info: the CI tree is a Release build (no debug info to strip), and
# the symbol table is what a strip removes from it.
if "$readelf" -S "$bin" | grep -qE '\.(debug_info|symtab) '; then fail "packaged binary not stripped (CPACK_STRIP_FILES with the cross strip)"; fi
echo "ok: stripped AArch64 binary ($(($(stat -c %s "$bin") / 1024)) KiB)"

depends=$(dpkg-deb -f "$deb" Depends)
while read -r lib; do
  pkg=$(awk -v l="$lib" '{n = split($2, a, "/")} a[n] == l {print $1; exit}' "$sysroot/.sockwarden-files")
  [[ -n $pkg ]] || fail "no Debian arm64 package in the sysroot ships $lib"
  sed 's/ *([^)]*)//g; s/, */\n/g' <<<"$depends" | grep -qxF "$pkg" || fail "Depends lacks $pkg (for $lib): $depends"
  echo "ok: $lib -> $pkg (in Depends)"
done < <("$readelf" -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo PASS

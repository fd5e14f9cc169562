#!/usr/bin/env bash
# The library sysroot of a cross build: Debian's own ARCH packages of every library the agent
# links, unpacked (dpkg-deb -x) into DIR, never installed.
#
#   scripts/lib/cross-sysroot.sh ARCH DIR      (run by scripts/setup.sh --target ARCH)
#
# Why not `apt-get install libfoo-dev:arm64` (multiarch): measured on bookworm, libyaml-cpp-dev
# is not Multi-Arch: same, so installing its :arm64 build REMOVES the host's libyaml-cpp-dev, and
# every :arm64 library drags its amd64 twin to the same version (zlib1g, libssl3, perl, krb5
# upgrades). setup.sh never removes or replaces an installed package, so the :arm64 packages go
# into a private tree instead; the compiler and linker see it through cmake/toolchain-arm64.cmake
# (pkg-config sysroot, CMAKE_FIND_ROOT_PATH). The same packages' runtime libraries (and Debian's
# libc6/libstdc++6/libgcc-s1 for ARCH, not the cross toolchain's copies) fill the arm64 image.
# Needs `dpkg --add-architecture ARCH` and apt-get update (setup.sh does both). Idempotent: a
# sysroot built from the same package versions is kept.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=packages.sh
source "$here/packages.sh"
arch=${1:?usage: cross-sysroot.sh ARCH DIR}
dir=${2:?usage: cross-sysroot.sh ARCH DIR}
die() { echo "cross-sysroot.sh: $*" >&2; exit 1; }
[[ $arch == arm64 ]] || die "unsupported architecture '$arch' (arm64)"

# name:ARCH from the host's suites, name:ARCH/bookworm-backports from backports (libbpf >= 1.4),
# Architecture: all packages by name.
specs=()
for p in "${SW_SYSROOT_PKGS[@]}"; do specs+=("$p:$arch"); done
for p in "${SW_BACKPORT_SYSROOT_PKGS[@]}"; do specs+=("$p:$arch/bookworm-backports"); done
specs+=("${SW_SYSROOT_ALL_PKGS[@]}")

# The exact files apt would fetch now (names carry the versions): the stamp of this sysroot.
want=$(apt-get -o APT::Sandbox::User=root download --print-uris "${specs[@]}" 2>&1 | awk '{print $2}' | sort) ||
  true
if [[ $(grep -c '\.deb$' <<<"$want") != "${#specs[@]}" ]]; then
  apt-get download --print-uris "${specs[@]}" 2>&1 | grep -v '^.http' >&2 || true
  die "apt cannot fetch all of ${specs[*]}: run scripts/setup.sh --target $arch (adds the $arch architecture and bookworm-backports, runs apt-get update)"
fi
if [[ -f $dir/.sockwarden-sysroot && $(<"$dir/.sockwarden-sysroot") == "$want" ]]; then
  exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sw-sysroot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get -q -o APT::Sandbox::User=root download "${specs[@]}" >&2) ||
  die "apt-get download of the $arch libraries failed"
rm -rf "$dir.new"
mkdir -p "$dir.new"
# .sockwarden-files: "package path" for every file, so that a test can name the Debian package
# behind each library the arm64 binary needs (the .deb's Depends), as dpkg -S does natively.
for deb in "$tmp"/*.deb; do
  dpkg-deb -x "$deb" "$dir.new" || die "cannot unpack $deb"
  pkg=$(dpkg-deb -f "$deb" Package)
  dpkg-deb -c "$deb" | awk -v p="$pkg" '{sub(/^\./, "", $6); print p, $6}' >>"$dir.new/.sockwarden-files"
done
# Debian's -dev symlinks are absolute-free (libfoo.so -> libfoo.so.N), but a few ship absolute
# ones (/usr/lib/<triplet>/...); re-point those inside the sysroot so the linker never reaches
# the host's x86 copies.
while IFS= read -r -d '' l; do
  t=$(readlink "$l")
  [[ $t == /* ]] && ln -sfn "$dir${t}" "$l"
done < <(find "$dir.new" -type l -print0)
printf '%s\n' "$want" >"$dir.new/.sockwarden-sysroot"
rm -rf "$dir"
mv "$dir.new" "$dir"
echo "cross-sysroot.sh: $arch sysroot in $dir ($(wc -l <<<"$want") packages)" >&2

#!/usr/bin/env bash
# The BTF of a Debian kernel for another architecture: what the BPF objects of a cross build
# compile against (scripts/gen-vmlinux.sh turns it into that arch's vmlinux.h).
#
#   scripts/fetch-kernel-btf.sh ARCH OUT.btf      ARCH: arm64 (Debian's architecture name)
#
# Why a kernel package: the build host runs an x86_64 kernel, so /sys/kernel/btf/vmlinux has
# x86's pt_regs and per-arch types. Debian's cloud kernel for ARCH (the newest
# linux-image-6.12.<N>+deb12-cloud-ARCH-unsigned, bookworm-backports, BTF on) is fetched with
# `apt-get download` (needs `dpkg --add-architecture ARCH` and an apt-get update: scripts/setup.sh
# --target ARCH does both) into $SW_KERNEL_CACHE (default /var/cache/sockwarden-kernels); nothing
# is installed. Its boot/vmlinuz is the raw arm64 Image (gzip-compressed on some kernels), whose
# .BTF section is not marked in any header: scripts/lib/extract_btf.py finds the one blob with
# the BTF magic and a self-consistent header, and bpftool reads it back before it is used.
# CO-RE relocates field offsets at load time, so the 6.12 header serves older kernels too.
# Offline builders: pass a BTF file instead (cmake -DSW_VMLINUX_BTF=FILE); pin the package with
# SW_KERNEL_BTF_PKG=linux-image-....
set -euo pipefail
arch=${1:?usage: fetch-kernel-btf.sh ARCH OUT.btf}
out=${2:?usage: fetch-kernel-btf.sh ARCH OUT.btf}
here=$(cd "$(dirname "$0")" && pwd)
cache=${SW_KERNEL_CACHE:-/var/cache/sockwarden-kernels}
die() { echo "fetch-kernel-btf.sh: $*" >&2; exit 1; }

case $arch in
  arm64) ;;
  *) die "unsupported architecture '$arch' (arm64)" ;;
esac
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || die "needs apt-get and dpkg-deb (a Debian host)"
bpftool=$(command -v bpftool || echo /usr/sbin/bpftool)

pkg=${SW_KERNEL_BTF_PKG:-}
if [[ -z $pkg ]]; then
  pkg=$(apt-cache search --names-only "^linux-image-6\.12\.[0-9]+\+deb12-cloud-$arch-unsigned\$" 2>/dev/null |
    awk '{print $1}' | sort -V | tail -1)
  [[ -n $pkg ]] || die "apt offers no linux-image-6.12.*+deb12-cloud-$arch-unsigned: run scripts/setup.sh --target $arch (adds the $arch architecture and bookworm-backports), or pass -DSW_VMLINUX_BTF=FILE"
fi

dir=$cache/$pkg
if [[ ! -f $dir/vmlinux.btf ]]; then
  mkdir -p "$dir"
  tmp=$(mktemp -d "$dir/dl.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  # apt's sandbox user cannot write into a root-only dir; the download is a plain file fetch.
  (cd "$tmp" && apt-get -q -o APT::Sandbox::User=root download "$pkg:$arch" >&2) ||
    die "apt-get download $pkg:$arch failed"
  deb=$(ls "$tmp"/*.deb)
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' ||
    die "$deb has no boot/vmlinuz-*"
  python3 "$here/lib/extract_btf.py" "$tmp"/boot/vmlinuz-* "$tmp/vmlinux.btf"
  "$bpftool" btf dump file "$tmp/vmlinux.btf" >/dev/null || die "the BTF found in $pkg does not parse"
  echo "$pkg" >"$tmp/package"
  mv "$tmp/vmlinux.btf" "$tmp/package" "$dir/"
fi
mkdir -p "$(dirname "$out")"
cp "$dir/vmlinux.btf" "$out"
echo "fetch-kernel-btf.sh: $arch BTF from $pkg" >&2

#!/usr/bin/env bash
# Idempotent set-up for a Debian 12 (bookworm) machine, run as root.
#   setup.sh          what building and running sockwarden needs (the run command uses this):
#                     toolchain, clang/llvm, the libraries, libbpf/bpftool from bookworm-backports.
#                     No container runtime, hypervisor or daemon; no service started or enabled.
#   setup.sh --test   the same plus the test rigs (dockerd, podman, QEMU, auditd, ...); a rig the
#                     host already has is used as it is.
#   setup.sh --target arm64 [--test]
#                     also what the arm64 cross build needs (scripts/build.sh --target arm64):
#                     the arm64 dpkg architecture (apt indexes only; nothing :arm64 is installed),
#                     g++-aarch64-linux-gnu, and Debian's arm64 libraries unpacked into a private
#                     sysroot ($SW_SYSROOT, default /var/cache/sockwarden-cross/arm64/sysroot) by
#                     scripts/lib/cross-sysroot.sh; with --test also qemu-user and qemu-system-arm
#                     (arm64 binaries and kernels under emulation). The x86 run command never asks
#                     for any of it.
# Never removes or replaces an installed package (scripts/lib/packages.sh).
# Env (for tests): SW_APT_SOURCES_DIR, SW_APT_STAMP, SW_BINARY_PATH, SW_CROSS_SYSROOT_CMD.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/packages.sh
source "$here/lib/packages.sh"

with_tests=0
target=
while [[ $# -gt 0 ]]; do
  case $1 in
    --test) with_tests=1 ;;
    --target)
      [[ ${2:-} == arm64 ]] || { echo "setup.sh: --target takes arm64 (the build host's own arch needs no target)" >&2; exit 2; }
      target=$2; shift ;;
    *) echo "usage: setup.sh [--test] [--target arm64]" >&2; exit 2 ;;
  esac
  shift
done

if [[ $EUID -ne 0 ]]; then
  echo "setup.sh: must run as root (it installs packages)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
sources_dir=${SW_APT_SOURCES_DIR:-/etc/apt/sources.list.d}
BACKPORTS=$sources_dir/sockwarden-backports.sources

# Add bookworm-backports with the same URIs and key the machine already uses for bookworm.
# Adding a suite changes nothing installed: packages come from it only with -t.
if ! grep -rqs 'bookworm-backports' "$(dirname "$sources_dir")/sources.list" "$sources_dir/"; then
  uris=$(awk '/^URIs:/ {print $2; exit}' "$sources_dir/debian.sources" 2>/dev/null || true)
  key=$(awk '/^Signed-By:/ {print $2; exit}' "$sources_dir/debian.sources" 2>/dev/null || true)
  : "${uris:=http://deb.debian.org/debian}"
  : "${key:=/usr/share/keyrings/debian-archive-keyring.gpg}"
  mkdir -p "$sources_dir"
  cat >"$BACKPORTS" <<SRC
Types: deb
URIs: $uris
Suites: bookworm-backports
Components: main
Signed-By: $key
SRC
  need_update=1
fi

# The cross target's architecture: apt then indexes its packages (for `apt-get download`);
# adding it installs nothing.
if [[ -n $target ]] && ! dpkg --print-foreign-architectures | grep -qx "$target"; then
  dpkg --add-architecture "$target"
  need_update=1
fi

stamp=${SW_APT_STAMP:-/var/lib/apt/periodic/sockwarden-update-stamp}
if [[ -n "${need_update:-}" || ! -f $stamp ]]; then
  apt-get update -qq
  mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi

sw_apt_install -- "${SW_BUILD_PKGS[@]}"

libbpf_ok() {
  local v
  v=$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null || true)
  [[ -n $v ]] && dpkg --compare-versions "${v#1:}" ge 1.4
}
if ! libbpf_ok || ! command -v bpftool >/dev/null; then
  # Not sw_apt_install's "skip if installed": bookworm's libbpf1 1.1 is installed on most hosts
  # and is upgraded in place (same package, newer version), which removes nothing.
  plan=$(apt-get install -s --no-install-recommends -t bookworm-backports "${SW_BACKPORT_PKGS[@]}" 2>&1) || {
    echo "setup.sh: apt cannot install ${SW_BACKPORT_PKGS[*]} from bookworm-backports:" >&2
    printf '%s\n' "$plan" | tail -15 >&2; exit 1; }
  removals=$(printf '%s\n' "$plan" | awk '/^Remv /{print $2}' | sort -u | tr '\n' ' ')
  if [[ -n $removals ]]; then
    echo "setup.sh: refusing: libbpf/bpftool from backports would remove: $removals" >&2
    exit 1
  fi
  apt-get install -y -qq --no-remove --no-install-recommends -t bookworm-backports "${SW_BACKPORT_PKGS[@]}"
fi

if ((with_tests)); then
  sw_apt_install -- "${SW_TEST_PKGS[@]}"
fi

if [[ $target == arm64 ]]; then
  sw_apt_install -- "${SW_CROSS_ARM64_PKGS[@]}"
  if ((with_tests)); then sw_apt_install -- "${SW_CROSS_ARM64_TEST_PKGS[@]}"; fi
  "${SW_CROSS_SYSROOT_CMD:-$here/lib/cross-sysroot.sh}" arm64 "${SW_SYSROOT:-/var/cache/sockwarden-cross/arm64/sysroot}"
fi

echo "setup.sh: ok$( ((with_tests)) && echo ' (with test rigs)')${target:+ (cross target $target)} (libbpf $(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null), $(bpftool version 2>/dev/null | head -1))"

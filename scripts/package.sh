#!/usr/bin/env bash
# Build the .deb (CPack DEB) into OUT_DIR (default ./dist).
#   scripts/package.sh [--arch amd64|arm64] [OUT_DIR]
# --arch arm64 packages the cross-built agent (scripts/build.sh --target arm64, ./build-arm64):
# sockwarden_<version>_arm64.deb. Default: this host's build (./build, amd64).
# Env: BUILD_DIR (default ./build, or ./build-arm64 for arm64), SOCKWARDEN_SKIP_SETUP=1,
# SOCKWARDEN_SKIP_BUILD=1 (package an already built tree).
# Never installs the package: `dpkg -i dist/sockwarden_*.deb` is the operator's call.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
if [[ ${1:-} == --arch ]]; then
  arch=${2:?usage: package.sh [--arch amd64|arm64] [OUT_DIR]}
  shift 2
fi
case $arch in
  amd64) build=${BUILD_DIR:-$root/build} ;;
  arm64) build=${BUILD_DIR:-$root/build-arm64} ;;
  *) echo "package.sh: unsupported architecture '$arch' (amd64, arm64)" >&2; exit 2 ;;
esac
out=${1:-$root/dist}
if [[ -z ${SOCKWARDEN_SKIP_BUILD:-} ]]; then
  if [[ $arch == arm64 ]]; then
    BUILD_DIR=$build "$root/scripts/build.sh" --target arm64
  else
    if [[ -z ${SOCKWARDEN_SKIP_SETUP:-} ]]; then "$root/scripts/setup.sh" --test; fi
    [[ -f $build/CMakeCache.txt ]] || cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
    cmake --build "$build" --target sockwarden -j"$(nproc)"
  fi
fi
# The build tree must be the requested architecture's (cmake/bpf.cmake writes SW_DEB_ARCH).
have=$(awk -F= '/^SW_DEB_ARCH:/ {print $2}' "$build/CMakeCache.txt" 2>/dev/null || true)
[[ $have == "$arch" ]] || { echo "package.sh: $build is a build for '${have:-unknown}', not $arch" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
# cpack installs the build tree into its own staging dir: nothing lands on this host.
(cd "$build" && cpack -G DEB -B "$out" --config "$build/CPackConfig.cmake" >/dev/null)
rm -rf "$out/_CPack_Packages"
ls "$out"/sockwarden_*_"$arch".deb

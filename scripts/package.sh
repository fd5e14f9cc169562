#!/usr/bin/env bash
# Build the .deb (CPack DEB) into OUT_DIR (default ./dist). Env: BUILD_DIR (default ./build),
# SOCKWARDEN_SKIP_SETUP=1, SOCKWARDEN_SKIP_BUILD=1 (package an already built tree).
# Never installs the package: `dpkg -i dist/sockwarden_*.deb` is the operator's call.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
out=${1:-$root/dist}
if [[ -z ${SOCKWARDEN_SKIP_BUILD:-} ]]; then
  if [[ -z ${SOCKWARDEN_SKIP_SETUP:-} ]]; then "$root/scripts/setup.sh" --test; fi
  [[ -f $build/CMakeCache.txt ]] || cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
  cmake --build "$build" --target sockwarden -j"$(nproc)"
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
# cpack installs the build tree into its own staging dir: nothing lands on this host.
(cd "$build" && cpack -G DEB -B "$out" --config "$build/CPackConfig.cmake" >/dev/null)
rm -rf "$out/_CPack_Packages"
ls "$out"/sockwarden_*.deb

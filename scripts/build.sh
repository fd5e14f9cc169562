#!/usr/bin/env bash
# Set up (idempotent) and build into ./build. Env: BUILD_DIR, BUILD_TYPE, SOCKWARDEN_SKIP_SETUP=1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
if [[ -z ${SOCKWARDEN_SKIP_SETUP:-} ]]; then
  "$root/scripts/setup.sh"
fi
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$build" -j"$(nproc)"

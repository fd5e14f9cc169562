#!/usr/bin/env bash
# Set up (idempotent) and build into ./build.
#   build.sh           everything: the agent, the test binaries and the fuzz sub-build
#                      (runs `setup.sh --test`: the test rigs too)
#   build.sh --agent   only the sockwarden binary (runs `setup.sh`: build and run packages only);
#                      this is what scripts/trace.sh uses on production hosts
# Env: BUILD_DIR, BUILD_TYPE, SOCKWARDEN_SKIP_SETUP=1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
agent_only=0
case "${1:-}" in
  --agent) agent_only=1 ;;
  "") ;;
  *) echo "usage: build.sh [--agent]" >&2; exit 2 ;;
esac
if [[ -z ${SOCKWARDEN_SKIP_SETUP:-} ]]; then
  if ((agent_only)); then "$root/scripts/setup.sh"; else "$root/scripts/setup.sh" --test; fi
fi
if ((agent_only)); then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" -DSW_TESTS=OFF >/dev/null
  cmake --build "$build" -j"$(nproc)" --target sockwarden
else
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" -DSW_TESTS=ON >/dev/null
  cmake --build "$build" -j"$(nproc)"
fi

#!/usr/bin/env bash
# Set up (idempotent) and build into ./build.
#   build.sh           everything: the agent, the test binaries and the fuzz sub-build
#                      (runs `setup.sh --test`: the test rigs too)
#   build.sh --agent   only the sockwarden binary (runs `setup.sh`: build and run packages only);
#                      this is what scripts/trace.sh uses on production hosts
#   build.sh --target arm64 [--tests]
#                      the arm64 agent, cross-built on this x86_64 host into ./build-arm64 (runs
#                      `setup.sh --target arm64`: cross compiler + Debian's arm64 libraries in a
#                      private sysroot; cmake/toolchain-arm64.cmake). --tests adds the arm64
#                      integration suite (tests/sockwarden_integration_tests), which runs in the
#                      arm64 vmtest guests (SW_VMTEST_ARCH=arm64 vmtest/run.sh build-arm64).
# Env: BUILD_DIR, BUILD_TYPE, SOCKWARDEN_SKIP_SETUP=1, SW_SYSROOT (arm64 sysroot).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
agent_only=0
target=
cross_tests=0
usage() { echo "usage: build.sh [--agent] [--target arm64 [--tests]]" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --agent) agent_only=1 ;;
    --target) [[ ${2:-} == arm64 ]] || usage; target=$2; shift ;;
    --tests) cross_tests=1 ;;
    *) usage ;;
  esac
  shift
done
((cross_tests)) && [[ -z $target ]] && usage
if [[ -n $target ]]; then
  build=${BUILD_DIR:-$root/build-$target}
  export SW_SYSROOT=${SW_SYSROOT:-/var/cache/sockwarden-cross/$target/sysroot}
  [[ -n ${SOCKWARDEN_SKIP_SETUP:-} ]] || "$root/scripts/setup.sh" --target "$target"
  targets=(sockwarden)
  ((cross_tests)) && targets+=(sockwarden_integration_tests)
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
    -DSW_TESTS=$( ((cross_tests)) && echo ON || echo OFF) \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-$target.cmake" -DSW_SYSROOT="$SW_SYSROOT" >/dev/null
  cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
  echo "build.sh: $(file -b "$build/userspace/sockwarden" | cut -d, -f1-2): $build/userspace/sockwarden" >&2
  exit 0
fi
build=${BUILD_DIR:-$root/build}
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

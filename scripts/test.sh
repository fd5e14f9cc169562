#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: set up, build, then
# ctest runs unit tests, the privileged BPF integration suite (both tiers),
# the real-dockerd end-to-end tests, the QEMU vmtest matrix, and the arm64 cross build
# (cross.arm64_build, packaging.deb_arm64: `setup.sh --test --target arm64` first).
# Must run as root (it loads BPF programs, starts dockerd, boots VMs).
# Extra arguments go to ctest (e.g. -R unit to run only the unit tests).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
if [[ $EUID -ne 0 ]]; then
  echo "test.sh: run as root (sudo $0): the suite loads BPF programs into the kernel" >&2
  exit 3
fi
"$root/scripts/build.sh"
[[ -n ${SOCKWARDEN_SKIP_SETUP:-} ]] || "$root/scripts/setup.sh" --test --target arm64
cd "$build"
# The arm64 cross build (agent + integration suite, several minutes of compiling) starts now, in
# the background at the lowest CPU priority, so that it uses the CPU the unit, integration and
# e2e tests leave idle (they wait on daemons and timers a lot). cross.arm64_build takes the same
# lock (tests/cross/test_arm64_build.sh), waits for this build and then finds it done. Only for a
# whole run: with a ctest filter the test builds what it needs itself.
prebuild=
if [[ $# -eq 0 && -z ${SW_NO_ARM64_PREBUILD:-} ]]; then
  # set -m: a process group of its own, so that the EXIT trap stops the whole build (make and
  # every compiler) if ctest ends first or the run is interrupted. Not setsid: a new session is
  # a new scheduler autogroup (kernel.sched_autogroup_enabled), and nice only ranks processes
  # within one autogroup, so the build would take a full half of the CPU from the tests.
  set -m
  (
    exec 9>"$build/arm64.lock"
    flock 9
    BUILD_TYPE=Release SOCKWARDEN_SKIP_SETUP=1 BUILD_DIR="$build/arm64" nice -n 19 "$root/scripts/build.sh" --target arm64 --tests ||
      echo "test.sh: the background arm64 build failed (cross.arm64_build repeats it): $build/arm64.prebuild.log" >&2
  ) >"$build/arm64.prebuild.log" 2>&1 &
  prebuild=$!
  set +m
  trap 'kill -- -$prebuild 2>/dev/null || true' EXIT
fi
ctest --output-on-failure --timeout 1800 "$@"

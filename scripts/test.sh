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
# The arm64 cross build runs as the test cross.arm64_build, in sequence. Started in the background
# beside the unit/integration tests (even at nice 19) it made a timing-sensitive socket-tp test
# fail (CliTest.ExpectedCallersAndOnlyFlagged: payload-from-user-memory), so it is not.
ctest --output-on-failure --timeout 1800 "$@"

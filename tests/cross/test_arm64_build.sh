#!/usr/bin/env bash
# The arm64 cross build from this tree: scripts/build.sh --target arm64 --tests (the agent and
# the integration suite the arm64 vmtest guests run) into BUILD_DIR (no setup:
# the test command's scripts/setup.sh --target arm64 installed the cross compiler and sysroot),
# then check_arm64_binary.sh on the result. A missing prerequisite fails, naming the fix.
#   test_arm64_build.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=${1:?usage: test_arm64_build.sh SOURCE_DIR BUILD_DIR}
build=${2:?usage: test_arm64_build.sh SOURCE_DIR BUILD_DIR}
sysroot=${SW_SYSROOT:-/var/cache/sockwarden-cross/arm64/sysroot}
fail() { echo "FAIL: $*"; exit 1; }
command -v aarch64-linux-gnu-g++ >/dev/null || fail "aarch64-linux-gnu-g++ missing: run scripts/setup.sh --target arm64 (g++-aarch64-linux-gnu)"
[[ -f $sysroot/.sockwarden-sysroot ]] || fail "arm64 sysroot $sysroot missing: run scripts/setup.sh --target arm64"
start=$(date +%s)
# Another build of this tree (same lock, e.g. a second test run) is waited for: two builds in one
# tree at once would corrupt it.
mkdir -p "$(dirname "$build")"
exec 9>"$build.lock"
flock 9
echo "waited $(($(date +%s) - start)) s for the arm64 tree's lock"
start=$(date +%s)
# Release (no -g): the arm64 tree only feeds the guests and the .deb (stripped either way), and
# without debug info the cross compile and the guests' initramfs (a ~100 MB test binary
# otherwise) are much quicker, which CI's time budget needs.
BUILD_TYPE=${BUILD_TYPE:-Release} SOCKWARDEN_SKIP_SETUP=1 BUILD_DIR=$build SW_SYSROOT=$sysroot "$src/scripts/build.sh" --target arm64 --tests >"$build.log" 2>&1 ||
  { tail -30 "$build.log"; fail "scripts/build.sh --target arm64 --tests failed (log: $build.log)"; }
echo "cross build: $(($(date +%s) - start)) s"
"$src/tests/cross/check_arm64_binary.sh" "$build/userspace/sockwarden" "$sysroot"
file -b "$build/tests/sockwarden_integration_tests" | grep -q 'ARM aarch64' ||
  fail "$build/tests/sockwarden_integration_tests is not an arm64 executable"
echo PASS

# The arm64 agent and integration suite, cross-built from this tree (scripts/build.sh --target arm64 --tests into
# BUILD/arm64) and checked: AArch64 ELF, arm64 BPF objects embedded, every library from Debian's
# arm64 packages. Needs scripts/setup.sh --target arm64 (run by scripts/test.sh). A cold build
# compiles the whole agent for arm64 (ccache makes reruns quick). SW_ARM64_BUILD_DIR points the
# tests at another arm64 tree of this source (e.g. the one scripts/build.sh --target arm64 made,
# ./build-arm64): the build step is then incremental.
set(SW_ARM64_BUILD_DIR ${CMAKE_BINARY_DIR}/arm64 CACHE PATH "arm64 cross build tree used by the cross/packaging/vmtest arm64 tests")
add_test(NAME cross.arm64_build
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_arm64_build.sh ${CMAKE_SOURCE_DIR} ${SW_ARM64_BUILD_DIR})
set_tests_properties(cross.arm64_build PROPERTIES LABELS "cross" TIMEOUT 3600 FIXTURES_SETUP arm64_agent)
# The arm64 .deb from that build (scripts/package.sh --arch arm64).
add_test(NAME packaging.deb_arm64
         COMMAND ${CMAKE_SOURCE_DIR}/tests/packaging/test_package_arm64.sh ${SW_ARM64_BUILD_DIR})
set_tests_properties(packaging.deb_arm64 PROPERTIES LABELS "packaging;cross" TIMEOUT 300 FIXTURES_REQUIRED arm64_agent)
# vmtest on arm64: Debian's arm64 6.12, 6.12-nobpflsm and 6.1 cloud kernels under
# qemu-system-aarch64 (TCG) with that arm64 agent and integration suite: doctor, then the suites
# vmtest/run.sh picks per tier for arm64 (vmtest/README.md "arm64"). Needs root and scripts/setup.sh --test
# --target arm64.
add_test(NAME vmtest.arm64
         COMMAND env SW_VMTEST_ARCH=arm64 ${CMAKE_SOURCE_DIR}/vmtest/run.sh ${SW_ARM64_BUILD_DIR})
set_tests_properties(vmtest.arm64 PROPERTIES
  RUN_SERIAL TRUE
  TIMEOUT 3600
  LABELS "vmtest;root;cross"
  FIXTURES_REQUIRED arm64_agent)
# One image reference for amd64 and arm64 nodes (scripts/build-image-index.sh): both images built
# from this tree's agent and that arm64 tree, joined into an OCI image index and imported into a
# real containerd: linux/amd64 runs here, linux/arm64 resolves to the AArch64 agent and loader.
# Needs root (a private dockerd + containerd). Measured 18-23 s (2 vCPU shared with builds and QEMU).
# E2E_DEADLINE as tests/e2e/tests.cmake sets it for the other e2e tests (15 s below TIMEOUT).
add_test(NAME e2e.image.multiarch
         COMMAND ${CMAKE_SOURCE_DIR}/tests/e2e/test_image_index.sh $<TARGET_FILE:sockwarden> ${SW_ARM64_BUILD_DIR})
set_tests_properties(e2e.image.multiarch PROPERTIES
  RUN_SERIAL TRUE
  TIMEOUT 120
  ENVIRONMENT "E2E_DEADLINE=105"
  LABELS "e2e;root;cross"
  FIXTURES_REQUIRED arm64_agent)

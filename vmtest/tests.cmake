# vmtest tier: boots Debian's 6.12 and 6.1 cloud kernels under QEMU/TCG and runs
# `sockwarden doctor` plus the integration suite inside (see vmtest/README.md).
# Include from tests/CMakeLists.txt:
#   include(${CMAKE_SOURCE_DIR}/vmtest/tests.cmake)
# Needs root, qemu-system-x86, busybox-static, cpio (scripts/setup.sh) and Debian's apt
# archive the first time (kernels are cached in /var/cache/sockwarden-vmtest).
# Measured wall time (2 vCPU host, cached kernels): 105-130 s for the whole matrix
# (6.12: 64-74 s, 6.1: 33-43 s). run.sh gives each VM 600 s; TIMEOUT covers two timed-out
# boots plus a first-time kernel download. Exit 77 (not root, QEMU tools missing) fails the test.
# Skip it with `ctest -LE vmtest`.
add_test(NAME vmtest.matrix
         COMMAND ${CMAKE_SOURCE_DIR}/vmtest/run.sh ${CMAKE_BINARY_DIR})
set_tests_properties(vmtest.matrix PROPERTIES
  RUN_SERIAL TRUE
  TIMEOUT 4200
  LABELS "vmtest;root")

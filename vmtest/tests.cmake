# vmtest tier: boots Debian's 6.12, 6.1 and 5.10 cloud kernels under QEMU/TCG (five boots:
# 6.12, 6.12-nobpflsm, 6.1, 5.10, 5.10-bpflsm) and runs `sockwarden doctor` plus the
# integration suites inside (see vmtest/README.md: what runs on each boot).
# Include from tests/CMakeLists.txt:
#   include(${CMAKE_SOURCE_DIR}/vmtest/tests.cmake)
# Needs root, qemu-system-x86, busybox-static, cpio (scripts/setup.sh) and Debian's apt
# archive the first time (kernels are cached in /var/cache/sockwarden-vmtest; 5.10 comes from
# bullseye through a private apt list there).
# Measured under thread=single TCG (vmtest/README.md "Measured"): 6.12 ~620 s, 6.12-nobpflsm
# ~260-310 s, 6.1 ~750 s, 5.10 335-470 s, 5.10-bpflsm 190-235 s, plus the initramfs builds. run.sh gives each
# VM 1800 s; TIMEOUT covers the matrix plus one boot that hangs to its timeout.
# Exit 77 (not root, QEMU tools missing) fails the test. Skip it with `ctest -LE vmtest`.
add_test(NAME vmtest.matrix
         COMMAND ${CMAKE_SOURCE_DIR}/vmtest/run.sh ${CMAKE_BINARY_DIR})
set_tests_properties(vmtest.matrix PROPERTIES
  RUN_SERIAL TRUE
  TIMEOUT 5400
  LABELS "vmtest;root")

# The arm64 agent, cross-built from this tree (scripts/build.sh --target arm64 into
# BUILD/arm64) and checked: AArch64 ELF, arm64 BPF objects embedded, every library from Debian's
# arm64 packages. Needs scripts/setup.sh --target arm64 (run by scripts/test.sh). A cold build
# compiles the whole agent for arm64 (ccache makes reruns quick).
add_test(NAME cross.arm64_build
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_arm64_build.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/arm64)
set_tests_properties(cross.arm64_build PROPERTIES LABELS "cross" TIMEOUT 3600 FIXTURES_SETUP arm64_agent)
# The arm64 .deb from that build (scripts/package.sh --arch arm64).
add_test(NAME packaging.deb_arm64
         COMMAND ${CMAKE_SOURCE_DIR}/tests/packaging/test_package_arm64.sh ${CMAKE_BINARY_DIR}/arm64)
set_tests_properties(packaging.deb_arm64 PROPERTIES LABELS "packaging;cross" TIMEOUT 300 FIXTURES_REQUIRED arm64_agent)

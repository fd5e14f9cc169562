# Packaging: builds the .deb with CPack from this build tree and inspects it (no root
# needed, never installs it). Measured: a few seconds.
add_test(NAME packaging.deb
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_package.sh ${CMAKE_BINARY_DIR})
set_tests_properties(packaging.deb PROPERTIES LABELS "packaging" TIMEOUT 120)

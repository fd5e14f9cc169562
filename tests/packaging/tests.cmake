# Packaging: builds the .deb with CPack from this build tree and inspects it (no root
# needed, never installs it). Measured: a few seconds.
add_test(NAME packaging.deb
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_package.sh ${CMAKE_BINARY_DIR})
set_tests_properties(packaging.deb PROPERTIES LABELS "packaging" TIMEOUT 120)
# What setup.sh asks apt for (apt and dpkg stubbed): the README's per-command lists, no test rig
# for the run command, nothing conflicting with docker-ce/containerd.io, no removal ever.
add_test(NAME packaging.setup_packages
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_setup_packages.sh)
set_tests_properties(packaging.setup_packages PROPERTIES LABELS "packaging" TIMEOUT 60)
# scripts/lib/oci_image_index.py (the multi-architecture image of scripts/build-image-index.sh) on
# synthetic docker save archives: both save layouts, a linked repeated layer and a gzip layer are
# accepted and give a valid, reproducible OCI layout; unsafe names, links out of the archive,
# digests that do not match, duplicate platforms and truncated archives are refused. Under a second.
add_test(NAME packaging.oci_image_index
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/test_oci_image_index.py ${CMAKE_SOURCE_DIR})
set_tests_properties(packaging.oci_image_index PROPERTIES LABELS "packaging" TIMEOUT 60)

# Install layout (systemd unit, example config) and the .deb (CPack DEB).
# The binary itself is installed by userspace/CMakeLists.txt (sbin).
include(GNUInstallDirs)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/sockwarden.service DESTINATION lib/systemd/system)
# An absolute destination: /etc, not <prefix>/etc, whatever the prefix.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/config.yaml DESTINATION /etc/sockwarden)
install(FILES ${CMAKE_SOURCE_DIR}/schema/sockwarden-event.schema.json DESTINATION ${CMAKE_INSTALL_DATADIR}/sockwarden)
install(FILES ${CMAKE_SOURCE_DIR}/schema/sockwarden-doctor.schema.json DESTINATION ${CMAKE_INSTALL_DATADIR}/sockwarden)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sockwarden)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "sockwarden maintainers <sockwarden@example.org>")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "sockwarden maintainers <sockwarden@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "eBPF monitor of who talks to container runtime sockets")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Reports every process and container that connects to the Docker, containerd,\n CRI-O or podman API socket, and what it asks the daemon to do, as ECS JSON.")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# The agent's architecture (cmake/bpf.cmake: amd64, or arm64 with cmake/toolchain-arm64.cmake),
# not the build host's (CPack's default asks dpkg, which says amd64 on a cross build).
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${SW_DEB_ARCH})
# RelWithDebInfo keeps ~60 MB of DWARF; the package ships the stripped binary.
set(CPACK_STRIP_FILES ON)
# The shared libraries `ldd sockwarden` shows beyond libc/libstdc++, mapped with
# `dpkg -S` (Debian 12, libbpf 1.4 from bookworm-backports). The arm64 packages have the same
# names (the cross build links exactly these, from scripts/lib/cross-sysroot.sh).
set(SW_DEB_DEPENDS "libbpf1 (>= 1:1.4), libyaml-cpp0.7, libnghttp2-14, libspdlog1.10, libfmt9, libelf1, zlib1g, libc6, libstdc++6, libgcc-s1")
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${SW_DEB_DEPENDS}")
# The config is a conffile: dpkg keeps local edits on upgrade.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${CMAKE_SOURCE_DIR}/packaging/debian/conffiles")
include(CPack)

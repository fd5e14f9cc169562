# Cross build for arm64 (aarch64) on an x86_64 Debian host:
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-arm64.cmake -DSW_TESTS=OFF
# (scripts/build.sh --target arm64 does this after scripts/setup.sh --target arm64).
#
# Compiler: Debian's cross gcc (g++-aarch64-linux-gnu; its libc/libstdc++ headers and link
# libraries live in /usr/aarch64-linux-gnu). Libraries: Debian's arm64 packages unpacked into
# SW_SYSROOT (scripts/lib/cross-sysroot.sh), found only there: a host x86 header or library
# must never leak into the arm64 binary. Host programs (clang -target bpf, bpftool, python3)
# still come from the host: the BPF objects are arch-neutral bytecode, built with
# -D__TARGET_ARCH_arm64 against an arm64 vmlinux.h (cmake/bpf.cmake).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(SW_CROSS_TRIPLET aarch64-linux-gnu)

set(SW_SYSROOT "$ENV{SW_SYSROOT}" CACHE PATH "arm64 library sysroot (scripts/lib/cross-sysroot.sh)")
if(NOT SW_SYSROOT)
  set(SW_SYSROOT /var/cache/sockwarden-cross/arm64/sysroot CACHE PATH "arm64 library sysroot" FORCE)
endif()
# try_compile projects re-read this file: hand them the same sysroot.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES SW_SYSROOT)
if(NOT EXISTS ${SW_SYSROOT}/usr/include/bpf/libbpf.h)
  message(FATAL_ERROR "arm64 sysroot ${SW_SYSROOT} has no libbpf headers: run scripts/setup.sh --target arm64 "
                      "(or scripts/lib/cross-sysroot.sh arm64 ${SW_SYSROOT})")
endif()

find_program(SW_CROSS_CXX ${SW_CROSS_TRIPLET}-g++)
if(NOT SW_CROSS_CXX)
  message(FATAL_ERROR "${SW_CROSS_TRIPLET}-g++ not found: run scripts/setup.sh --target arm64 (g++-aarch64-linux-gnu)")
endif()
set(CMAKE_C_COMPILER ${SW_CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${SW_CROSS_TRIPLET}-g++)
# Strip for CPack (CPACK_STRIP_FILES) and objcopy for scripts/build-image.sh: the cross binutils.
set(CMAKE_STRIP ${SW_CROSS_TRIPLET}-strip CACHE FILEPATH "")
set(CMAKE_OBJCOPY ${SW_CROSS_TRIPLET}-objcopy CACHE FILEPATH "")

# Headers and libraries: the sysroot first. -isystem keeps its headers out of -Wall's reach the
# way /usr/include is for a native build.
set(SW_SYSROOT_LIBDIRS ${SW_SYSROOT}/usr/lib/${SW_CROSS_TRIPLET} ${SW_SYSROOT}/lib/${SW_CROSS_TRIPLET})
string(JOIN " " _sw_flags "-isystem ${SW_SYSROOT}/usr/include")
set(CMAKE_C_FLAGS_INIT "${_sw_flags}")
set(CMAKE_CXX_FLAGS_INIT "${_sw_flags}")
# rpath-link: libbpf.so needs libelf.so.1, which needs libzstd.so.1: the linker resolves those
# indirect needs in the sysroot, not on the host. The binary gets no rpath (Debian paths at run).
set(_sw_link "")
foreach(d ${SW_SYSROOT_LIBDIRS})
  string(APPEND _sw_link " -L${d} -Wl,-rpath-link,${d}")
endforeach()
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_sw_link}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${_sw_link}")

set(CMAKE_FIND_ROOT_PATH ${SW_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_LIBRARY_ARCHITECTURE ${SW_CROSS_TRIPLET})

# pkg-config (libbpf, libnghttp2): only the sysroot's .pc files, their paths prefixed with it.
set(ENV{PKG_CONFIG_LIBDIR} "${SW_SYSROOT}/usr/lib/${SW_CROSS_TRIPLET}/pkgconfig:${SW_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${SW_SYSROOT}")
set(ENV{PKG_CONFIG_PATH} "")

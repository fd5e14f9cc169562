# Compile a bpf/*.bpf.c with clang into a CO-RE object and generate its
# libbpf skeleton with bpftool. Produces an INTERFACE target sw_bpf_<name>
# whose include directory holds <name>.skel.h.
find_program(CLANG_EXE NAMES clang clang-19 clang-16 clang-14 REQUIRED)
find_program(BPFTOOL_EXE NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)

set(SW_BPF_OUT ${CMAKE_BINARY_DIR}/bpf)
set(SW_VMLINUX_H ${SW_BPF_OUT}/vmlinux/vmlinux.h)
file(MAKE_DIRECTORY ${SW_BPF_OUT}/vmlinux)

# The objects are built for the agent's target architecture (the toolchain's
# CMAKE_SYSTEM_PROCESSOR: cmake/toolchain-arm64.cmake for arm64): it selects bpf_tracing.h's
# pt_regs layout (-D__TARGET_ARCH_<arch>), bpf/syscall_arch.bpf.h's syscall numbers, and the
# vmlinux.h, whose pt_regs and arch types must be that architecture's.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(SW_BPF_ARCH x86)
  set(SW_DEB_ARCH amd64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(SW_BPF_ARCH arm64)
  set(SW_DEB_ARCH arm64)
else()
  message(FATAL_ERROR "sockwarden: unsupported target processor ${CMAKE_SYSTEM_PROCESSOR} (x86_64, aarch64)")
endif()
# Cached for scripts/package.sh, which checks that a build tree is the arch it was asked for.
set(SW_DEB_ARCH ${SW_DEB_ARCH} CACHE INTERNAL "Debian architecture of the agent being built")
set(SW_VMLINUX_BTF "" CACHE FILEPATH
    "Kernel BTF the BPF objects compile against (default: this host's when it runs the target architecture, else a Debian cloud kernel's, scripts/fetch-kernel-btf.sh)")

# The CO-RE vmlinux.h comes from the project's own script: the build host's BTF for a native
# build (as always), the given BTF file, or for a cross build the BTF of Debian's cloud kernel
# for the target architecture (fetched once into /var/cache/sockwarden-kernels).
if(SW_VMLINUX_BTF)
  add_custom_command(
    OUTPUT ${SW_VMLINUX_H}
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/gen-vmlinux.sh ${SW_VMLINUX_H} ${SW_VMLINUX_BTF}
    DEPENDS ${CMAKE_SOURCE_DIR}/scripts/gen-vmlinux.sh ${SW_VMLINUX_BTF}
    COMMENT "Generating vmlinux.h (${SW_BPF_ARCH}) from ${SW_VMLINUX_BTF}")
elseif(CMAKE_CROSSCOMPILING)
  set(SW_TARGET_BTF ${SW_BPF_OUT}/vmlinux/vmlinux-${SW_DEB_ARCH}.btf)
  add_custom_command(
    OUTPUT ${SW_VMLINUX_H}
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/fetch-kernel-btf.sh ${SW_DEB_ARCH} ${SW_TARGET_BTF}
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/gen-vmlinux.sh ${SW_VMLINUX_H} ${SW_TARGET_BTF}
    DEPENDS ${CMAKE_SOURCE_DIR}/scripts/gen-vmlinux.sh ${CMAKE_SOURCE_DIR}/scripts/fetch-kernel-btf.sh
            ${CMAKE_SOURCE_DIR}/scripts/lib/extract_btf.py
    COMMENT "Generating vmlinux.h (${SW_BPF_ARCH}) from a Debian ${SW_DEB_ARCH} kernel's BTF")
else()
  add_custom_command(
    OUTPUT ${SW_VMLINUX_H}
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/gen-vmlinux.sh ${SW_VMLINUX_H}
    DEPENDS ${CMAKE_SOURCE_DIR}/scripts/gen-vmlinux.sh
    COMMENT "Generating vmlinux.h from kernel BTF")
endif()

# One target owns vmlinux.h, and every skeleton target waits for it. Each object's rule lists
# vmlinux.h in DEPENDS, which makes the Makefile generator copy its rule into every skeleton
# target; with parallel make two of them ran it at once (seen: the arm64 cross build's two
# fetch-kernel-btf.sh copies raced on vmlinux-arm64.btf and one failed). Built first through this
# target, the copies find it up to date.
add_custom_target(sw_vmlinux_h DEPENDS ${SW_VMLINUX_H})

set(SW_BPF_HEADERS
  ${CMAKE_SOURCE_DIR}/bpf/connect_attempt.bpf.h
  ${CMAKE_SOURCE_DIR}/bpf/user_payload.bpf.h
  ${CMAKE_SOURCE_DIR}/bpf/process.bpf.h
  ${CMAKE_SOURCE_DIR}/bpf/events.h
  ${CMAKE_SOURCE_DIR}/bpf/common.bpf.h
  ${CMAKE_SOURCE_DIR}/bpf/core_fixes.bpf.h
  ${CMAKE_SOURCE_DIR}/bpf/enforce.bpf.h
  ${CMAKE_SOURCE_DIR}/bpf/stream_hooks.bpf.h
  ${CMAKE_SOURCE_DIR}/bpf/flood_budget.bpf.h
  ${CMAKE_SOURCE_DIR}/bpf/syscall_arch.bpf.h)

# Extra arguments are compiler flags, e.g. -DSW_COMPAT_510 for a tier's 5.10 variant.
function(sw_bpf_skeleton name src)
  set(obj ${SW_BPF_OUT}/${name}.bpf.o)
  set(skel ${SW_BPF_OUT}/${name}.skel.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${CLANG_EXE} -g -O2 -target bpf -D__TARGET_ARCH_${SW_BPF_ARCH} -Wall -Wno-unused-function
            -I${SW_BPF_OUT}/vmlinux -I${CMAKE_SOURCE_DIR}/bpf ${ARGN}
            -c ${CMAKE_SOURCE_DIR}/${src} -o ${obj}
    DEPENDS ${CMAKE_SOURCE_DIR}/${src} ${SW_BPF_HEADERS} ${SW_VMLINUX_H}
    COMMENT "BPF ${src}")
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL_EXE} gen skeleton ${obj} name ${name}_bpf > ${skel}
    DEPENDS ${obj}
    COMMENT "Skeleton ${name}.skel.h")
  add_custom_target(sw_bpf_${name}_gen DEPENDS ${skel})
  add_dependencies(sw_bpf_${name}_gen sw_vmlinux_h)
  add_library(sw_bpf_${name} INTERFACE)
  add_dependencies(sw_bpf_${name} sw_bpf_${name}_gen)
  target_include_directories(sw_bpf_${name} INTERFACE ${SW_BPF_OUT})
endfunction()

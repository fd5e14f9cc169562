# Compile a bpf/*.bpf.c with clang into a CO-RE object and generate its
# libbpf skeleton with bpftool. Produces an INTERFACE target sw_bpf_<name>
# whose include directory holds <name>.skel.h.
find_program(CLANG_EXE NAMES clang clang-19 clang-16 clang-14 REQUIRED)
find_program(BPFTOOL_EXE NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)

set(SW_BPF_OUT ${CMAKE_BINARY_DIR}/bpf)
set(SW_VMLINUX_H ${SW_BPF_OUT}/vmlinux/vmlinux.h)
file(MAKE_DIRECTORY ${SW_BPF_OUT}/vmlinux)

# The CO-RE vmlinux.h comes from the project's own script (BTF of the build host).
add_custom_command(
  OUTPUT ${SW_VMLINUX_H}
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/gen-vmlinux.sh ${SW_VMLINUX_H}
  DEPENDS ${CMAKE_SOURCE_DIR}/scripts/gen-vmlinux.sh
  COMMENT "Generating vmlinux.h from kernel BTF")

set(SW_BPF_HEADERS
  ${CMAKE_SOURCE_DIR}/bpf/connect_attempt.bpf.h
  ${CMAKE_SOURCE_DIR}/bpf/user_payload.bpf.h
  ${CMAKE_SOURCE_DIR}/bpf/process.bpf.h
  ${CMAKE_SOURCE_DIR}/bpf/events.h
  ${CMAKE_SOURCE_DIR}/bpf/common.bpf.h
  ${CMAKE_SOURCE_DIR}/bpf/core_fixes.bpf.h
  ${CMAKE_SOURCE_DIR}/bpf/enforce.bpf.h
  ${CMAKE_SOURCE_DIR}/bpf/stream_hooks.bpf.h)

# Extra arguments are compiler flags, e.g. -DSW_COMPAT_510 for a tier's 5.10 variant.
function(sw_bpf_skeleton name src)
  set(obj ${SW_BPF_OUT}/${name}.bpf.o)
  set(skel ${SW_BPF_OUT}/${name}.skel.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${CLANG_EXE} -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Wno-unused-function
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
  add_library(sw_bpf_${name} INTERFACE)
  add_dependencies(sw_bpf_${name} sw_bpf_${name}_gen)
  target_include_directories(sw_bpf_${name} INTERFACE ${SW_BPF_OUT})
endfunction()

# The 5.10 builds of the BPF objects, checked on the host for what Linux 5.10 refuses before
# its verifier runs (helpers newer than 5.10, kfuncs, loops closed by a fall-through edge):
# see check_510_objects.py. The vmtest 5.10 boots load them for real. Needs llvm-objdump.
add_test(NAME bpf.objects_510
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/check_510_objects.py
                 ${SW_BPF_OUT}/fentry_510.bpf.o ${SW_BPF_OUT}/lsm_510.bpf.o ${SW_BPF_OUT}/syscall_tp_510.bpf.o)
set_tests_properties(bpf.objects_510 PROPERTIES LABELS "bpf" TIMEOUT 120)
# Syscall numbers per target architecture (bpf/syscall_arch.bpf.h) against x86_64's and arm64's
# <asm/unistd.h>. Needs gcc and aarch64-linux-gnu-gcc (scripts/setup.sh --target arm64).
add_test(NAME bpf.syscall_numbers
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/check_syscall_numbers.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(bpf.syscall_numbers PROPERTIES LABELS "bpf" TIMEOUT 60)

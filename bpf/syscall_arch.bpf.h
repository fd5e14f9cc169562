/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What differs per architecture in reading a syscall from its saved user
 * registers: the syscall numbers, and which pt_regs field holds the number.
 * The arguments come from libbpf's PT_REGS_PARMn_CORE_SYSCALL (bpf_tracing.h,
 * picked by -D__TARGET_ARCH_<arch>), which name the registers the *syscall*
 * ABI uses: on arm64 the first argument is orig_x0, because x0 is overwritten
 * by the return value before sys_exit fires (regs[0] would then read the
 * result, not the fd).
 *
 * The registers handed to tp_btf/sys_enter, tp_btf/sys_exit and returned by
 * bpf_task_pt_regs are the task's user registers themselves (not a syscall
 * wrapper's frame), so no PT_REGS_SYSCALL_REGS step is needed.
 *
 * Only native 64-bit syscalls are recognised: 32-bit compat entries (x86
 * int 0x80, AArch32 tasks on arm64) use other numbers and are not decoded by
 * the syscall paths; the socket-layer hooks (lsm, fentry, socket-tp) see
 * their sends regardless. tests/bpf/check_syscall_numbers.sh compares these
 * numbers with each architecture's <asm/unistd.h>.
 */
#ifndef SOCKWARDEN_SYSCALL_ARCH_BPF_H
#define SOCKWARDEN_SYSCALL_ARCH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#if defined(__TARGET_ARCH_x86)
/* arch/x86/entry/syscalls/syscall_64.tbl */
#define SW_NR_write 1
#define SW_NR_writev 20
#define SW_NR_connect 42
#define SW_NR_sendto 44
#define SW_NR_sendmsg 46
#define SW_NR_sendmmsg 307
/* syscall_get_nr(): orig_ax (ax is overwritten by the return value) */
#define SW_SYSCALL_NR(regs) ((long)BPF_CORE_READ((regs), orig_ax))
#elif defined(__TARGET_ARCH_arm64)
/* include/uapi/asm-generic/unistd.h (arm64 uses the generic table) */
#define SW_NR_write 64
#define SW_NR_writev 66
#define SW_NR_connect 203
#define SW_NR_sendto 206
#define SW_NR_sendmsg 211
#define SW_NR_sendmmsg 269
/* syscall_get_nr(): the s32 syscallno saved at entry by el0_svc_common */
#define SW_SYSCALL_NR(regs) ((long)BPF_CORE_READ((regs), syscallno))
#else
#error "sockwarden BPF: unsupported target architecture (build with -D__TARGET_ARCH_x86 or -D__TARGET_ARCH_arm64)"
#endif

/* The first three arguments of the syscall the registers were saved for. */
#define SW_SYSCALL_ARG0(regs) ((__u64)PT_REGS_PARM1_CORE_SYSCALL(regs))
#define SW_SYSCALL_ARG1(regs) ((__u64)PT_REGS_PARM2_CORE_SYSCALL(regs))
#define SW_SYSCALL_ARG2(regs) ((__u64)PT_REGS_PARM3_CORE_SYSCALL(regs))

/* EINPROGRESS is 115 on x86_64 and in asm-generic (arm64) alike. */
#define SW_EINPROGRESS 115

#endif

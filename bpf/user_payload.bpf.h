/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Copying a write's bytes from the caller's memory, by the arguments of the
 * send syscall in progress. The syscall tier always reads the payload this
 * way; the socket tier only as a fallback, when the kernel's own copy (the
 * skb) cannot be read: the daemon already dequeued it on another CPU, or the
 * bytes sit in page frags (writes above ~3.7 KiB). Such payloads carry
 * SW_F_PAYLOAD_USER: another thread of the caller could have rewritten the
 * buffer after the kernel copied it.
 */
#ifndef SOCKWARDEN_USER_PAYLOAD_BPF_H
#define SOCKWARDEN_USER_PAYLOAD_BPF_H

#include "common.bpf.h"
/* SW_NR_* and register access, per target architecture */
#include "syscall_arch.bpf.h"

/* iovecs walked per send. gRPC's C core (Python, Ruby, C++ clients of containerd
 * and CRI) writes one iovec per HPACK piece: a single request took 32, and with 16
 * the header block was cut, which leaves the connection's HPACK state unknown for
 * good (nothing after it decodes). The walk stops once the payload cap is full. */
#define SW_MAX_IOV 64

/* The syscall 'current' is in, from its saved user registers (socket-tp
 * only: bpf_task_pt_regs is 5.15, not in the SW_COMPAT_510 build). */
#ifndef SW_COMPAT_510
struct syscall_args {
	long nr;
	__u64 a0, a1, a2;
};

static __always_inline struct syscall_args current_syscall(void)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	struct syscall_args a = {
		.nr = SW_SYSCALL_NR(regs),
		.a0 = SW_SYSCALL_ARG0(regs),
		.a1 = SW_SYSCALL_ARG1(regs),
		.a2 = SW_SYSCALL_ARG2(regs),
	};
	return a;
}

/*
 * The unix socket 'current' is connecting or sending on, by the fd argument
 * of its syscall: the fallback when the kernel structures that would name it
 * are already gone (the daemon accepted the embryo, or closed its side).
 */
static __always_inline struct sock *current_syscall_sock(void)
{
	struct syscall_args a = current_syscall();
	if (a.nr != SW_NR_connect && a.nr != SW_NR_write && a.nr != SW_NR_writev && a.nr != SW_NR_sendto &&
	    a.nr != SW_NR_sendmsg && a.nr != SW_NR_sendmmsg)
		return NULL;
	return fd_unix_sock((int)a.a0);
}
#endif

static __always_inline void copy_user(struct pending_send *p, const void *src, __u64 len)
{
	__u32 cap = payload_cap > SW_PAYLOAD_MAX ? SW_PAYLOAD_MAX : payload_cap;
	__u32 got = p->captured;
	if (got >= cap || !src)
		return;
	__u64 n = len < cap - got ? len : cap - got;
	n = clamp_size(n, SW_PAYLOAD_MAX);
	if (bpf_probe_read_user(&p->payload[got & (SW_PAYLOAD_MAX - 1)], clamp_size(n, SW_PAYLOAD_MAX), src)) {
		p->ev.flags |= SW_F_PAYLOAD_PARTIAL;
		return;
	}
	p->captured = got + n;
}

static __always_inline void copy_iov(struct pending_send *p, const struct iovec *iov, __u64 cnt)
{
	for (int i = 0; i < SW_MAX_IOV; i++) {
		if (i >= cnt || (p->ev.flags & SW_F_PAYLOAD_PARTIAL) || p->captured >= payload_cap)
			break;
		struct iovec v = {};
		if (bpf_probe_read_user(&v, sizeof(v), iov + i)) {
			p->ev.flags |= SW_F_PAYLOAD_PARTIAL;
			break;
		}
		copy_user(p, v.iov_base, v.iov_len);
	}
	if (cnt > SW_MAX_IOV && p->captured < payload_cap)
		p->ev.flags |= SW_F_PAYLOAD_PARTIAL;
}

static __always_inline void copy_msghdr(struct pending_send *p, const struct user_msghdr *msg)
{
	struct user_msghdr m = {};
	if (bpf_probe_read_user(&m, sizeof(m), msg)) {
		p->ev.flags |= SW_F_PAYLOAD_PARTIAL;
		return;
	}
	copy_iov(p, m.msg_iov, m.msg_iovlen);
}

/*
 * Copy the first bytes of the send syscall 'current' is in, from its user
 * arguments. Returns false when the syscall is not a plain send (io_uring,
 * splice, sendfile, or sendmmsg with several messages).
 */
static __always_inline bool copy_from_syscall(struct pending_send *p, long nr, __u64 a1, __u64 a2)
{
	if (nr == SW_NR_write || nr == SW_NR_sendto)
		copy_user(p, (const void *)a1, a2);
	else if (nr == SW_NR_writev)
		copy_iov(p, (const struct iovec *)a1, a2);
	else if (nr == SW_NR_sendmsg)
		copy_msghdr(p, (const struct user_msghdr *)a1);
	else if (nr == SW_NR_sendmmsg && a2 == 1)
		/* One message: unambiguous. With several, which one is being
		 * sent is not visible here. */
		copy_msghdr(p, (const struct user_msghdr *)a1);
	else
		return false;
	return true;
}

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tier "syscall-tp": the last fallback, for kernels without the socket-layer
 * tracepoints (e.g. Debian's 6.1) and without fentry/LSM.
 *
 * Raw syscall tracepoints (tp_btf/sys_enter, sys_exit: no tracefs needed).
 * Known costs and blind spots, stated in the README tier matrix:
 *  - every syscall on the host takes the slow path while attached;
 *  - io_uring submissions are invisible (no syscall per send);
 *  - the payload is read from the caller's memory at sys_exit (after the
 *    kernel faulted it in and copied it), which another thread of the
 *    caller can rewrite in between: it is not the kernel's copy;
 *  - sendmmsg: only the first message's bytes are shown;
 *  - a failed connect's path is likewise read from user memory.
 * In exchange it knows the exact fd and the syscall's return value.
 */
#define SW_THIS_TIER SW_TIER_SYSCALL_TP
#include "common.bpf.h"
#include "connect_attempt.bpf.h"
#include "user_payload.bpf.h"
#include "process.bpf.h"

/* Syscall numbers and argument registers per architecture: syscall_arch.bpf.h
 * (included by user_payload.bpf.h). */

enum { ARG_BUF = 1, ARG_IOV = 2, ARG_MSG = 3, ARG_MMSG = 4, ARG_CONNECT = 5 };

static __always_inline bool interesting(long id)
{
	return id == SW_NR_write || id == SW_NR_writev || id == SW_NR_connect || id == SW_NR_sendto ||
	       id == SW_NR_sendmsg || id == SW_NR_sendmmsg;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(tp_btf__sys_enter, struct pt_regs *regs, long id)
{
	if (!interesting(id) || is_self())
		return 0;
	int fd = (int)SW_SYSCALL_ARG0(regs);
	struct sock *sk = fd_unix_sock(fd);
	if (!sk)
		return 0;
	__u64 a1 = SW_SYSCALL_ARG1(regs), a2 = SW_SYSCALL_ARG2(regs);

	if (id != SW_NR_connect) {
		/* A send: only into a connection whose daemon side is watched. */
		struct scratch *s = get_scratch();
		if (!s)
			return 0;
		struct sock *peer;
		struct sw_watch_val *w = watched_peer(sk, s, &peer);
		if (!w)
			return 0;
		struct pending_send *p = pending_for_current();
		if (!p)
			return 0;
		begin_send(p, &s->key, w, sk, fd, sock_file_ino(sk));
		p->arg_fd = fd;
		/* The bytes are read at sys_exit: before the call, pages of the
		 * buffer may not be faulted in yet (a forked child's .rodata), and
		 * probe reads cannot fault. */
		p->arg_kind = ARG_BUF;
		p->arg_nr = id;
		p->arg_ptr = a1;
		p->arg_len = a2;
		return 0;
	}

	struct pending_send *p = pending_for_current();
	if (!p)
		return 0;
	p->arg_kind = ARG_CONNECT;
	p->arg_fd = fd;
	p->arg_ptr = a1;
	p->arg_len = a2;
	p->client_sk = (__u64)sk;
	p->active = 1;
	return 0;
}

static __always_inline int connect_returned(struct pending_send *p, long ret)
{
	struct sock *sk = (struct sock *)p->client_sk;
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct sw_event *ev = &s->ev;

	if (ret == 0 || ret == -SW_EINPROGRESS) {
		struct sock *peer;
		struct sw_watch_val *w = watched_peer(sk, s, &peer);
		if (!w)
			return 0;
		__builtin_memset(ev, 0, sizeof(*ev));
		fill_task(ev);
		ev->type = SW_EV_CONNECT;
		ev->tier = SW_THIS_TIER;
		set_sock_identity(ev, &s->key, w);
		ev->flags |= SW_F_RESULT_KNOWN;
		ev->result = ret;
		ev->fd = p->arg_fd;
		ev->client_sock_ino = sock_file_ino(sk);
		emit(ev, 0, 0);
		return 0;
	}

	/* Refused: only the address the caller passed is left to go on. */
	__u32 plen = p->arg_len > 2 ? p->arg_len - 2 : 0;
	if (plen > SW_UNIX_PATH_MAX)
		plen = SW_UNIX_PATH_MAX;
	__builtin_memset(s->payload, 0, 128);
	if (!plen || bpf_probe_read_user(s->payload, clamp_size(plen, SW_UNIX_PATH_MAX), (const char *)p->arg_ptr + 2))
		return 0;
	__u32 flags = SW_F_RESULT_KNOWN, watch_id = 0;
	if (!match_connect_path(s, &plen, sk, &flags, &watch_id))
		return 0;
	__builtin_memset(ev, 0, sizeof(*ev));
	fill_task(ev);
	ev->type = SW_EV_CONNECT_ATTEMPT;
	ev->tier = SW_THIS_TIER;
	ev->flags = flags;
	ev->watch_id = watch_id;
	ev->result = ret;
	ev->fd = p->arg_fd;
	ev->client_sock_ino = sock_file_ino(sk);
	emit(ev, plen, SW_UNIX_PATH_MAX);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tp_btf__sys_exit, struct pt_regs *regs, long ret)
{
	if (!interesting(SW_SYSCALL_NR(regs)))
		return 0;
	struct pending_send *p = pending_of_current();
	if (!p || !p->active)
		return 0;
	p->active = 0;
	if (p->arg_kind == ARG_CONNECT)
		return connect_returned(p, ret);

	if (p->arg_nr == SW_NR_sendmmsg) {
		/* The first message's bytes; later ones are counted, not shown. */
		copy_msghdr(p, (const struct user_msghdr *)p->arg_ptr);
		if (p->arg_len > 1)
			p->ev.flags |= SW_F_PAYLOAD_PARTIAL;
		ret = ret > 0 ? p->captured : ret; /* sendmmsg returns a message count */
	} else {
		copy_from_syscall(p, p->arg_nr, p->arg_ptr, p->arg_len);
	}
	p->ev.result = ret;
	p->ev.flags |= SW_F_RESULT_KNOWN;
	p->ev.bytes = ret > 0 ? (__u64)ret : 0;
	/* Read at sys_exit from the arguments: a short write sent less than was read. */
	__u32 got = settle_payload(p, ret, true);
	emit(p, got, SW_PAYLOAD_MAX);
	return 0;
}

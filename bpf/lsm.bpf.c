/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tier "lsm": BPF LSM hooks (the kernel must list "bpf" in its active LSMs,
 * /sys/kernel/security/lsm) plus fexit trampolines for results.
 *
 *   lsm/unix_stream_connect  identity by the listener the kernel resolved;
 *                            enforcement denies here (EPERM in the caller)
 *   lsm/socket_sendmsg       every send path, io_uring included
 *   fexit/unix_stream_connect, fexit/unix_stream_sendmsg  results
 *   cgroup/connect_unix      refused attempts (Linux >= 6.7; optional)
 * Bodies in stream_hooks.bpf.h, shared with the fentry tier.
 */
#define SW_THIS_TIER SW_TIER_LSM
#include "common.bpf.h"
#include "connect_attempt.bpf.h"
#include "stream_hooks.bpf.h"
#include "process.bpf.h"

SEC("lsm/unix_stream_connect")
int BPF_PROG(lsm__unix_stream_connect, struct sock *sock, struct sock *other, struct sock *newsk, int ret)
{
	if (ret)
		return ret; /* another LSM already refused it */
	return on_stream_connect(sock, other);
}

SEC("lsm/socket_sendmsg")
int BPF_PROG(lsm__socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	if (ret)
		return ret;
	on_stream_sendmsg(sock, msg, size);
	return 0;
}

SEC("fexit/unix_stream_connect")
int BPF_PROG(fexit__unix_stream_connect, struct socket *sock, struct sockaddr *uaddr, int addr_len, int flags,
	     int ret)
{
	return on_stream_connect_return(sock, ret);
}

SEC("fexit/unix_stream_sendmsg")
int BPF_PROG(fexit__unix_stream_sendmsg, struct socket *sock, struct msghdr *msg, size_t len, int ret)
{
	return on_stream_sendmsg_return(sock, ret);
}

SEC("cgroup/connect_unix")
int cgroup__connect_unix(struct bpf_sock_addr *ctx)
{
	return report_connect_attempt(ctx, false); /* enforcement is by inode, in the LSM hook */
}

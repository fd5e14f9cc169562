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

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tier "fentry": BTF trampolines on the functions behind the LSM hooks, for
 * kernels with trampolines but without "bpf" among the active LSMs.
 *
 *   fmod_ret/security_unix_stream_connect  identity by the resolved listener;
 *                            enforcement overrides the return value (the
 *                            verifier allows fmod_ret on security_* functions)
 *   fentry/security_socket_sendmsg         every send path, io_uring included
 *   fexit/unix_stream_connect, fexit/unix_stream_sendmsg  results
 *   cgroup/connect_unix      refused attempts (Linux >= 6.7; optional)
 * Bodies in stream_hooks.bpf.h, shared with the lsm tier.
 */
#define SW_THIS_TIER SW_TIER_FENTRY
#include "common.bpf.h"
#include "connect_attempt.bpf.h"
#include "stream_hooks.bpf.h"
#include "process.bpf.h"

SEC("fmod_ret/security_unix_stream_connect")
int BPF_PROG(fmod_ret__security_unix_stream_connect, struct sock *sock, struct sock *other, struct sock *newsk,
	     int ret)
{
	if (ret)
		return ret;
	return on_stream_connect(sock, other);
}

SEC("fentry/security_socket_sendmsg")
int BPF_PROG(fentry__security_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size)
{
	return on_stream_sendmsg(sock, msg, size);
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
	return report_connect_attempt(ctx, false); /* enforcement is by inode, in the connect hook */
}

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

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The observation points of the "lsm" and "fentry" tiers: the same bodies,
 * attached as BPF LSM hooks (lsm.bpf.c) or as trampolines on the security_*
 * functions behind them (fentry.bpf.c).
 *
 *  connect: the unix_stream_connect security hook runs after the kernel
 *           resolved the path to the listener ('other'): identity is the
 *           listener's inode, exact and race-free, whatever alias, symlink,
 *           relative path or /proc/PID/root path the caller used. Enforcement
 *           denies here. fexit/unix_stream_connect reports the result.
 *  send:    the socket_sendmsg security hook sees every send path (write,
 *           writev, send*, sendmmsg, io_uring, splice) and remembers where
 *           the bytes are; fexit/unix_stream_sendmsg reads them from the
 *           caller's buffer once the kernel has copied (and faulted in)
 *           them, and closes the record with the bytes accepted. A second
 *           thread of the caller can rewrite its buffer between the kernel's
 *           copy and this read (README tier matrix); bytes in kernel pages
 *           (splice, io_uring fixed buffers) are not readable and flagged.
 *  reply:   the daemon's own sends on an accepted watched connection.
 */
#ifndef SOCKWARDEN_STREAM_HOOKS_BPF_H
#define SOCKWARDEN_STREAM_HOOKS_BPF_H

#include "common.bpf.h"
#include "enforce.bpf.h"
#include "user_payload.bpf.h"
#include "connect_attempt.bpf.h"

#define SW_ARG_STREAM_CONNECT 7
#define SW_ARG_STREAM_SEND 8

/* 6.1 names the iovec pointer 'iov'; 6.4+ '__iov'. */
struct iov_iter___iov {
	const struct iovec *iov;
} __attribute__((preserve_access_index));

/* Before 5.14 ("iov_iter: separate direction from flavour") the flavour and
 * the direction share 'unsigned int type': ITER_IOVEC == 4 ... | READ/WRITE
 * in bit 0. From 5.14 the flavour is 'u8 iter_type'. */
struct iov_iter___type {
	unsigned int type;
} __attribute__((preserve_access_index));

static __always_inline __u32 msg_iter_type(struct msghdr *msg)
{
	struct iov_iter *it = &msg->msg_iter;
	if (bpf_core_field_exists(it->iter_type))
		return BPF_CORE_READ(it, iter_type);
	return BPF_CORE_READ((struct iov_iter___type *)it, type) & ~1u;
}

/*
 * connect(): 'sk' is the caller's socket, 'other' the listener it reached.
 * Returns 0 to allow, -EPERM to deny.
 */
static __always_inline int on_stream_connect(struct sock *sk, struct sock *other)
{
	if (is_self())
		return 0;
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct sw_watch_val *w = watched_identity(other, &s->key);
	if (!w)
		return 0;

	if (policy_denies()) {
		struct sw_event *ev = &s->ev;
		__builtin_memset(ev, 0, sizeof(*ev));
		fill_task(ev);
		ev->type = SW_EV_CONNECT;
		ev->tier = SW_THIS_TIER;
		set_sock_identity(ev, &s->key, w);
		ev->flags |= SW_F_RESULT_KNOWN | SW_F_DENIED;
		ev->result = -SW_EPERM;
		ev->fd = find_fd(sk);
		if (ev->fd < 0)
			ev->flags |= SW_F_FD_UNKNOWN;
		ev->client_sock_ino = sock_file_ino(sk);
		emit(ev, 0, 0);
		return -SW_EPERM;
	}

	/* Reported when the connect returns, with its result. */
	struct pending_send *p = pending_for_current();
	if (!p)
		return 0;
	__builtin_memset(&p->ev, 0, sizeof(p->ev));
	fill_task(&p->ev);
	p->ev.type = SW_EV_CONNECT;
	p->ev.tier = SW_THIS_TIER;
	set_sock_identity(&p->ev, &s->key, w);
	p->client_sk = (__u64)sk;
	p->arg_kind = SW_ARG_STREAM_CONNECT;
	p->active = 1;
	return 0;
}

static __always_inline int on_stream_connect_return(struct socket *sock, int ret)
{
	struct pending_send *p = pending_of_current();
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!p || !p->active || p->arg_kind != SW_ARG_STREAM_CONNECT || p->client_sk != (__u64)sk)
		return 0;
	p->active = 0;
	p->ev.flags |= SW_F_RESULT_KNOWN;
	p->ev.result = ret;
	p->ev.fd = find_fd(sk);
	if (p->ev.fd < 0)
		p->ev.flags |= SW_F_FD_UNKNOWN;
	p->ev.client_sock_ino = sock_file_ino(sk);
	emit(p, 0, 0);
	return 0;
}

enum { SW_ITER_UNREADABLE = 0, SW_ITER_UBUF = 1, SW_ITER_IOVEC = 2 };

/*
 * Remember where a sendmsg's bytes are (its iov_iter, as the hook sees it,
 * before the kernel consumes it). They are read when the send returns: by
 * then the kernel has faulted the caller's pages in, while at the hook a
 * buffer never touched yet (a forked child's .rodata) cannot be read, since
 * BPF probe reads cannot fault.
 */
static __always_inline void remember_msg_iter(struct pending_send *p, struct msghdr *msg, __u64 size)
{
	__u32 type = msg_iter_type(msg);
	p->arg_off = BPF_CORE_READ(msg, msg_iter.iov_offset);
	p->arg_len = size;
	p->arg_nr = SW_ITER_UNREADABLE;
	if (bpf_core_enum_value_exists(enum iter_type, ITER_UBUF) &&
	    type == bpf_core_enum_value(enum iter_type, ITER_UBUF)) {
		p->arg_ptr = (__u64)BPF_CORE_READ(msg, msg_iter.ubuf);
		p->arg_nr = SW_ITER_UBUF;
	} else if (type == bpf_core_enum_value(enum iter_type, ITER_IOVEC)) {
		struct iov_iter *it = &msg->msg_iter;
		if (bpf_core_field_exists(struct iov_iter___iov, iov))
			p->arg_ptr = (__u64)BPF_CORE_READ((struct iov_iter___iov *)it, iov);
		else
			p->arg_ptr = (__u64)BPF_CORE_READ(it, __iov);
		p->arg_fd = BPF_CORE_READ(msg, msg_iter.nr_segs);
		p->arg_nr = SW_ITER_IOVEC;
	}
	/* else kvec/bvec/folio: kernel pages (splice, sendfile, io_uring fixed buffers) */
}

/* Copy up to 'want' bytes from the remembered iov_iter (see above). */
static __always_inline void copy_remembered(struct pending_send *p, __u64 want)
{
	if (p->arg_nr == SW_ITER_UBUF) {
		copy_user(p, (const __u8 *)p->arg_ptr + p->arg_off, want);
	} else if (p->arg_nr == SW_ITER_IOVEC) {
		/* The iovec array is the kernel's copy (still alive: we are inside
		 * the send); the buffers it points to are the caller's. */
		const struct iovec *iov = (const struct iovec *)p->arg_ptr;
		__u64 nr = p->arg_fd, off = p->arg_off;
		for (int i = 0; i < SW_MAX_IOV; i++) {
			if (i >= nr || (p->ev.flags & SW_F_PAYLOAD_PARTIAL) || p->captured >= want)
				break;
			struct iovec v = {};
			if (bpf_probe_read_kernel(&v, sizeof(v), iov + i)) {
				p->ev.flags |= SW_F_PAYLOAD_PARTIAL;
				break;
			}
			if (i == 0 && off < (__u64)v.iov_len) {
				v.iov_base = (__u8 *)v.iov_base + off;
				v.iov_len -= off;
			}
			__u64 left = want - p->captured;
			copy_user(p, v.iov_base, v.iov_len < left ? v.iov_len : left);
		}
		if (nr > SW_MAX_IOV && p->captured < want)
			p->ev.flags |= SW_F_PAYLOAD_PARTIAL;
	} else if (want) {
		p->ev.flags |= SW_F_PAYLOAD_PARTIAL;
	}
}

/* The daemon answering on an accepted connection of a watched socket. */
static __always_inline int on_daemon_send(struct sock *sk, struct msghdr *msg, __u64 size,
					  const struct sw_watch_key *key, const struct sw_watch_val *w)
{
	struct sock *client = BPF_CORE_READ((struct unix_sock *)sk, peer);
	if (!client)
		return 0;
	struct pending_send *p = pending_for_current();
	if (!p)
		return 0;
	begin_send(p, key, w, client, -1, sock_file_ino(client));
	p->ev.type = SW_EV_REPLY;
	p->ev.flags &= ~SW_F_FD_UNKNOWN;
	p->ev.fd = -1;
	p->ev.client_sock_ino = sock_file_ino(client);
	p->client_sk = (__u64)sk; /* matched again on return: the daemon's side */
	p->arg_kind = SW_ARG_STREAM_SEND;
	remember_msg_iter(p, msg, size);
	return 0;
}

static __always_inline int on_stream_sendmsg(struct socket *sock, struct msghdr *msg, __u64 size)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk || BPF_CORE_READ(sk, __sk_common.skc_family) != AF_UNIX || is_self())
		return 0;
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	/* An accepted socket carries its listener's identity: the daemon is sending. */
	struct sw_watch_val *w = watched_identity(sk, &s->key);
	if (w) {
		struct sw_watch_key key = s->key;
		struct sw_watch_val val = *w;
		return on_daemon_send(sk, msg, size, &key, &val);
	}
	struct sock *peer;
	w = watched_peer(sk, s, &peer);
	if (!w)
		return 0;
	struct pending_send *p = pending_for_current();
	if (!p)
		return 0;
	__s32 fd = find_fd(sk);
	begin_send(p, &s->key, w, sk, fd, sock_file_ino(sk));
	p->arg_kind = SW_ARG_STREAM_SEND;
	remember_msg_iter(p, msg, size);
	return 0;
}

static __always_inline int on_stream_sendmsg_return(struct socket *sock, int ret)
{
	struct pending_send *p = pending_of_current();
	if (!p || !p->active || p->arg_kind != SW_ARG_STREAM_SEND || p->client_sk != (__u64)BPF_CORE_READ(sock, sk))
		return 0;
	p->active = 0;
	p->ev.result = ret;
	p->ev.flags |= SW_F_RESULT_KNOWN;
	p->ev.bytes = ret > 0 ? (__u64)ret : 0;
	/* Only what the send accepted, up to the capture cap (the reply cap for the daemon). */
	__u32 cap = payload_cap > SW_PAYLOAD_MAX ? SW_PAYLOAD_MAX : payload_cap;
	if (p->ev.type == SW_EV_REPLY)
		cap = reply_cap > SW_REPLY_MAX ? SW_REPLY_MAX : reply_cap;
	if (ret > 0)
		copy_remembered(p, (__u64)ret < cap ? (__u64)ret : cap);
	__u32 got = settle_payload(p, ret, true);
	if (p->ev.type == SW_EV_REPLY) {
		/* Only the start of an HTTP/1.x response, as in the socket tier:
		 * streamed bodies (logs, events) would flood the ring. */
		if (ret <= 0 || got < 5 || p->payload[0] != 'H' || p->payload[1] != 'T' || p->payload[2] != 'T' ||
		    p->payload[3] != 'P' || p->payload[4] != '/')
			return 0;
		p->ev.flags &= ~(SW_F_PAYLOAD_NONE | SW_F_TRUNCATED); /* only the status line is wanted */
		emit(p, got, SW_REPLY_MAX);
		return 0;
	}
	emit(p, got, SW_PAYLOAD_MAX);
	return 0;
}

/* The result hooks and the attempt hook are the same in both tiers. */
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

/* Refused attempts (Linux >= 6.7; left out before, see bpf_tier.cpp, and
 * not built into the 5.10 variant). The tier enforces by inode in its
 * connect hook, not here. */
#ifndef SW_COMPAT_510
SEC("cgroup/connect_unix")
int cgroup__connect_unix(struct bpf_sock_addr *ctx)
{
	return report_connect_attempt(ctx, false);
}
#endif

#endif

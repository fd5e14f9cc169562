/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tier "socket-tp": socket-layer BTF tracepoints (kernel >= 6.7 with
 * cgroup/connect_unix; both tracepoints exist on 6.12 and 6.18, not 6.1).
 *
 * Why these hooks: they fire only on socket activity, so unrelated syscalls
 * pay nothing (measured ~1.00x on a null write(2) loop), unlike syscall
 * tracepoints, which move every task to the slow syscall path.
 *
 *  - tp_btf/sk_data_ready fires in the *sender's* context, right after the
 *    sender queued an skb on the receiver:
 *      on a listener     -> a connect reached it (the embryo socket is queued)
 *      on an accepted sk -> the client wrote: the skb is the queue's tail
 *      on a client sk    -> the daemon replied
 *    The bytes read are the kernel's copy in the skb, not user memory the
 *    caller could rewrite after the hook ran.
 *  - tp_btf/sock_send_length fires when the send returns, for every send
 *    path (write, writev, sendto, sendmsg, sendmmsg, io_uring, splice): it
 *    closes the per-task record of one write and submits it.
 */
#ifdef SW_COMPAT_510
#error "socket-tp has no 5.10 variant: its hooks exist from Linux 6.7"
#endif
#define SW_THIS_TIER SW_TIER_SOCKET_TP
#define SW_KEEP_ATTEMPT /* cgroup/connect_unix keeps its record for on_listener: take_attempt */
#include "common.bpf.h"
#include "connect_attempt.bpf.h"
#include "enforce.bpf.h"
#include "user_payload.bpf.h"
#include "process.bpf.h"

/*
 * Direct loads (issue 18). BPF_CORE_READ makes one bpf_probe_read_kernel()
 * call per pointer hop; through a bpf_core_cast() view each field is one
 * fault-safe load instead (a NULL on the way reads as 0, as a failed helper
 * read did). A watched request paid ~50 helper reads over its three
 * sk_data_ready runs; the identity, peer, socket-inode (common.bpf.h's
 * sock_file_ino_direct) and skb-field reads were most of them. bpf_core_cast
 * needs the bpf_rdonly_cast kfunc (6.2) and this tier needs 6.7, so only this
 * tier uses them: common.bpf.h's versions also serve lsm and fentry on 5.10-6.1.
 */
static __always_inline struct sw_watch_val *watched_identity_fast(const struct sock *sk, struct sw_watch_key *key)
{
	struct unix_sock *u = bpf_core_cast(sk, struct unix_sock);
	struct dentry *dentry = u->path.dentry;
	if (!dentry)
		return watched_identity(sk, key); /* abstract or unbound: the helper path */
	struct inode *inode = dentry->d_inode;
	/* Only kind, dev and ino are read for a path socket (set_sock_identity,
	 * lookup_watch): the name stays as it was. */
	key->kind = SW_WATCH_PATH;
	key->ino = inode->i_ino;
	key->dev = inode->i_sb->s_dev;
	return lookup_watch(key);
}

static __always_inline struct sock *unix_peer_fast(const struct sock *sk)
{
	return bpf_core_cast(sk, struct unix_sock)->peer;
}

static __always_inline struct sock *skb_owner(const struct sk_buff *skb)
{
	return bpf_core_cast(skb, struct sk_buff)->sk;
}

/* The tail skb of a receive queue, or NULL if the queue is empty (the
 * receiver may already have dequeued it on another CPU). */
static __always_inline struct sk_buff *queue_tail(const struct sock *sk)
{
	void *head = (void *)sk + bpf_core_field_offset(struct sock, sk_receive_queue);
	struct sk_buff *skb = bpf_core_cast(sk, struct sock)->sk_receive_queue.prev;
	return (void *)skb == head ? NULL : skb;
}

/* Copy up to 'want' bytes of an skb's linear area. Page frags are not
 * readable from here. */
static __always_inline __u32 copy_skb_head(__u8 *dst, __u32 room, const struct sk_buff *skb, __u32 want,
					   bool *partial)
{
	struct sk_buff *b = bpf_core_cast(skb, struct sk_buff);
	__u32 len = b->len;
	__u32 data_len = b->data_len;
	__u32 head = len > data_len ? len - data_len : 0;
	__u32 n = head < want ? head : want;

	n = clamp_size(n, room);
	if (n && bpf_probe_read_kernel(dst, clamp_size(n, room), b->data))
		n = 0;
	*partial = n < want && n < len;
	return n;
}

/*
 * A connect reported by cgroup/connect_unix reaches its listener later in
 * the same connect() (same task, same socket), usually on the same CPU, so
 * the attempt record on this CPU's scratch already holds the caller's
 * identity, fd and socket inode: the connect record copies them instead of
 * reading them again (issue 18: identity, fd walk and clock were ~0.2 us of
 * the listener hook's ~0.55). Only when it is that task's, that socket's and
 * recent: a connect that slept on a full backlog, or a retry on the same
 * socket through a path the attempt hook did not match, reads them afresh,
 * so the record's time stays the time the connect got through.
 */
/* "Recent" in jiffies (bpf_ktime_get_coarse_ns is not allowed in tracing
 * programs): at most 2 ticks apart, 2-12 ms with HZ 1000-250. */
#define SW_ATTEMPT_REUSE_JIFFIES 2

static __always_inline bool take_attempt(struct scratch *s, const struct sock *client)
{
	__u64 sk = s->attempt_sk;
	s->attempt_sk = 0; /* one use */
	if (!sk || sk != (__u64)client)
		return false;
	if (s->attempt.pid != (__u32)bpf_get_current_pid_tgid())
		return false;
	return bpf_jiffies64() - s->attempt_jiffies <= SW_ATTEMPT_REUSE_JIFFIES;
}

/* A connect reached a watched listener; 'current' is the connecting task. */
static __always_inline int on_listener(const struct sock *listener)
{
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct sw_watch_val *w = watched_identity_fast(listener, &s->key);
	if (!w)
		return 0;

	/*
	 * unix_stream_connect() queues an skb owned by the new server-side
	 * ("embryo") socket, whose peer is the caller's socket. Another connect
	 * may have queued behind ours before this hook ran, so match the embryo
	 * whose peer credentials (set from current's tgid) are ours.
	 */
	void *head = (void *)listener + bpf_core_field_offset(struct sock, sk_receive_queue);
	struct pid *me = bpf_get_current_task_btf()->signal->pids[PIDTYPE_TGID];
	struct sk_buff *skb = bpf_core_cast(listener, struct sock)->sk_receive_queue.prev;
	struct sock *client = NULL;
	for (int i = 0; i < 8; i++) {
		if (!skb || (void *)skb == head)
			break;
		struct sk_buff *b = bpf_core_cast(skb, struct sk_buff);
		struct sock *embryo = b->sk;
		if (embryo && bpf_core_cast(embryo, struct sock)->sk_peer_pid == me) {
			client = bpf_core_cast(embryo, struct unix_sock)->peer;
			break;
		}
		skb = b->prev;
	}
	/* The daemon accepted (dequeued) the embryo on another CPU before this
	 * hook ran: the caller's socket is the one its connect() names. */
	if (!client)
		client = current_syscall_sock();

	struct sw_event *ev = &s->ev;
	if (client && take_attempt(s, client)) {
		/* Identity, time, fd and socket inode as the attempt read them. */
		__builtin_memcpy(ev, &s->attempt, sizeof(*ev));
		ev->flags &= SW_F_FD_UNKNOWN;
		ev->result = 0;
		ev->bytes = 0;
	} else {
		__builtin_memset(ev, 0, sizeof(*ev));
		fill_task(ev);
		ev->fd = client ? find_fd_direct(client) : -1;
		if (ev->fd < 0)
			ev->flags |= SW_F_FD_UNKNOWN;
		ev->client_sock_ino = client ? sock_file_ino_direct(client) : 0;
	}
	ev->type = SW_EV_CONNECT;
	ev->tier = SW_THIS_TIER;
	set_sock_identity(ev, &s->key, w);
	ev->flags |= SW_F_RESULT_KNOWN; /* it reached the listener: the connect succeeded */
	emit(ev, 0, 0);
	return 0;
}

/* First bytes of the write from the caller's memory (see user_payload.bpf.h);
 * flags the gap when the send path has no plain syscall arguments (io_uring). */
static __always_inline int copy_first_from_user(struct pending_send *p)
{
	struct syscall_args a = current_syscall();
	p->captured = 0;
	if (copy_from_syscall(p, a.nr, a.a1, a.a2)) {
		p->ev.flags |= SW_F_PAYLOAD_USER;
		return 0;
	}
	p->ev.flags |= SW_F_PAYLOAD_PARTIAL;
	count(SW_CNT_PAYLOAD_PARTIAL);
	return 0;
}

/* The client wrote into a watched connection; 'sk' is the daemon's accepted socket. */
static __always_inline int on_server_side(const struct sock *sk, const struct sw_watch_key *key,
					  const struct sw_watch_val *w)
{
	struct sock *client = unix_peer_fast(sk);
	/* The daemon may already have read, answered and closed its side. */
	if (!client)
		client = current_syscall_sock();
	if (!client)
		return 0;
	struct pending_send *p = pending_for_current();
	if (!p)
		return 0;
	if (!p->active || p->client_sk != (__u64)client)
		begin_send(p, key, w, client, find_fd_direct(client), sock_file_ino_direct(client)); /* first skb of a new write */

	struct sk_buff *skb = queue_tail(sk);
	bool ours = skb && skb_owner(skb) == client;
	if (ours)
		p->skb_bytes += bpf_core_cast(skb, struct sk_buff)->len;
	/* Once a gap exists, later bytes would be spliced onto the wrong offset. */
	if (p->ev.flags & (SW_F_PAYLOAD_PARTIAL | SW_F_PAYLOAD_USER))
		return 0;
	__u32 cap = payload_cap > SW_PAYLOAD_MAX ? SW_PAYLOAD_MAX : payload_cap;
	__u32 got = p->captured;
	if (got >= cap)
		return 0;

	/*
	 * The first part of a write whose kernel copy is out of reach: the
	 * daemon already dequeued the skb on another CPU, or its bytes are in
	 * page frags. Read the caller's buffer through the syscall arguments.
	 */
	if (got == 0 && (!ours || bpf_core_cast(skb, struct sk_buff)->data_len > 0))
		return copy_first_from_user(p);
	if (!ours) {
		p->ev.flags |= SW_F_PAYLOAD_PARTIAL;
		count(SW_CNT_PAYLOAD_PARTIAL);
		return 0;
	}
	bool partial = false;
	__u32 n = copy_skb_head(&p->payload[got & (SW_PAYLOAD_MAX - 1)], SW_PAYLOAD_MAX, skb, cap - got, &partial);
	/*
	 * The daemon may have dequeued and freed the skb while we copied it. If
	 * it is no longer the tail of the queue (with us as its owner), the bytes
	 * just read cannot be trusted: take the caller's buffer instead, or flag
	 * the gap for a later part of the write.
	 */
	if (queue_tail(sk) != skb || skb_owner(skb) != client) {
		if (got == 0)
			return copy_first_from_user(p);
		p->ev.flags |= SW_F_PAYLOAD_PARTIAL;
		count(SW_CNT_PAYLOAD_PARTIAL);
		return 0;
	}
	p->captured = got + n;
	if (partial) {
		p->ev.flags |= SW_F_PAYLOAD_PARTIAL;
		count(SW_CNT_PAYLOAD_PARTIAL);
	}
	return 0;
}

/* The daemon answered on a watched connection; 'sk' is the client's socket. */
static __always_inline int on_client_side(const struct sock *sk)
{
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct sock *server = unix_peer_fast(sk);
	if (!server)
		return 0;
	struct sw_watch_val *w = watched_identity_fast(server, &s->key);
	if (!w)
		return 0;
	struct sk_buff *skb = queue_tail(sk);
	bool partial = false;
	__u32 cap = reply_cap > SW_REPLY_MAX ? SW_REPLY_MAX : reply_cap;
	__u32 n = 0;
	__u64 len = 0;
	if (skb && skb_owner(skb) == server) {
		n = copy_skb_head(s->payload, SW_REPLY_MAX, skb, cap, &partial);
		len = bpf_core_cast(skb, struct sk_buff)->len;
		if (queue_tail(sk) != skb)
			n = 0; /* dequeued while we read it */
	}
	if (n == 0) {
		/* The client already read the reply: take the daemon's own write
		 * arguments ('current' is the daemon). */
		struct syscall_args a = current_syscall();
		const void *buf = NULL;
		if (a.nr == SW_NR_write || a.nr == SW_NR_sendto) {
			buf = (const void *)a.a1;
			len = a.a2;
		} else if (a.nr == SW_NR_writev) {
			struct iovec v = {};
			bpf_probe_read_user(&v, sizeof(v), (const void *)a.a1);
			buf = v.iov_base;
			len = v.iov_len;
		}
		if (buf && bpf_probe_read_user(s->payload, clamp_size(cap < len ? cap : len, SW_REPLY_MAX), buf) == 0)
			n = cap < len ? cap : len;
	}
	/* Only the start of an HTTP/1.x response: streamed bodies (logs, events)
	 * would otherwise flood the ring with bytes nobody asked for. */
	if (n < 5 || s->payload[0] != 'H' || s->payload[1] != 'T' || s->payload[2] != 'T' ||
	    s->payload[3] != 'P' || s->payload[4] != '/')
		return 0;
	struct sw_event *ev = &s->ev;
	__builtin_memset(ev, 0, sizeof(*ev));
	fill_task(ev);
	ev->type = SW_EV_REPLY;
	ev->tier = SW_THIS_TIER;
	set_sock_identity(ev, &s->key, w);
	ev->fd = -1;
	ev->client_sock_ino = sock_file_ino_direct(sk);
	ev->bytes = len;
	emit(ev, n, SW_REPLY_MAX);
	return 0;
}

/*
 * cgroup/connect_unix (kernel >= 6.7) runs for every unix connect in the
 * attached cgroup subtree *before* the kernel resolves the path, so it also
 * sees attempts that will be refused (EACCES on the socket file, no
 * listener). A success follows as SW_EV_CONNECT from the listener hook;
 * userspace pairs the two by the caller's socket inode.
 *
 * It is also this tier's only place to enforce, and it can only go by the
 * path string: a denied caller is one whose path's basename names a watched
 * socket. An alias with another file name (a symlink, a bind mount named
 * differently) is not recognised before the kernel resolves it, so this
 * enforcement is a speed bump, not a boundary: doctor and the README say so.
 */
SEC("cgroup/connect_unix")
int cgroup__connect_unix(struct bpf_sock_addr *ctx)
{
	return report_connect_attempt(ctx, true);
}

SEC("tp_btf/sk_data_ready")
int BPF_PROG(tp_btf__sk_data_ready, const struct sock *sk)
{
	/*
	 * This program fires on every socket's data-ready, so its reject path
	 * is the tier's cost for unrelated traffic. It uses direct loads: sk is
	 * a BTF pointer (tp_btf), and bpf_core_cast (the bpf_rdonly_cast kfunc,
	 * resolved by the verifier, no call at run time) turns it into a
	 * read-only unix_sock view whose loads are single fault-safe
	 * instructions, instead of one bpf_probe_read_kernel() helper call per
	 * field as BPF_CORE_READ does.
	 */
	if (sk->__sk_common.skc_family != AF_UNIX || is_self())
		return 0;
	if (sk->__sk_common.skc_state == TCP_LISTEN)
		return on_listener(sk);
	/*
	 * The cheap reject for unrelated traffic (socketpairs, unbound clients of
	 * unbound peers), which fires this program on every unix send: a watched
	 * connection always has an address on one end (the daemon's accepted
	 * socket inherits the listener's), so if neither end has one, skip the
	 * scratch lookup and both identity walks below.
	 */
	struct unix_sock *u = bpf_core_cast(sk, struct unix_sock);
	if (!u->addr) {
		struct sock *peer_sk = u->peer;
		if (!peer_sk)
			return 0;
		struct unix_sock *peer = bpf_core_cast(peer_sk, struct unix_sock);
		if (!peer->addr)
			return 0;
	}

	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct sw_watch_val *w = watched_identity_fast(sk, &s->key);
	if (w) {
		struct sw_watch_key key = s->key;
		struct sw_watch_val val = *w;
		return on_server_side(sk, &key, &val);
	}
	return on_client_side(sk);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(tp_btf__sock_send_length, struct sock *sk, int ret, int flags)
{
	/* Every socket send of the machine passes here: TCP/UDP leave at once. */
	if (sk->__sk_common.skc_family != AF_UNIX)
		return 0;
	struct pending_send *p = pending_of_current();
	if (!p || !p->active || p->client_sk != (__u64)sk)
		return 0;
	p->active = 0;
	p->ev.result = ret;
	p->ev.flags |= SW_F_RESULT_KNOWN;
	p->ev.bytes = ret > 0 ? (__u64)ret : p->skb_bytes;
	/* A user-memory copy may have read past what the send accepted. */
	__u32 got = settle_payload(p, ret, p->ev.flags & SW_F_PAYLOAD_USER);
	emit(p, got, SW_PAYLOAD_MAX);
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Matching a connect *attempt* by the address the caller passed, before (or
 * without) the kernel resolving it: used by cgroup/connect_unix in the
 * socket tier and by sys_exit(connect) failures in the syscall tier.
 * Abstract names are matched exactly (netns + name is their identity),
 * filesystem paths by basename; userspace resolves the path to an inode
 * before reporting it.
 */
#ifndef SOCKWARDEN_CONNECT_ATTEMPT_BPF_H
#define SOCKWARDEN_CONNECT_ATTEMPT_BPF_H

#include "common.bpf.h"
#include "enforce.bpf.h"

struct path_scan {
	struct scratch *s;
	__u32 len;   /* in: the bytes the caller passed; out: up to the first NUL */
	__u32 start; /* out: just past the last '/' before that NUL */
};

#define SW_BYTES(b) (0x0101010101010101ULL * (__u8)(b))
/* Non-zero iff some byte of w is zero (exact for "some", not for which). */
#define SW_HAS_ZERO(w) (((w) - SW_BYTES(1)) & ~(w) & SW_BYTES(0x80))

/*
 * One pass over the path, 8 bytes a step: a word with neither a NUL nor a '/'
 * (most of a path) costs a few ALU instructions; only the words holding one are
 * looked at byte by byte. Issue 18's profile: three per-byte bpf_loop scans
 * (last '/', copy of the basename, length) cost ~1.3 us per connect, the most
 * costly program of the socket tier, and callers that pass
 * sizeof(struct sockaddr_un) made each scan all 108 bytes.
 * Stops at the first NUL, as the kernel's path lookup does: a '/' after it is
 * not part of the path.
 */
static long path_scan_cb(__u64 i, struct path_scan *c)
{
	__u32 base = (__u32)i * 8;
	if (base >= c->len || base >= SW_UNIX_PATH_MAX)
		return 1;
	/* payload[] is 8-byte aligned in the scratch map and longer than 112 bytes. */
	__u64 w = *(__u64 *)&c->s->payload[base & 0x78];
	__u64 slashes = w ^ SW_BYTES('/');
	if (!SW_HAS_ZERO(w) && !SW_HAS_ZERO(slashes))
		return 0;
	for (int k = 0; k < 8; k++) { /* little-endian: byte k of the path is bits 8k.. of w */
		__u32 j = base + k;
		if (j >= c->len)
			return 1;
		__u8 ch = w >> (8 * k);
		if (!ch) {
			c->len = j;
			return 1;
		}
		if (ch == '/')
			c->start = j + 1;
	}
	return 0;
}

static __always_inline bool match_connect_path(struct scratch *s, __u32 *plen, const struct sock *sk,
					       __u32 *flags, __u32 *watch_id)
{
	__u32 len = *plen;
	if (len > SW_UNIX_PATH_MAX)
		len = SW_UNIX_PATH_MAX;
	if (len == 0)
		return false;
	if (s->payload[0] == 0) {
		__builtin_memset(&s->key, 0, sizeof(s->key));
		bpf_probe_read_kernel(s->key.name, clamp_size(len - 1, SW_UNIX_PATH_MAX - 1), s->payload + 1);
		s->key.kind = SW_WATCH_ABSTRACT;
		s->key.netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
		struct sw_watch_val *w = bpf_map_lookup_elem(&watched_abstract, &s->key);
		if (!w)
			return false;
		*watch_id = w->watch_id;
		*flags |= SW_F_ABSTRACT;
		return true;
	}
#ifndef SW_COMPAT_510
	/* bpf_loop keeps the verifier's work linear in the scan. */
	struct path_scan c = {.s = s, .len = len, .start = 0};
	bpf_loop((SW_UNIX_PATH_MAX + 7) / 8, path_scan_cb, &c, 0);
	len = c.len;
	__builtin_memset(&s->name, 0, sizeof(s->name));
	if (c.start < len)
		bpf_probe_read_kernel(s->name.name, clamp_size(len - c.start, SW_UNIX_PATH_MAX), s->payload + (c.start & 127));
	if (!bpf_map_lookup_elem(&watched_names, &s->name))
		return false;
#else
	/* No bpf_loop before 5.17: the same three scans as bounded loops, their
	 * state in s->scan_* (map memory, see struct scratch) so that the
	 * verifier's work stays linear. Volatile: clang would otherwise keep
	 * them in registers (which the verifier does track) and store once; a
	 * bound compared in a register would split the states by its range.
	 * No 'break': with one, clang rotates the loop so that it is entered in
	 * the middle and closed by a fall-through back edge, which 5.10's
	 * check_cfg refuses ("back-edge from insn N to N+1"); later kernels
	 * accept it. (Fully unrolled, they exceed the 512-byte stack.) */
	volatile __u32 *start = &s->scan_start, *slen = &s->scan_len, *limit = &s->scan_limit;
	*limit = len; /* compared as a fresh load each time: no bound carried across iterations */
	*start = 0;
	for (__u32 i = 0; i < SW_UNIX_PATH_MAX; i++) {
		if (i < *limit && s->payload[i] == '/')
			*start = i + 1;
	}
	__builtin_memset(&s->name, 0, sizeof(s->name));
	*slen = 0; /* here: "stopped" (the end of the path or a NUL was reached) */
	for (__u32 i = 0; i < SW_UNIX_PATH_MAX; i++) {
		__u32 j = *start + i;
		if (*slen || j >= *limit || j >= SW_UNIX_PATH_MAX) {
			*slen = 1;
			continue;
		}
		/* Same value (j < 108), but clang may test a copy of j: mask the
		 * register actually used, behind a barrier so the mask stays. */
		barrier_var(j);
		j &= 127;
		char ch = s->payload[j];
		if (!ch)
			*slen = 1;
		else
			s->name.name[i] = ch;
	}
	if (!bpf_map_lookup_elem(&watched_names, &s->name))
		return false;
	/* Trailing NULs from callers that pass sizeof(sockaddr_un). */
	*slen = *limit;
	/* Backwards without a break: the last store is the first NUL. */
	for (int i = SW_UNIX_PATH_MAX - 1; i >= 0; i--) {
		if ((__u32)i < *limit && !s->payload[i])
			*slen = i;
	}
	len = *slen;
	if (len > SW_UNIX_PATH_MAX)
		len = SW_UNIX_PATH_MAX;
#endif
	*plen = len;
	*watch_id = 0;
	return true;
}

#ifndef SW_COMPAT_510 /* cgroup/connect_unix (6.7) and this kfunc (6.2): not in the 5.10 object */
/* __weak: only the cgroup/connect_unix program calls it, and the loader turns that program's
 * autoload off before Linux 6.7; but libbpf resolves every extern of the object, and a strong
 * kfunc the kernel lacks (< 6.2) fails the whole load with EINVAL. vmlinux.h may already
 * declare it weak, or not at all: that depends on the BTF it was generated from (the build
 * host's kernel with kfunc decl tags, or Debian's arm64 6.12 BTF without them), so the
 * declaration here must not rely on it. Found on arm64 6.1, where lsm and fentry failed. */
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym __weak;

/*
 * The body of every tier's cgroup/connect_unix program: report a connect
 * whose path may name a watched socket. With 'enforce', a caller the policy
 * denies gets EPERM (return 0) and the record says so.
 */
static __always_inline int report_connect_attempt(struct bpf_sock_addr *ctx, bool enforce)
{
	if (is_self())
		return 1;
	struct scratch *s = get_scratch();
	if (!s)
		return 1;
	struct bpf_sock_addr_kern *sa = bpf_cast_to_kern_ctx(ctx);
	__u32 alen = sa->uaddrlen;
	struct sockaddr *ua = sa->uaddr;
	struct sock *sk = sa->sk;
	if (alen <= 2)
		return 1;
	__u32 plen = alen - 2; /* minus sun_family */
	if (plen > SW_UNIX_PATH_MAX)
		plen = SW_UNIX_PATH_MAX;
	__builtin_memset(s->payload, 0, 128);
	if (bpf_probe_read_kernel(s->payload, clamp_size(plen, SW_UNIX_PATH_MAX), (const char *)ua + 2))
		return 1;
	__u32 flags = 0, watch_id = 0;
	if (!match_connect_path(s, &plen, sk, &flags, &watch_id))
		return 1;

	bool deny = enforce && policy_denies();
	struct sw_event *ev = &s->ev;
	__builtin_memset(ev, 0, sizeof(*ev));
	/* A cgroup program may not call bpf_get_current_task_btf(); bpf_core_cast
	 * (the bpf_rdonly_cast kfunc, 6.2, allowed in every program type) gives
	 * the same direct loads. */
	fill_task_of(ev, bpf_core_cast((void *)bpf_get_current_task(), struct task_struct));
	ev->type = SW_EV_CONNECT_ATTEMPT;
	ev->tier = SW_THIS_TIER;
	ev->flags = flags;
	ev->watch_id = watch_id;
	ev->fd = find_fd_direct(sk);
	if (ev->fd < 0)
		ev->flags |= SW_F_FD_UNKNOWN;
	if (deny) {
		ev->flags |= SW_F_DENIED | SW_F_RESULT_KNOWN;
		ev->result = -SW_EPERM;
	}
	ev->client_sock_ino = sock_file_ino_direct(sk);
	bool sent = emit(ev, plen, SW_UNIX_PATH_MAX);
#ifdef SW_KEEP_ATTEMPT
	/* Kept for the listener hook of this same connect() (socket-tp, see
	 * take_attempt there); a denied one never reaches a listener. */
	s->attempt_sk = 0;
	if (sent && !deny) {
		__builtin_memcpy(&s->attempt, ev, sizeof(*ev));
		s->attempt_sk = (__u64)sk;
		s->attempt_jiffies = bpf_jiffies64();
	}
#else
	(void)sent;
#endif
	return deny ? 0 : 1;
}
#endif

#endif

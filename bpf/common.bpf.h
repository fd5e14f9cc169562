/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Maps, settings and helpers shared by every hook tier. Each tier's
 * *.bpf.c includes this once; userspace sees the same map names in every
 * skeleton, so the loader treats tiers uniformly.
 */
#ifndef SOCKWARDEN_COMMON_BPF_H
#define SOCKWARDEN_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"
#include "core_fixes.bpf.h"

/*
 * Two builds of each tier's source (cmake/bpf.cmake): the current one, and
 * with SW_COMPAT_510 the variant for kernels that lack what it uses (Linux
 * 5.10 to 5.16). The loader probes the kernel and picks one
 * (capture/bpf_tier.cpp). Why two objects and not one object with .rodata
 * flags: a 5.10 verifier rejects an object that merely *contains* these,
 * before dead-code elimination could drop them: a task-storage map fails at
 * map creation (EINVAL), and bpf_loop's callback is an ld_imm64 of
 * BPF_PSEUDO_FUNC (5.13), refused as an unknown instruction.
 *
 *   current                          SW_COMPAT_510
 *   task storage (5.11),             hash map keyed by thread id, created from a
 *   bpf_get_current_task_btf (5.11)  zeroed template, deleted at thread exit
 *   bpf_loop (5.17) fd-table scan    bounded loop over the first SW_FD_SCAN_MAX_510
 *                                    fds (the caller's fd above it: -1, flagged)
 *   bpf_loop path/cgroup scans       bounded loops (108 bytes, 12 levels)
 *   cgroup/connect_unix (6.7),       left out of the object: the attach type and
 *   bpf_cast_to_kern_ctx (6.2)       the kfunc do not exist there
 * Events and fields are the same; the one difference is named by doctor.
 */
#ifdef SW_COMPAT_510
#define SW_FD_SCAN_MAX_510 1024
#endif

char LICENSE[] SEC("license") = "GPL";

/* Settings, written by the loader between open and load. */
const volatile __u32 abi_version = SW_ABI_VERSION;
const volatile __u32 self_tgid = 0;       /* the agent: never reported */
const volatile __u32 payload_cap = 4096;  /* bytes captured per write, <= SW_PAYLOAD_MAX */
const volatile __u32 reply_cap = 512;     /* bytes captured of a daemon reply, <= SW_REPLY_MAX */
/* Unread bytes in the event ring past which a record wakes the agent
 * (the loader sets a quarter of the ring; see ringbuf_wakeup). */
const volatile __u64 wakeup_bytes = 1 << 20;

/* Upper bound of fds scanned to find the caller's fd for a socket. */
#define SW_FD_SCAN_MAX 65536
#define SW_FD_CHUNK 16

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20); /* resized by the loader (--ringbuf-kb) */
} events SEC(".maps");

/*
 * Watched sockets by identity, one map per kind so that the common lookup
 * hashes and compares 16 bytes, not 136: path sockets by (dev, ino), abstract
 * ones by the whole sw_watch_key (netns + name). Issue 18's profile: with one
 * map keyed by sw_watch_key, jhash and the bucket compare of 136 bytes were a
 * fifth of sk_data_ready's time, three lookups per watched request.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct sw_path_key);
	__type(value, struct sw_watch_val);
} watched SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct sw_watch_key);
	__type(value, struct sw_watch_val);
} watched_abstract SEC(".maps");

/* The watch of a filled key (kind set), or NULL. */
static __always_inline struct sw_watch_val *lookup_watch(const struct sw_watch_key *key)
{
	if (key->kind == SW_WATCH_PATH) {
		struct sw_path_key pk = {.dev = key->dev, .ino = key->ino};
		return bpf_map_lookup_elem(&watched, &pk);
	}
	return bpf_map_lookup_elem(&watched_abstract, key);
}

/*
 * Basenames of watched paths. A connect hook that runs before the kernel
 * resolves the path only has the string: it reports attempts whose last
 * component matches, and userspace resolves them to an inode.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct sw_name_key);
	__type(value, __u8);
} watched_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SW_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* A write in progress: filled by the per-skb hook, emitted when the send returns. */
struct pending_send {
	struct sw_event ev;
	/* Doubled so that a masked offset plus a clamped length always stays
	 * inside the buffer: the verifier cannot relate 'captured' and 'n'. */
	__u8 payload[SW_PAYLOAD_MAX * 2];
	__u64 client_sk;  /* the sender's struct sock, to match the send-return hook */
	__u32 active;
	__u32 captured;
	__u64 skb_bytes;  /* sum of skb lengths seen, if the send length is not */
	/* tier-private syscall arguments (syscall tier) */
	__u64 arg_ptr;
	__u64 arg_len;
	__u32 arg_kind;
	__s32 arg_fd;
	__s64 arg_nr;
	__u64 arg_off;
};

#ifndef SW_COMPAT_510
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending_send);
} pending SEC(".maps");
#else
/* No task storage before 5.11: per thread id, allocated on first use (no
 * prealloc: ~33 KiB a value) and deleted by sched_process_exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct pending_send);
} pending SEC(".maps");

/* A value is too large for the stack: new entries are copied from this
 * zeroed, never written element. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pending_send);
} pending_zero SEC(".maps");
#endif

/* Per-CPU scratch for records built and emitted without sleeping in between
 * (connects, attempts, replies). Per-CPU values are limited to 32 KiB. */
#define SW_SCRATCH_PAYLOAD 512
struct scratch {
	struct sw_event ev;
	__u8 payload[SW_SCRATCH_PAYLOAD];
	struct sw_watch_key key;
	struct sw_name_key name;
#ifdef SW_COMPAT_510
	/* Path-scan state of connect_attempt.bpf.h's bounded loops. Kept in map
	 * memory on purpose: the verifier does not track values stored there, so
	 * the two branches of each loop iteration converge instead of carrying
	 * every possible offset forward (on the stack the three 108-byte scans
	 * multiplied past the 1M-instruction limit). */
	__u32 scan_start;
	__u32 scan_len;
	__u32 scan_limit;
	__u32 _scan_pad;
#endif
#ifdef SW_KEEP_ATTEMPT
	/*
	 * The last connect attempt this CPU reported (cgroup/connect_unix), for
	 * the listener hook that fires later in the same connect() when it
	 * succeeds (socket-tp's on_listener): its connect record reuses the
	 * caller's identity, fd and socket inode instead of reading them again.
	 * attempt_sk 0: none. See take_attempt in socket_tp.bpf.c.
	 */
	struct sw_event attempt;
	__u64 attempt_sk;
	__u64 attempt_jiffies;
#endif
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/*
 * Clamp a size passed to a helper. 64-bit and behind a barrier: clang must
 * neither drop the clamp as "already known" (the verifier may have lost the
 * bound, e.g. through a bpf_loop context) nor compare a shifted copy of the
 * register it then passes on.
 */
static __always_inline __u64 clamp_size(__u64 v, __u64 max)
{
	barrier_var(v);
	if (v > max)
		v = max;
	return v;
}

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);
	if (v)
		*v += 1;
}

#include "flood_budget.bpf.h"

/*
 * Wake-ups (issue 18). With flags 0 the kernel wakes the reader whenever a
 * record lands in a ring the reader had emptied: with an agent that keeps up,
 * that is an irq_work and a futex wake-up for every record, charged to the
 * process being watched, and a context switch per record in the agent.
 * Records are committed without one instead, with two exceptions:
 *  - a ring filling past `threshold` unread bytes wakes the agent at once, so
 *    a burst is read as it builds;
 *  - on the events ring, the first record after the agent emptied it wakes it,
 *    at most once per SW_IDLE_WAKE_NS on each CPU: an event on a quiet host is
 *    read at once (a responder's trace shows it as it happens), and the agent
 *    sleeps between reads instead of looking every few milliseconds. At most
 *    one per read interval per CPU: under load the agent empties the ring
 *    often, and a wake-up each time cost ~0.1 us per event at 100,000/s
 *    (smaller batches, a context switch each).
 * Every other record waits for the agent's next read, at most
 * Capture::kReadIntervalMs away. Enforcement is decided in the kernel and is
 * never waiting on this.
 */
#define SW_IDLE_WAKE_NS (50 * 1000 * 1000ull) /* Capture::kReadIntervalMs */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64); /* the record time of this CPU's last idle wake-up */
} idle_wake SEC(".maps");

/* The flags for a record committed to a ring holding `avail` unread bytes. */
static __always_inline __u64 fill_wakeup(__u64 avail, __u64 threshold)
{
	return avail >= threshold ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline __u64 ringbuf_wakeup(void *ring, __u64 threshold)
{
	return fill_wakeup(bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA), threshold);
}

/* ringbuf_wakeup for the events ring, with the idle wake-up; `now`: the record's time. */
static __always_inline __u64 events_wakeup(__u64 now)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	if (avail == 0) {
		__u32 zero = 0;
		__u64 *last = bpf_map_lookup_elem(&idle_wake, &zero);
		if (last && now - *last >= SW_IDLE_WAKE_NS) {
			*last = now;
			return BPF_RB_FORCE_WAKEUP;
		}
	}
	return fill_wakeup(avail, wakeup_bytes);
}

static __always_inline struct scratch *get_scratch(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&scratch_map, &zero);
}

/*
 * Submit a record of sizeof(sw_event) + n bytes (n clamped to 'room', the
 * payload buffer's size, so the verifier can prove the read stays inside).
 * A full ring buffer is counted, never silent; so is a record the caller's
 * flood budget holds back. Returns whether the record was written.
 */
static __always_inline bool emit(void *rec, __u32 n32, __u32 room)
{
	if (!flood_admit((struct sw_event *)rec))
		return false; /* counted per process in flood_state */
	__u64 n = clamp_size(n32, room);
	((struct sw_event *)rec)->payload_len = n;
	if (bpf_ringbuf_output(&events, rec, sizeof(struct sw_event) + n, events_wakeup(((struct sw_event *)rec)->ts_boot_ns))) {
		count(SW_CNT_RINGBUF_DROPS);
		return false;
	}
	count(SW_CNT_EVENTS);
	return true;
}

static __always_inline bool is_self(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == self_tgid;
}

/*
 * Identity of a unix socket as userspace registered it: the bound inode for
 * path sockets (accepted sockets inherit the listener's path, so the server
 * side of every connection carries it too), or netns + name for abstract ones.
 * The key must be zeroed by the caller. Returns 0 when the socket has one.
 */
static __always_inline int unix_identity(const struct sock *sk, struct sw_watch_key *key)
{
	const struct unix_sock *u = (const void *)sk;
	struct dentry *dentry = BPF_CORE_READ(u, path.dentry);

	if (dentry) {
		struct inode *inode = BPF_CORE_READ(dentry, d_inode);
		key->kind = SW_WATCH_PATH;
		key->ino = BPF_CORE_READ(inode, i_ino);
		key->dev = BPF_CORE_READ(inode, i_sb, s_dev);
		return 0;
	}
	struct unix_address *addr = BPF_CORE_READ(u, addr);
	if (!addr)
		return -1;
	int len = BPF_CORE_READ(addr, len);
	const char *path = unix_address_path(addr);
	char first = 1;
	bpf_probe_read_kernel(&first, 1, path);
	if (first != 0 || len < 3)
		return -1;
	/* minus sun_family and the leading NUL */
	bpf_probe_read_kernel(key->name, clamp_size(len - 3, SW_UNIX_PATH_MAX - 1), path + 1);
	key->kind = SW_WATCH_ABSTRACT;
	key->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	return 0;
}

static __always_inline struct sw_watch_val *watched_identity(const struct sock *sk, struct sw_watch_key *key)
{
	__builtin_memset(key, 0, sizeof(*key));
	if (unix_identity(sk, key))
		return NULL;
	return lookup_watch(key);
}

static __always_inline void set_sock_identity(struct sw_event *ev, const struct sw_watch_key *key,
					      const struct sw_watch_val *w)
{
	ev->watch_id = w->watch_id;
	if (key->kind == SW_WATCH_PATH) {
		ev->sock_ino = key->ino;
		ev->sock_dev = key->dev;
	} else {
		ev->flags |= SW_F_ABSTRACT;
	}
}

/*
 * Is the other end of a connected unix socket (the daemon's side, for a
 * caller's socket) a watched one? Fills s->key and *peer_out.
 */
static __always_inline struct sw_watch_val *watched_peer(const struct sock *sk, struct scratch *s,
							 struct sock **peer_out)
{
	struct sock *peer = BPF_CORE_READ((struct unix_sock *)sk, peer);
	*peer_out = peer;
	if (!peer)
		return NULL;
	return watched_identity(peer, &s->key);
}

static __always_inline __u64 sock_file_ino(const struct sock *sk)
{
	return BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
}

#ifndef SW_COMPAT_510
/* The same with four direct loads instead of four helper reads (issue 18), through
 * bpf_core_cast: the bpf_rdonly_cast kfunc (6.2). Only programs that load on 6.7 and
 * later call it (socket-tp's, and every tier's cgroup/connect_unix); on 6.1, lsm and
 * fentry load with their cgroup program's autoload off. */
static __always_inline __u64 sock_file_ino_direct(const struct sock *sk)
{
	return bpf_core_cast(sk, struct sock)->sk_socket->file->f_inode->i_ino;
}
#endif

/* The calling task's in-progress write record (created on first use). */
static __always_inline struct pending_send *pending_for_current(void)
{
#ifndef SW_COMPAT_510
	struct pending_send *p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0,
						      BPF_LOCAL_STORAGE_GET_F_CREATE);
#else
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), zero = 0;
	struct pending_send *p = bpf_map_lookup_elem(&pending, &tid);
	if (!p) {
		struct pending_send *blank = bpf_map_lookup_elem(&pending_zero, &zero);
		if (blank)
			bpf_map_update_elem(&pending, &tid, blank, BPF_NOEXIST);
		p = bpf_map_lookup_elem(&pending, &tid);
	}
#endif
	if (!p)
		count(SW_CNT_SCRATCH_MISS);
	return p;
}

/* The calling task's record if it has one (never creates it). */
static __always_inline struct pending_send *pending_of_current(void)
{
#ifndef SW_COMPAT_510
	return bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0, 0);
#else
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	return bpf_map_lookup_elem(&pending, &tid);
#endif
}

static __always_inline void fill_task(struct sw_event *ev);

/* Start the record of one write by 'current' on 'client' into a watched connection. */
/* 'client_ino': sock_file_ino(client), which socket-tp reads with direct loads. */
static __always_inline void begin_send(struct pending_send *p, const struct sw_watch_key *key,
				       const struct sw_watch_val *w, const struct sock *client, __s32 fd,
				       __u64 client_ino)
{
	__builtin_memset(&p->ev, 0, sizeof(p->ev));
	fill_task(&p->ev);
	p->ev.type = SW_EV_SEND;
	p->ev.tier = SW_THIS_TIER;
	set_sock_identity(&p->ev, key, w);
	p->ev.fd = fd;
	if (fd < 0)
		p->ev.flags |= SW_F_FD_UNKNOWN;
	p->ev.client_sock_ino = client_ino;
	p->client_sk = (__u64)client;
	p->active = 1;
	p->captured = 0;
	p->skb_bytes = 0;
}

/* Caller identity: ids, credentials, cgroup, namespaces, comm. */
/* What helpers give without reading the task: time, ids, cgroup, comm. */
static __always_inline void fill_ids(struct sw_event *ev)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ug = bpf_get_current_uid_gid();

	ev->ts_boot_ns = bpf_ktime_get_boot_ns();
	ev->pid = (__u32)id;
	ev->tgid = id >> 32;
	ev->uid = (__u32)ug;
	ev->gid = ug >> 32;
	ev->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
}

#ifndef SW_COMPAT_510
/*
 * 'task' is current as a BTF pointer: each field below is one fault-safe load
 * (a NULL on the way, e.g. the nsproxy of an exiting task, reads as 0) instead
 * of one bpf_probe_read_kernel() call per pointer hop as BPF_CORE_READ makes.
 * Issue 18: ~13 helper calls per record, up to five records per watched
 * request, were a third of the tier's cost in the caller's own syscalls.
 */
static __always_inline void fill_task_of(struct sw_event *ev, struct task_struct *task)
{
	fill_ids(ev);
	ev->euid = task->cred->euid.val;
	ev->ppid = task->real_parent->tgid;
	struct nsproxy *ns = task->nsproxy;
	ev->mntns = ns->mnt_ns->ns.inum;
	ev->netns = ns->net_ns->ns.inum;
	/* The task's own pid namespace is the one at its pid's deepest level
	 * (nsproxy->pid_ns_for_children can differ after unshare(CLONE_NEWPID)).
	 * numbers[] is indexed by a runtime value: the verifier allows direct
	 * loads only at constant offsets, so this one is a helper read. */
	struct pid *tpid = task->thread_pid;
	unsigned int level = tpid->level;
	if (level == 0) {
		/* The initial pid namespace (every host process): a constant offset. */
		ev->pidns = tpid->numbers[0].ns->ns.inum;
		return;
	}
	struct upid up = {};
	bpf_core_read(&up, sizeof(up), &tpid->numbers[level & 31]);
	ev->pidns = BPF_CORE_READ(up.ns, ns.inum);
}

/* Tracing and LSM programs: bpf_get_current_task_btf() (5.11). */
static __always_inline void fill_task(struct sw_event *ev)
{
	fill_task_of(ev, bpf_get_current_task_btf());
}
#else
/* 5.10: no bpf_get_current_task_btf(); every field through bpf_probe_read_kernel(). */
static __always_inline void fill_task(struct sw_event *ev)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	fill_ids(ev);
	ev->euid = BPF_CORE_READ(task, cred, euid.val);
	ev->ppid = BPF_CORE_READ(task, real_parent, tgid);
	ev->mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	ev->netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	struct pid *tpid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(tpid, level);
	struct upid up = {};
	bpf_core_read(&up, sizeof(up), &tpid->numbers[level & 31]);
	ev->pidns = BPF_CORE_READ(up.ns, ns.inum);
}
#endif

struct fdwalk_ctx {
	struct file **fds;
	__u64 target;
	__u32 max;
	__s32 found;
};

static long fdwalk_cb(__u64 i, struct fdwalk_ctx *c)
{
	struct file *chunk[SW_FD_CHUNK];
	__u32 base = i * SW_FD_CHUNK;

	if (base >= c->max)
		return 1;
	/* max_fds is a multiple of BITS_PER_LONG, so whole chunks stay inside the array. */
	if (bpf_probe_read_kernel(chunk, sizeof(chunk), c->fds + base))
		return 1;
	for (int j = 0; j < SW_FD_CHUNK; j++) {
		if ((__u64)chunk[j] == c->target) {
			c->found = base + j;
			return 1;
		}
	}
	return 0;
}

/*
 * The caller's lowest fd for a socket: a scan of its fd table, paid only for
 * watched sockets. Dup'ed fds, fds inherited over fork/exec and fds used from
 * another thread all resolve because the table is the live one of 'current'.
 */
static __always_inline __s32 find_fd(const struct sock *sk)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct fdwalk_ctx c = {
		.fds = BPF_CORE_READ(fdt, fd),
		.max = BPF_CORE_READ(fdt, max_fds),
		.target = (__u64)BPF_CORE_READ(sk, sk_socket, file),
		.found = -1,
	};
	if (!c.target || !c.fds)
		return -1;
#ifndef SW_COMPAT_510
	bpf_loop(SW_FD_SCAN_MAX / SW_FD_CHUNK, fdwalk_cb, &c, 0);
#else
	/* No bpf_loop before 5.17: the verifier walks a bounded loop once per
	 * iteration, so the scan stops at SW_FD_SCAN_MAX_510 fds (a socket at a
	 * higher fd is reported with SW_F_FD_UNKNOWN; doctor names the limit). */
	for (__u32 i = 0; i < SW_FD_SCAN_MAX_510 / SW_FD_CHUNK; i++)
		if (fdwalk_cb(i, &c))
			break;
#endif
	return c.found;
}

#ifndef SW_COMPAT_510
/* find_fd with direct loads for the pointer walk (task -> files -> fdt, sk ->
 * socket -> file): six helper reads fewer per call (issue 18). For the
 * programs that may use bpf_core_cast; see sock_file_ino_direct. */
static __always_inline __s32 find_fd_direct(const struct sock *sk)
{
	struct task_struct *task = bpf_core_cast((void *)bpf_get_current_task(), struct task_struct);
	struct fdtable *fdt = task->files->fdt;
	struct fdwalk_ctx c = {
		.fds = fdt->fd,
		.max = fdt->max_fds,
		.target = (__u64)bpf_core_cast(sk, struct sock)->sk_socket->file,
		.found = -1,
	};
	if (!c.target || !c.fds)
		return -1;
	bpf_loop(SW_FD_SCAN_MAX / SW_FD_CHUNK, fdwalk_cb, &c, 0);
	return c.found;
}
#endif

/* fd of 'current' -> its unix struct sock, or NULL. */
static __always_inline struct sock *fd_unix_sock(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	if (fd < 0 || (unsigned int)fd >= max)
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), fds + fd);
	if (!f)
		return NULL;
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & SW_S_IFMT) != SW_S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk || BPF_CORE_READ(sk, __sk_common.skc_family) != AF_UNIX)
		return NULL;
	return sk;
}

/*
 * After a send returned: flag what was captured against what was written
 * (p->ev.bytes), and return how many captured bytes to emit. A copy read
 * before the send completed (read_early) may hold more than a short write
 * sent: it is cut to the return value.
 */
static __always_inline __u32 settle_payload(struct pending_send *p, long ret, bool read_early)
{
	__u32 got = p->captured;
	if (got > SW_PAYLOAD_MAX)
		got = SW_PAYLOAD_MAX;
	if (p->ev.bytes > got && !(p->ev.flags & SW_F_PAYLOAD_PARTIAL))
		p->ev.flags |= SW_F_TRUNCATED;
	if (read_early && ret >= 0 && got > (__u64)ret)
		got = ret;
	if (got == 0 && p->ev.bytes > 0)
		p->ev.flags |= SW_F_PAYLOAD_NONE;
	return got;
}

#endif

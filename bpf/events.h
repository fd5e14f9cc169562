/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The only contract between the BPF programs and userspace.
 *
 * Rules: fixed-width types only, explicit padding, no pointers, no bool.
 * Userspace static_asserts every size and offset (userspace/capture/abi_check.cpp).
 * Bump SW_ABI_VERSION on any layout change; the loader refuses a mismatch.
 */
#ifndef SOCKWARDEN_EVENTS_H
#define SOCKWARDEN_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SW_ABI_VERSION 3

#define SW_COMM_LEN 16
#define SW_UNIX_PATH_MAX 108
/* Hard upper bound of captured bytes per record; the runtime cap (default 4 KiB) is lower. */
#define SW_PAYLOAD_MAX 16384
/* A Docker create/exec-create reply is ~300 bytes: headers, then {"Id":"<64 hex>"...}.
 * The id is what ties a request to its effect (agent/request_effects). */
#define SW_REPLY_MAX 512

enum sw_event_type {
	SW_EV_CONNECT = 1,         /* a connect reached a watched listener (success) */
	SW_EV_CONNECT_ATTEMPT = 2, /* a unix connect whose path may name a watched socket */
	SW_EV_SEND = 3,            /* one write/send/sendmsg/... into a watched connection */
	SW_EV_REPLY = 4,           /* the daemon's bytes arriving at a watched client socket */
};

/* sw_event.flags */
#define SW_F_TRUNCATED        (1u << 0) /* payload cut at the capture cap */
#define SW_F_PAYLOAD_PARTIAL  (1u << 1) /* some bytes of the write could not be read (page frags, dequeued skb) */
#define SW_F_PAYLOAD_NONE     (1u << 2) /* no byte of the write could be read */
#define SW_F_FD_UNKNOWN       (1u << 3) /* the socket was not found in the caller's fd table */
#define SW_F_RESULT_KNOWN     (1u << 4) /* result holds the syscall's return value / -errno */
#define SW_F_ABSTRACT         (1u << 5) /* the watched socket is in the abstract namespace */
#define SW_F_PAYLOAD_USER     (1u << 6) /* payload read from the caller's buffer, not the kernel's copy */
#define SW_F_DENIED           (1u << 7) /* enforcement refused this connect (result -EPERM) */
#define SW_F_FLOOD_GAP        (1u << 8) /* sends on this connection were suppressed before this one (flood budget) */

/* Tier that produced the record (also reported as sockwarden.tier). */
enum sw_tier {
	SW_TIER_SOCKET_TP = 1,
	SW_TIER_SYSCALL_TP = 2,
	SW_TIER_LSM = 3,
	SW_TIER_FENTRY = 4,
};

enum sw_watch_kind {
	SW_WATCH_PATH = 1,     /* key: (dev, ino) of the listener's inode */
	SW_WATCH_ABSTRACT = 2, /* key: (netns inode, name) */
};

/*
 * Identity of a watched socket. For path sockets dev is the kernel's
 * s_dev encoding (major << 20 | minor), NOT stat()'s st_dev.
 */
struct sw_watch_key {
	__u32 kind;
	__u32 dev;
	__u64 ino;
	__u64 netns;
	__u8 name[SW_UNIX_PATH_MAX]; /* abstract name without the leading NUL, zero padded */
	__u32 _pad;
};

/* The "watched" map's key: a path socket's identity alone (see common.bpf.h). */
struct sw_path_key {
	__u32 dev;
	__u32 _pad;
	__u64 ino;
};

struct sw_watch_val {
	__u32 watch_id; /* index into userspace's watch table */
	__u32 _pad;
};

/* Basename filter for connect attempts (the cgroup hook sees only the path string). */
struct sw_name_key {
	__u8 name[SW_UNIX_PATH_MAX];
	__u32 _pad;
};

struct sw_event {
	__u16 type;       /* enum sw_event_type */
	__u16 tier;       /* enum sw_tier */
	__u32 flags;      /* SW_F_* */
	__u64 ts_boot_ns; /* bpf_ktime_get_boot_ns() */
	__u32 pid;        /* thread id */
	__u32 tgid;       /* process id */
	__u32 ppid;       /* real parent's tgid */
	__u32 uid;
	__u32 gid;
	__u32 watch_id;
	__u64 cgroup_id;  /* cgroup v2 id of the caller */
	__u32 pidns;      /* namespace inode numbers */
	__u32 mntns;
	__u32 netns;
	__s32 fd;         /* caller's fd for the socket, -1 if unknown */
	__u64 sock_ino;   /* watched listener's inode (0 for abstract) */
	__u32 sock_dev;   /* kernel s_dev encoding */
	__s32 result;     /* 0 or -errno when SW_F_RESULT_KNOWN */
	__u64 client_sock_ino; /* inode of the caller's socket (/proc/PID/fd -> socket:[N]); the connection id */
	__u64 bytes;      /* bytes the caller wrote (or the reply chunk's length) */
	char comm[SW_COMM_LEN];
	__u32 payload_len; /* captured bytes that follow */
	__u32 euid;
	/* __u8 payload[payload_len] follows; for SW_EV_CONNECT_ATTEMPT it is the sun_path */
};

/*
 * Process lifecycle, on its own ring buffer (proc_events) so that a fork
 * storm can never push socket events out: userspace keeps a process table
 * from these, so even a caller that exits within a millisecond is resolved.
 */
enum sw_proc_event_type {
	SW_PROC_EXEC = 1,
	SW_PROC_FORK = 2, /* a new process (not a thread) */
	SW_PROC_EXIT = 3, /* the thread-group leader exited */
};

/* sw_proc_event.flags */
#define SW_PROC_F_CAPS 0x1 /* cap_effective was read */

#define SW_PROC_FILENAME_MAX 256
#define SW_PROC_ARGS_MAX 1024

struct sw_proc_event {
	__u16 type;
	__u16 flags;          /* SW_PROC_F_* */
	__u32 tgid;
	__u32 ppid;
	__u32 uid;
	__u32 euid;
	__u32 gid;
	__u32 loginuid;       /* audit login uid, (__u32)-1 if unset */
	__u32 sessionid;      /* audit session id, (__u32)-1 if unset */
	__u64 start_boottime; /* task start, ns since boot (CLOCK_BOOTTIME) */
	__u64 ts_boot_ns;
	char comm[SW_COMM_LEN];
	__u32 filename_len;   /* exec only: bytes of filename incl. NUL */
	__u32 args_len;       /* exec only: bytes of NUL-separated argv */
	char filename[SW_PROC_FILENAME_MAX];
	char args[SW_PROC_ARGS_MAX];
	__u64 cgroup_id;      /* cgroup v2 id of the task (exec: the cgroup the new image runs in) */
	__u64 cap_effective;  /* the task's effective capabilities, valid with SW_PROC_F_CAPS
	                       * (exec: those the new image got, read before it can exit) */
};

/*
 * Enforcement policy (bpf/enforce.bpf.h). Two slots, so that a reload fills
 * the inactive slot and then flips one aligned __u32 (policy_active): a
 * connect is judged entirely by the old policy or entirely by the new one,
 * never by a half-written mix, and never by an empty table.
 */
enum sw_policy_mode {
	SW_POLICY_MONITOR = 0, /* never deny (the default) */
	SW_POLICY_ENFORCE = 1,
};

struct sw_policy {
	__u32 mode;          /* enum sw_policy_mode */
	__u32 deny_host;     /* 1: callers outside containers must be allowed explicitly too */
	__u32 _pad[2];
};

struct sw_policy_uid_key {
	__u32 slot;
	__u32 uid;           /* effective uid of the caller */
};

struct sw_policy_cgroup_key {
	__u32 slot;
	__u32 _pad;
	__u64 cgroup_id;     /* the caller's cgroup or any ancestor of it */
};

struct sw_policy_exe_key {
	__u32 slot;
	__u32 dev;           /* kernel s_dev encoding of the executable's file system */
	__u64 ino;
};

/*
 * Per-process flood budget state (bpf/flood_budget.bpf.h), keyed by tgid in
 * the flood_state LRU map. Userspace reads the suppressed counts (monotonic
 * while the entry lives) and reports their increase as flood-suppressed events.
 */
struct sw_flood_state {
	__u64 send_tat;           /* GCRA theoretical arrival times, boot-clock ns */
	__u64 open_tat;
	__u64 suppressed_sends;   /* sends and replies held back */
	__u64 suppressed_opens;   /* connects / first sends of new connections held back */
	__u64 suppressed_bytes;   /* bytes the held-back sends wrote */
	__u64 last_suppressed_ns; /* boot clock */
	__u64 cgroup_id;          /* identity at the last suppression */
	__u32 uid;
	__u32 euid;
	char comm[SW_COMM_LEN];
};

/* Indices of the per-CPU counters map (all monotonically increasing). */
enum sw_counter {
	SW_CNT_EVENTS = 0,        /* records submitted */
	SW_CNT_RINGBUF_DROPS = 1, /* records lost: ring buffer full */
	SW_CNT_PAYLOAD_PARTIAL = 2,
	SW_CNT_SCRATCH_MISS = 3,  /* per-task scratch entry unavailable */
	SW_CNT_PROC_DROPS = 4,    /* process lifecycle records lost: proc ring full */
	SW_CNT_DENIED = 5,        /* connects refused by the enforcement policy */
	SW_CNT_FLOOD_SUPPRESSED = 6, /* records held back by the per-process flood budget (bpf/flood_budget.bpf.h) */
	SW_CNT_MAX = 8,
};

#endif

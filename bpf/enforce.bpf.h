/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The enforcement verdict: may 'current' connect to a watched socket?
 *
 * Userspace compiles the policy (expected callers: uids, executables,
 * containers by name/image, cgroups) into the maps below; containers and
 * images become the cgroup ids of the matching containers, executables the
 * (dev, ino) of the matching files, because names are neither visible nor
 * trustworthy here. Everything not allowed is denied when the caller runs
 * in a container; callers outside containers are allowed unless deny_host.
 *
 * "In a container" is decided here, from the caller's cgroup ancestry, and
 * not from a list userspace keeps: a container that starts and connects at
 * once must not slip through before the agent's next scan. Every runtime
 * this project knows names a container's cgroup after its 64-hex id
 * ("docker-<id>.scope", "cri-containerd-<id>.scope", "/docker/<id>",
 * "libpod-<id>.scope", "crio-<id>.scope", "<id>"): a cgroup with a 64-hex
 * run in its name, or below one, is a container's. conmon's
 * "libpod-conmon-<id>" scope matches too, and is denied like its container.
 */
#ifndef SOCKWARDEN_ENFORCE_BPF_H
#define SOCKWARDEN_ENFORCE_BPF_H

#include "common.bpf.h"

#define SW_EPERM 1
#define SW_CGROUP_DEPTH_MAX 12
#define SW_CGROUP_NAME_MAX 128

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} policy_active SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct sw_policy);
} policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct sw_policy_uid_key);
	__type(value, __u8);
} policy_uids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct sw_policy_cgroup_key);
	__type(value, __u8);
} policy_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct sw_policy_exe_key);
	__type(value, __u8);
} policy_exes SEC(".maps");

/* Eight ASCII bytes that are all lowercase hex digits: branch-free (SWAR),
 * so the verifier sees straight-line code. No byte has its high bit set, so
 * the additions below never carry into the next byte. */
static __always_inline bool all_lower_hex8(__u64 x)
{
	const __u64 high = 0x8080808080808080ULL;
	if (x & high)
		return false;
	__u64 digit = (x + 0x5050505050505050ULL) & ~(x + 0x4646464646464646ULL); /* '0'..'9' */
	__u64 af = (x + 0x1f1f1f1f1f1f1f1fULL) & ~(x + 0x1919191919191919ULL);    /* 'a'..'f' */
	return ((digit | af) & high) == high;
}

/* A container's cgroup: the name ends with a 64-hex id, optionally followed
 * by ".scope" ("<id>", "docker-<id>.scope", "cri-containerd-<id>.scope"...). */
static __always_inline bool container_cgroup_name(struct kernfs_node *kn)
{
	const char *name = BPF_CORE_READ(kn, name);
	char buf[SW_CGROUP_NAME_MAX];
	long n = bpf_probe_read_kernel_str(buf, sizeof(buf), name);
	if (n <= 64)
		return false;
	long len = n - 1;
	__u64 tail = 0, id[8];
	bpf_probe_read_kernel(&tail, sizeof(tail), name + len - 8);
	/* ".scope" in the last six bytes (little endian, above the first two) */
	long off = (tail >> 16) == 0x65706f63732eULL ? len - 70 : len - 64;
	if (off < 0 || bpf_probe_read_kernel(id, sizeof(id), name + off))
		return false;
	bool ok = true;
	for (int i = 0; i < 8; i++)
		ok = ok && all_lower_hex8(id[i]);
	return ok;
}

struct cg_walk {
	struct cgroup *cg;
	__u32 slot;
	__u32 allowed;
	__u32 in_container;
	__u32 _pad;
};

static long cg_level_cb(__u64 i, struct cg_walk *w)
{
	struct cgroup *cg = w->cg; /* a local: CO-RE must not relocate the access to cg_walk */
	if (!cg)
		return 1;
	struct kernfs_node *kn = BPF_CORE_READ(cg, kn);
	struct sw_policy_cgroup_key ck = {.slot = w->slot, .cgroup_id = BPF_CORE_READ(kn, id)};
	if (bpf_map_lookup_elem(&policy_cgroups, &ck)) {
		w->allowed = 1;
		return 1;
	}
	if (!w->in_container && container_cgroup_name(kn))
		w->in_container = 1;
	/* struct cgroup starts with its 'self' css, whose parent is the parent cgroup's. */
	w->cg = (struct cgroup *)BPF_CORE_READ(cg, self.parent);
	return 0;
}

/* Returns true when the policy denies 'current'. Counts denials. */
static __always_inline bool policy_denies(void)
{
	__u32 zero = 0;
	__u32 *active = bpf_map_lookup_elem(&policy_active, &zero);
	if (!active)
		return false;
	__u32 slot = *active & 1;
	struct sw_policy *pol = bpf_map_lookup_elem(&policy, &slot);
	if (!pol || pol->mode != SW_POLICY_ENFORCE)
		return false;

	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct sw_policy_uid_key uk = {.slot = slot, .uid = BPF_CORE_READ(task, cred, euid.val)};
	if (bpf_map_lookup_elem(&policy_uids, &uk))
		return false;

	struct inode *exe = BPF_CORE_READ(task, mm, exe_file, f_inode);
	if (exe) {
		struct sw_policy_exe_key ek = {
			.slot = slot,
			.dev = BPF_CORE_READ(exe, i_sb, s_dev),
			.ino = BPF_CORE_READ(exe, i_ino),
		};
		if (bpf_map_lookup_elem(&policy_exes, &ek))
			return false;
	}

	/* The caller's cgroup v2 and its ancestors: allowed by id, or a container's.
	 * A bpf_loop, so that the verifier checks one level, not twelve. */
	struct cg_walk w = {.cg = BPF_CORE_READ(task, cgroups, dfl_cgrp), .slot = slot};
#ifndef SW_COMPAT_510
	bpf_loop(SW_CGROUP_DEPTH_MAX, cg_level_cb, &w, 0);
#else
	for (__u32 i = 0; i < SW_CGROUP_DEPTH_MAX; i++) /* no bpf_loop before 5.17 */
		if (cg_level_cb(i, &w))
			break;
#endif
	if (w.allowed)
		return false;
	bool in_container = w.in_container;
	if (!in_container && !pol->deny_host)
		return false;
	count(SW_CNT_DENIED);
	return true;
}

#endif

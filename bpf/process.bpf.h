/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process lifecycle for the userspace process table, shared by every tier.
 * sched_process_exec/fork/exit fire once per exec, fork and exit (never per
 * syscall), so their cost does not grow with socket or syscall traffic.
 */
#ifndef SOCKWARDEN_PROCESS_BPF_H
#define SOCKWARDEN_PROCESS_BPF_H

#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 2 << 20); /* ~1,500 records: 20 ms of a 25,000 execs/s storm, and a wake-up at 512 KiB (SW_PROC_WAKEUP_BYTES) */
} proc_events SEC(".maps");

/* A quarter of proc_events: past it a record wakes the agent (ringbuf_wakeup). */
#define SW_PROC_WAKEUP_BYTES (512 << 10)
#define proc_submit(e) bpf_ringbuf_submit((e), ringbuf_wakeup(&proc_events, SW_PROC_WAKEUP_BYTES))

static __always_inline struct sw_proc_event *proc_reserve(__u16 type, struct task_struct *task)
{
	struct sw_proc_event *e = bpf_ringbuf_reserve(&proc_events, sizeof(*e), 0);
	if (!e) {
		count(SW_CNT_PROC_DROPS);
		return NULL;
	}
	e->type = type;
	e->flags = 0;
	e->tgid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = BPF_CORE_READ(task, cred, uid.val);
	e->euid = BPF_CORE_READ(task, cred, euid.val);
	e->gid = BPF_CORE_READ(task, cred, gid.val);
	e->loginuid = (__u32)-1;
	e->sessionid = (__u32)-1;
	/* loginuid/sessionid exist only with CONFIG_AUDIT(SYSCALL). */
	if (bpf_core_field_exists(task->loginuid)) {
		e->loginuid = BPF_CORE_READ(task, loginuid.val);
		e->sessionid = BPF_CORE_READ(task, sessionid);
	}
	e->start_boottime = BPF_CORE_READ(task, start_boottime);
	e->ts_boot_ns = bpf_ktime_get_boot_ns();
	BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
	e->filename_len = 0;
	e->args_len = 0;
	e->filename[0] = 0;
	e->args[0] = 0;
	/* 'current' is the exec'ing task, the forking parent (the child starts in
	 * its cgroup) or the exiting task: the cgroup the process runs in. An
	 * exec's cgroup is how a runtime's exec is tied to its container
	 * (agent/request_effects): runc init joins the container's cgroup before
	 * it execs the requested command. */
	e->cgroup_id = bpf_get_current_cgroup_id();
	/* The capabilities, taken here and not from /proc/PID/status later: a
	 * runtime's exec that lives for a millisecond (`docker exec c cat
	 * /etc/shadow`) is gone before userspace could read its CapEff, and its
	 * privilege is exactly what an exec's effect must report. sched_process_exec
	 * fires after the new credentials were committed. kernel_cap_t is
	 * { __u32 cap[2]; } before 6.3 and { __u64 val; } since: 8 bytes either
	 * way, the same bits on little-endian (x86-64, arm64); read whole, at the
	 * field's relocated offset. */
	const struct cred *cred = BPF_CORE_READ(task, cred);
	e->cap_effective = 0;
	if (cred && bpf_core_read(&e->cap_effective, sizeof(e->cap_effective), &cred->cap_effective) == 0)
		e->flags |= SW_PROC_F_CAPS;
	return e;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_btf__sched_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct sw_proc_event *e = proc_reserve(SW_PROC_EXEC, p);
	if (!e)
		return 0;
	const char *filename = BPF_CORE_READ(bprm, filename);
	long n = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), filename);
	e->filename_len = n > 0 ? n : 0;
	/* The new image's argv was just copied onto its stack by the kernel. */
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	unsigned long start = BPF_CORE_READ(mm, arg_start), end = BPF_CORE_READ(mm, arg_end);
	if (end > start) {
		__u64 len = clamp_size(end - start, SW_PROC_ARGS_MAX);
		if (bpf_probe_read_user(e->args, len, (const void *)start) == 0)
			e->args_len = len;
	}
	proc_submit(e);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_btf__sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	/* Threads share the process: only new thread groups matter. */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	struct sw_proc_event *e = proc_reserve(SW_PROC_FORK, child);
	if (!e)
		return 0;
	/* At fork time real_parent may still be in flux for CLONE_PARENT; the
	 * forking task's process is the parent the user thinks of. */
	if (!BPF_CORE_READ(child, real_parent))
		e->ppid = BPF_CORE_READ(parent, tgid);
	proc_submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_btf__sched_process_exit, struct task_struct *p)
{
#ifdef SW_COMPAT_510
	/* Per-thread records live in a hash map there, not in task storage
	 * that the kernel frees with the task: every exiting thread drops its own. */
	__u32 tid = BPF_CORE_READ(p, pid);
	bpf_map_delete_elem(&pending, &tid);
#endif
	if (BPF_CORE_READ(p, pid) != BPF_CORE_READ(p, tgid))
		return 0;
	struct sw_proc_event *e = proc_reserve(SW_PROC_EXIT, p);
	if (e)
		proc_submit(e);
	return 0;
}

#endif

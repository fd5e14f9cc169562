// Processes a container runtime started inside a container, from the
// kernel's exec records: the ground truth of what an exec request ran
// (agent/request_effects). Whatever the request's body said, this is the
// command line, uid and capabilities the new process got.
//
// "Started by the runtime" is judged from facts a process in the container
// cannot fake: the exec happened in a container's cgroup (the record's cgroup
// id, taken by the kernel), and the exec'ing process's parent is outside that
// cgroup (runc exec or the shim on the host: runc's nsexec clones the final
// process with CLONE_PARENT, so its parent is `runc exec`, later the shim).
// A process forked inside the container has its parent in the same cgroup.
// The exec id comes from the parent's command line when it is runc's
// (`--pid-file <bundle>/<exec id>.pid`, as containerd's runc shim writes it).
//
// containerd's own containers may have any identifier as id (`ctr run ... web`), not the
// 64 hex digits the cgroup layouts are recognised by (enrich/cgroup_layout), so their cgroup
// (/<namespace>/<id> by default) names no container. For those the container is the one the
// runtime parent names: runc's pid file in a containerd task bundle
// (<state>/io.containerd.runtime.v2.task/<namespace>/<id>/<exec id>.pid), or, when runc
// exited first (below), the shim's own `-namespace <ns> -id <id>`. Trusted only from a parent
// running as root whose own cgroup is known (from a kernel record) and is no container's: a
// process in a container cannot pose as the runtime of another, and a runtime's own helpers
// (`runc init` before it joins the container) are not taken for execs. A shim seen only in
// /proc (started before the agent, cgroup unknown) names the container of a child that is no
// runtime binary (it also runs runc on the host) while it is in the host's pid namespace.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/raw_event.h"
#include "enrich/process_table.h"

namespace sockwarden {

struct RuntimeExec {
  uint32_t pid = 0;
  uint64_t ts_boot_ns = 0;
  std::string container_id;  // the container whose cgroup it runs in (containerd: or its runtime parent names)
  std::string exec_id;       // from the parent runc's --pid-file ("" if not runc's)
  std::string containerd_namespace;  // the bundle's namespace when the runtime parent names one, else ""
  std::vector<std::string> args;
  bool args_truncated = false;
  uint32_t uid = 0, euid = 0;
  // CapEff as /proc/PID/status prints it (16 hex digits): from the kernel's exec record, else
  // (a record without it) from /proc, "" once the process is gone.
  std::string cap_effective;
  bool sys_admin = false;     // CapEff has CAP_SYS_ADMIN (21): a privileged exec
  // pid 1 of its own pid namespace: the container's first process, never an exec. A flag, not
  // an exec id: containerd's exec ids are the client's choice, and one named "init" must not
  // make its own process unmatchable.
  bool pid_ns_init = false;
};

// "--pid-file /run/.../<id>.pid" or "--pid-file=..." in runc's argv -> "<id>".
std::string exec_id_from_runc_args(const std::vector<std::string>& args);

// The containerd task a runtime process works for, from its arguments: runc's --pid-file in a
// task bundle (.../io.containerd.runtime.v2.task/<namespace>/<id>/<exec id>.pid), or a
// containerd shim's `-namespace <ns> -id <id>` (Go flag syntax: -x v, -x=v, --x v). Both parts
// must pass containerd's identifier rule; else empty.
struct ContainerdTaskRef {
  std::string ns, id;
  bool empty() const { return id.empty(); }
};
ContainerdTaskRef containerd_task_of_runc_args(const std::vector<std::string>& args);
ContainerdTaskRef containerd_task_of_shim_args(const std::vector<std::string>& args);

// /proc/PID/status text -> whether the process is pid 1 of a pid namespace of its own (NSpid
// has more than one entry, the innermost is 1): a container's first process, which runc starts
// at the task's start (`runc start`), possibly after runc create exited and with the shim as its
// parent, like an exec's. Such a record is the container's init (RuntimeExec::pid_ns_init), never
// an exec.
bool is_pid_namespace_init(std::string_view status);

// Capabilities -> the text /proc/PID/status shows for them: 16 lowercase hex digits.
std::string cap_effective_hex(uint64_t caps);

// CapEff's hex -> whether bit 21 (CAP_SYS_ADMIN) is set.
bool cap_hex_has_sys_admin(std::string_view hex);

class RuntimeExecs {
 public:
  // cgroup id -> the full id of the container it belongs to ("" for none).
  using ContainerOf = std::function<std::string(uint64_t cgroup_id)>;

  RuntimeExecs(ProcessTable& procs, ContainerOf container_of, std::string proc_root = "/proc",
               size_t max_kept = 512, uint64_t keep_ns = 10'000'000'000ull);

  // An exec record, after the process table took it. True when it was a
  // runtime-started exec in a container (and is kept for matching).
  bool on_exec(const ProcEvent& ev);

  // The first exec at or after since_boot_ns that has this exec id, else
  // (exec id unknown) the first in this container; skip: indexes already used.
  const RuntimeExec* find(std::string_view exec_id, std::string_view container_id, uint64_t since_boot_ns) const;
  // containerd's Tasks/Exec and Start: exec ids are the client's choice and repeat across
  // containers, so the container (and namespace, where the record knows it) must match too.
  // The first exec at or after since_boot_ns with this exec id, else (the record knows no id
  // yet, or exec_id is "": a request cut before its exec id) the first in that container.
  const RuntimeExec* find_containerd(std::string_view ns, std::string_view container_id, std::string_view exec_id,
                                     uint64_t since_boot_ns) const;
  // Names the exec the record of `pid` belongs to, when its runc parent's arguments did not:
  // `runc exec --detach` may exit before the process it started calls execve, which then
  // reports the shim (its new parent) instead. The id comes from the exec-start request that
  // this process answered (matched by container and time, like any exec without an id).
  void learn_exec_id(uint32_t pid, const std::string& exec_id);

  // Forget records older than keep_ns before now_boot_ns.
  void expire(uint64_t now_boot_ns);
  size_t size() const { return kept_.size(); }

 private:
  // /proc/PID/status's NSpid has one entry: the process is in the host's pid namespace.
  bool in_host_pid_namespace(uint32_t pid) const;

  ProcessTable& procs_;
  ContainerOf container_of_;
  std::string proc_root_;
  size_t max_kept_;
  uint64_t keep_ns_;
  std::deque<RuntimeExec> kept_;  // oldest first
};

}  // namespace sockwarden

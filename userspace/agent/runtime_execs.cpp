#include "agent/runtime_execs.h"

#include <cstdio>

#include "enrich/containerd_effect_state.h"
#include "enrich/small_file.h"

namespace sockwarden {
namespace {

std::string basename_of(const std::string& p) {
  auto s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

bool runtime_binary(const std::string& exe) {
  std::string b = basename_of(exe);
  return b == "runc" || b == "crun" || b == "youki" || b == "conmon" || b.rfind("containerd-shim", 0) == 0;
}

// The value of a command-line option: "--name v", "--name=v" (and the single-dash forms Go's
// flag package accepts too, with single_dash). The last one counts, as for both parsers.
std::string option_value(const std::vector<std::string>& args, const std::string& name, bool single_dash) {
  std::string v;
  for (size_t i = 0; i < args.size(); i++)
    for (const std::string dash : {"--", "-"}) {
      if (dash == "-" && !single_dash) continue;
      const std::string opt = dash + name;
      if (args[i] == opt && i + 1 < args.size()) v = args[i + 1];
      else if (args[i].rfind(opt + "=", 0) == 0) v = args[i].substr(opt.size() + 1);
    }
  return v;
}

// /proc/PID/status's "NSpid:\t<host pid>\t...\t<pid in the innermost namespace>" (the kernel's
// own text): its entries, tab-separated; "" when there is no such line.
std::string_view nspid_entries(std::string_view status) {
  auto at = status.find("\nNSpid:\t");
  if (at == std::string_view::npos) return {};
  std::string_view line = status.substr(at + 8);
  return line.substr(0, line.find('\n'));
}

}  // namespace

bool is_pid_namespace_init(std::string_view status) {
  std::string_view line = nspid_entries(status);
  auto last_tab = line.rfind('\t');
  return last_tab != std::string_view::npos && line.substr(last_tab + 1) == "1";
}

ContainerdTaskRef containerd_task_of_runc_args(const std::vector<std::string>& args) {
  // <state>/io.containerd.runtime.v2.task/<namespace>/<id>/<exec id>.pid
  const std::string file = option_value(args, "pid-file", false);
  std::vector<std::string> parts;
  size_t end = file.size();
  for (int i = 0; i < 4 && end != std::string::npos && end > 0; i++) {
    size_t slash = file.rfind('/', end - 1);
    if (slash == std::string::npos) break;
    parts.push_back(file.substr(slash + 1, end - slash - 1));  // file, id, namespace, task dir
    end = slash;
  }
  if (parts.size() < 4 || parts[3] != "io.containerd.runtime.v2.task") return {};
  if (!is_containerd_identifier(parts[2]) || !is_containerd_identifier(parts[1])) return {};
  return {parts[2], parts[1]};
}

ContainerdTaskRef containerd_task_of_shim_args(const std::vector<std::string>& args) {
  ContainerdTaskRef t{option_value(args, "namespace", true), option_value(args, "id", true)};
  if (!is_containerd_identifier(t.ns) || !is_containerd_identifier(t.id)) return {};
  return t;
}

std::string exec_id_from_runc_args(const std::vector<std::string>& args) {
  std::string b = basename_of(option_value(args, "pid-file", false));
  if (b.size() <= 4 || b.compare(b.size() - 4, 4, ".pid") != 0) return {};
  b.resize(b.size() - 4);
  if (b.size() > 128) return {};
  return b;
}

std::string cap_effective_hex(uint64_t caps) {
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(caps));
  return buf;
}

bool cap_hex_has_sys_admin(std::string_view hex) {
  // 21 = bit 1 of the 6th hex digit from the right.
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' ')) hex.remove_suffix(1);
  if (hex.size() < 6) return false;
  char c = hex[hex.size() - 6];
  int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0;
  return (v & 0x2) != 0;
}

RuntimeExecs::RuntimeExecs(ProcessTable& procs, ContainerOf container_of, std::string proc_root, size_t max_kept,
                           uint64_t keep_ns)
    : procs_(procs), container_of_(std::move(container_of)), proc_root_(std::move(proc_root)), max_kept_(max_kept),
      keep_ns_(keep_ns) {}

bool RuntimeExecs::on_exec(const ProcEvent& ev) {
  if (ev.kind != ProcEventKind::Exec || ev.cgroup_id == 0) return false;
  // The parent first (a table lookup): most execs on a host are forks of a
  // process in the same cgroup, and need no container lookup at all.
  std::string parent_args_id;
  ContainerdTaskRef task;  // the containerd task the runtime parent names, if any
  bool parent_may_name = false;  // root, and not itself in a container
  {
    const ProcessEntry* parent = procs_.lookup(ev.ppid);
    if (!parent) return false;
    if (parent->cgroup_id != 0) {
      if (parent->cgroup_id == ev.cgroup_id) return false;
    } else if (!runtime_binary(parent->executable)) {
      return false;  // parent's cgroup unknown (seeded from /proc): only a runtime's binary counts
    }
    const std::string b = basename_of(parent->executable);
    if (b == "runc") {
      parent_args_id = exec_id_from_runc_args(parent->args);
      task = containerd_task_of_runc_args(parent->args);
    } else if (b.rfind("containerd-shim", 0) == 0) {
      task = containerd_task_of_shim_args(parent->args);
    }
    if (!task.empty() && parent->euid == 0) {
      if (parent->cgroup_id != 0) {
        // The kernel reported the parent's cgroup: the exec left it (checked above), and it is
        // no container's.
        parent_may_name = container_of_(parent->cgroup_id).empty();
      } else if (b.rfind("containerd-shim", 0) == 0) {
        // A shim seen only in /proc (started before the agent): its cgroup is unknown, so that
        // the exec left it is judged otherwise. The shim also runs runc on the host, which is no
        // exec in a container; and a look-alike in a container with a pid namespace of its own
        // is not the host's runtime. (runc itself is never this old: it lives for one command.)
        const bool child_is_runtime = runtime_binary(ev.filename) || (!ev.args.empty() && runtime_binary(ev.args[0]));
        parent_may_name = !child_is_runtime && in_host_pid_namespace(ev.ppid);
      }
    }
  }
  std::string container = container_of_(ev.cgroup_id);
  // A containerd container whose id the cgroup layouts do not recognise: the runtime parent's
  // bundle or shim names it (see the header).
  if (container.empty() && parent_may_name) container = task.id;
  if (container.empty()) return false;
  RuntimeExec x;
  x.pid = ev.tgid;
  x.ts_boot_ns = ev.ts_boot_ns;
  x.container_id = std::move(container);
  x.exec_id = std::move(parent_args_id);
  // The namespace is only as good as the parent that names it, and only when it names this container.
  if (parent_may_name && task.id == x.container_id) x.containerd_namespace = task.ns;
  x.args = ev.args;
  x.args_truncated = ev.args_truncated;
  x.uid = ev.uid;
  x.euid = ev.euid;
  // The capabilities the kernel's record carries (taken at the exec: a process that exited at
  // once has them too), in /proc's own text form.
  if (ev.has_cap_effective) {
    x.cap_effective = cap_effective_hex(ev.cap_effective);
    x.sys_admin = cap_hex_has_sys_admin(x.cap_effective);
  }
  // /proc is the kernel's text: bounded read, no symlink to follow at "status".
  if (auto st = read_small_file(proc_root_ + "/" + std::to_string(ev.tgid) + "/status", 64 * 1024)) {
    auto at = ev.has_cap_effective ? std::string::npos : st->find("\nCapEff:\t");
    if (at != std::string::npos) {
      auto end = st->find('\n', at + 9);
      x.cap_effective = st->substr(at + 9, end == std::string::npos ? std::string::npos : end - at - 9);
      x.sys_admin = cap_hex_has_sys_admin(x.cap_effective);
    }
    x.pid_ns_init = is_pid_namespace_init(*st);
  }
  kept_.push_back(std::move(x));
  while (kept_.size() > max_kept_) kept_.pop_front();
  return true;
}

bool RuntimeExecs::in_host_pid_namespace(uint32_t pid) const {
  auto st = read_small_file(proc_root_ + "/" + std::to_string(pid) + "/status", 64 * 1024);
  if (!st) return false;
  std::string_view line = nspid_entries(*st);
  return !line.empty() && line.find('\t') == std::string_view::npos;  // one entry: the host's pid only
}

const RuntimeExec* RuntimeExecs::find(std::string_view exec_id, std::string_view container_id,
                                      uint64_t since_boot_ns) const {
  if (!exec_id.empty())
    for (const auto& x : kept_)
      if (x.ts_boot_ns >= since_boot_ns && x.exec_id == exec_id) return &x;
  if (container_id.empty()) return nullptr;
  for (const auto& x : kept_) {
    // An exec the runtime attributed to another exec id is not this one.
    if (!exec_id.empty() && !x.exec_id.empty() && x.exec_id != exec_id) continue;
    // The container's own first process (runc create/run, whose --pid-file is init.pid), not an
    // exec. Docker's exec ids are hex: "init" is never one.
    if (x.pid_ns_init || x.exec_id == "init") continue;
    if (x.ts_boot_ns >= since_boot_ns && x.container_id == container_id) return &x;
  }
  return nullptr;
}

const RuntimeExec* RuntimeExecs::find_containerd(std::string_view ns, std::string_view container_id,
                                                std::string_view exec_id, uint64_t since_boot_ns) const {
  if (container_id.empty()) return nullptr;
  auto here = [&](const RuntimeExec& x) {
    return x.ts_boot_ns >= since_boot_ns && x.container_id == container_id && !x.pid_ns_init &&
           (x.containerd_namespace.empty() || x.containerd_namespace == ns);
  };
  if (!exec_id.empty())
    for (const auto& x : kept_)
      if (here(x) && x.exec_id == exec_id) return &x;
  for (const auto& x : kept_)
    if (here(x) && (exec_id.empty() || x.exec_id.empty())) return &x;
  return nullptr;
}

void RuntimeExecs::expire(uint64_t now_boot_ns) {
  while (!kept_.empty() && kept_.front().ts_boot_ns + keep_ns_ < now_boot_ns) kept_.pop_front();
}

void RuntimeExecs::learn_exec_id(uint32_t pid, const std::string& exec_id) {
  if (exec_id.empty()) return;
  for (auto& x : kept_)
    if (x.pid == pid && x.exec_id.empty()) x.exec_id = exec_id;
}

}  // namespace sockwarden

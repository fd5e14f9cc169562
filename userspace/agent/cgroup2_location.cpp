#include "agent/cgroup2_location.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "capture/errors.h"
#include "capture/watch_list.h"
#include "enrich/host_cgroup2.h"

namespace sockwarden {

Cgroup2Location locate_cgroup2(const AgentOptions& opts) {
  Cgroup2Sources src;
  src.explicit_root = opts.host_cgroup2;
  src.own_mountinfo = opts.mountinfo;
  src.host_root = normalize_host_root(opts.host_root, nullptr);
  int host_pid = host_root_pid(src.host_root);
  if (!src.host_root.empty()) src.host_mountinfo = opts.proc_root + "/" + std::to_string(host_pid) + "/mountinfo";
  std::optional<Cgroup2Choice> choice;
  try {
    choice = locate_host_cgroup2(src);
  } catch (const std::invalid_argument& e) {
    throw UserError(kExitUsage, std::string("--host-cgroup2 ") + e.what());
  }
  CgroupNamespaceCheck ns = check_cgroup_namespace(opts.proc_root, host_pid);
  if (ns.private_ns)
    spdlog::info("the agent runs in a cgroup namespace of its own ({} != {} of {}): callers are resolved by "
                 "cgroup id through the host's hierarchy, not by /proc/PID/cgroup paths",
                 ns.self_ino, ns.host_ino, ns.compared_with);
  if (!choice) {
    spdlog::warn("no cgroup v2 hierarchy found ({}{}): cgroup paths unavailable, socket-tp cannot attach",
                 opts.mountinfo, src.host_root.empty() ? "" : ", --host-root " + src.host_root);
    return {std::nullopt, ns.private_ns};
  }
  if (!choice->whole)
    spdlog::warn("cgroup2 at {} shows only a sub-tree of the hierarchy{}: callers outside it are not attributed "
                 "to containers and socket-tp only sees connects from inside it; mount the host's cgroup2 "
                 "(--host-cgroup2) or pass --host-root (docs/kubernetes-cgroupns.md)",
                 choice->root, ns.private_ns ? " (this cgroup namespace's root)" : "");
  else
    spdlog::info("cgroup2 hierarchy: {} (found via {})", choice->root, choice->how);
  return {choice->root, ns.private_ns};
}

}  // namespace sockwarden

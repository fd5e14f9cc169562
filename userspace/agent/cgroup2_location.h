// Which cgroup2 hierarchy the agent attaches cgroup/connect_unix to and maps
// BPF cgroup ids through. In a private cgroup namespace (a Kubernetes pod on
// a cgroup v2 node) the pod's own cgroup2 mount is rooted at the pod's cgroup:
// it must be the host's, mounted in (--host-cgroup2) or reached under
// --host-root (docs/kubernetes-cgroupns.md).
#pragma once
#include <optional>
#include <string>

#include "agent/agent.h"

namespace sockwarden {

struct Cgroup2Location {
  std::optional<std::string> root;  // nullopt: no cgroup v2 hierarchy found
  bool private_ns = false;          // the agent runs in a cgroup namespace of its own
};

// Logs what it chose and why; throws UserError(kExitUsage) for a bad --host-cgroup2.
Cgroup2Location locate_cgroup2(const AgentOptions& opts);

}  // namespace sockwarden

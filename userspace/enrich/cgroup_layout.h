// Recognises container runtimes from a cgroup v2 path alone (no I/O).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "model/container_info.h"

namespace sockwarden {

// cgroup_path is relative to the cgroup2 mount ("/docker/<id>", as in
// /proc/PID/cgroup's "0::" line). Returns the innermost container, or nullopt
// for cgroups that belong to no container (system services, user sessions,
// conmon monitors). Recognised layouts:
//   Docker cgroupfs         /docker/<id>
//   Docker systemd          /system.slice/docker-<id>.scope
//   Kubernetes systemd      .../kubepods-<qos>-pod<uid_with_underscores>.slice/cri-containerd-<id>.scope
//                           (also crio-<id>.scope, docker-<id>.scope under pod slices)
//   Kubernetes cgroupfs     /kubepods/<qos>/pod<uid>/<id>, /kubepods/pod<uid>/<id>
//   CRI-O cgroupfs          .../pod<uid>/crio-<id>
//   podman                  /machine.slice/libpod-<id>.scope,
//                           /user.slice/user-1000.slice/user@1000.service/user.slice/libpod-<id>.scope
//   nerdctl                 /nerdctl.slice/nerdctl-<id>.scope
//   containerd default      /<namespace>/<id> (ctr, nerdctl with cgroupfs)
// Sub-cgroups below a container ("/docker-<id>.scope/init.scope") still
// resolve to that container.
std::optional<ContainerRef> parse_container_cgroup(const std::string& cgroup_path);

// Exactly 64 lowercase hex digits: the id format of every runtime above.
bool is_container_id(const std::string& s);

}  // namespace sockwarden

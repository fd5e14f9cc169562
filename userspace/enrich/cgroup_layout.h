// Recognises container runtimes from a cgroup v2 path alone (no I/O).
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace sockwarden {

struct ContainerRef {
  std::string runtime;  // "docker", "containerd", "cri-o", "podman"
  std::string id;       // full 64-hex container id
  std::string pod_uid;  // Kubernetes pod uid from the pod's cgroup ("" if none)
  // The layout did not name the runtime (a bare "<id>" directory, e.g.
  // Kubernetes with the cgroupfs driver, which containerd, CRI-O and
  // cri-dockerd all lay out the same way): `runtime` is only a guess and the
  // metadata step probes every runtime's on-disk state.
  bool runtime_inferred = false;
  // Containers this one runs inside, outermost first (Docker-in-Docker, kind
  // nodes, ...). Empty for an ordinary container. Parents' own `parents` are
  // always empty.
  std::vector<ContainerRef> parents;
};

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

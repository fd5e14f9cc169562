// Which container a caller is in: the runtime's reference (from the cgroup
// path) and what its on-disk state says about it. Filled by enrich/, carried
// by every Event.
#pragma once
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

struct ContainerInfo {
  ContainerRef ref;
  std::string name;  // "" while the runtime's metadata is not readable (yet)
  std::string image;
  std::string pod_name;
  std::string pod_namespace;
  std::string pod_uid;
  // The name and image came from root-owned runtime state (not a user's
  // rootless store under /home or /run/user) for a cgroup no user can
  // create (not below a user@UID.service delegation). Only then may
  // container:/image: rules, expected callers and enforcement allow-lists,
  // match: a user names their own containers and delegated cgroups freely
  // ("docker-<a real id>.scope").
  bool trusted = false;
};

}  // namespace sockwarden

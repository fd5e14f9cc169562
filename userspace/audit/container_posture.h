// Containers' security posture from the runtimes' on-disk state (never from
// their sockets): privileged, host root or other sensitive host paths
// mounted, host namespaces, added capabilities, devices, unconfined
// profiles, and runtime sockets mounted (matched by inode).
//
// Docker: every container under each data root, running or not (a created
// privileged container is one `docker start` away; the report says which
// are running). containerd, CRI-O, podman: the OCI specs of running containers.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "audit/finding.h"
#include "audit/socket_inventory.h"
#include "enrich/docker_host_config.h"

namespace sockwarden::audit {

struct ContainerPosture {
  std::string runtime;  // "docker", "containerd"
  std::string id;
  std::string name;
  std::string image;
  bool running = false;
  std::string state_dir;
  DockerHostConfig config;  // OCI specs are mapped onto the same fields
  // Non-empty: the state could not be evaluated (malformed spec); the
  // container yields one audit-error finding instead of its posture.
  std::string error;
};

// The check id of a container that could not be evaluated. The continuous
// audit keeps such a container's previous findings open instead of resolving them.
inline constexpr const char* kAuditErrorCheck = "audit-error";

// The audit-error finding of a container whose `error` is set.
Finding audit_error_finding(const ContainerPosture& c);

// Every container under <data_root>/containers/ of each Docker data root.
std::vector<ContainerPosture> docker_postures(const std::vector<std::string>& data_roots);

// Every <state>/<namespace>/<id>/config.json (containerd's task bundles).
std::vector<ContainerPosture> containerd_postures(const std::string& task_state_dir);

// CRI-O's and rootful podman's running containers: <run_root>/<id>/userdata/config.json
// (containers/storage's run root, normally /run/containers/storage/overlay-containers).
std::vector<ContainerPosture> storage_postures(const std::string& run_root);

// An OCI runtime spec mapped onto DockerHostConfig's fields: bind mounts,
// host namespaces (a namespace type missing from linux.namespaces is the
// host's), capabilities beyond the runtime defaults, devices. "privileged"
// is inferred from CAP_SYS_ADMIN in the bounding set plus no seccomp.
std::optional<DockerHostConfig> posture_from_oci_spec(const std::string& text);

// Host paths whose mount is sensitive (besides "/" and runtime sockets).
bool is_sensitive_host_path(const std::string& path);

// Findings for one container. sockets: the runtime sockets (a bind source
// that is one, or a directory above one, is matched by inode).
std::vector<Finding> posture_findings(const ContainerPosture& c, const std::vector<RuntimeSocket>& sockets);

}  // namespace sockwarden::audit

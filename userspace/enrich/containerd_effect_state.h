// What containerd actually configured for one container: the OCI runtime spec
// in the task's bundle, <state>/io.containerd.runtime.v2.task/<namespace>/<id>/config.json,
// which containerd writes for runc when the task is created (Tasks/Create: `ctr run`,
// the CRI plugin's StartContainer, nerdctl). Until then the spec sits only in
// containerd's metadata database (bolt), which is not read here.
// The ground truth of a containerd request's effect (agent/request_effects),
// read as dockerd's state is (enrich/docker_effect_state.h): small_file,
// owner-owned regular file and directories (never a symlink), 1 MiB, nesting
// checked, and a namespace or id from the caller's bytes becomes a path
// component only after it passed containerd's own identifier rule.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "enrich/host_process.h"

namespace sockwarden {

inline constexpr const char* kDefaultContainerdState = "/run/containerd";
// The executable name a trusted containerd runs (trusted_daemons).
inline constexpr const char* kContainerdExe = "containerd";
inline constexpr const char* kDefaultContainerdRoot = "/var/lib/containerd";
inline constexpr const char* kDefaultContainerdConfig = "/etc/containerd/config.toml";

// containerd's identifier rule (pkg/identifiers): ^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$,
// at most 76 characters. Namespaces and container ids both follow it, so
// anything else (".." included) was refused by containerd and names nothing.
bool is_containerd_identifier(std::string_view s);

// The state directory of a containerd with this command line (/proc/PID/cmdline,
// NUL- or space-separated): --state X / --state=X, else `state = "X"` at the top
// level of its config file (--config/-c, default kDefaultContainerdConfig; a
// file of another owner than CONFIG_OWNER is ignored), else /run/containerd.
std::string containerd_state_from(const std::string& cmdline, std::optional<uint32_t> config_owner = std::nullopt);

// The state directories of every containerd running now under proc_root (the
// same trust rule as running_docker_data_roots: a process running as OWNER in
// the host's mount namespace, outside containers, executing a file named
// containerd that OWNER owns and nobody else may write), or the default when
// none runs.
std::vector<std::string> running_containerd_states(const std::string& proc_root, uint32_t owner = 0,
                                                   uint64_t host_mntns = 0);

// The same for its root directory (--root, `root = "X"`, else /var/lib/containerd), where
// its metadata database is (enrich/containerd_image_state).
std::string containerd_root_from(const std::string& cmdline, std::optional<uint32_t> config_owner = std::nullopt);
std::vector<std::string> running_containerd_roots(const std::string& proc_root, uint32_t owner = 0,
                                                  uint64_t host_mntns = 0);

// The same two from daemons already found (trusted_daemons; those named kContainerdExe), so
// that one pass over /proc serves both and dockerd's data roots.
std::vector<std::string> containerd_states_of(const std::vector<TrustedDaemon>& daemons, uint32_t owner = 0);
std::vector<std::string> containerd_roots_of(const std::vector<TrustedDaemon>& daemons, uint32_t owner = 0);

struct ContainerdBundle {
  std::string state;  // which state directory holds it
  std::string ns, id;
  std::string spec;   // config.json's text (a JSON object)
};

// The bundle spec of container ID in namespace NS under any of STATES;
// nullopt while there is no task (created, never started; or deleted) or when
// it is not an OWNER-owned regular file of at most 1 MiB holding a JSON object
// in OWNER-owned directories.
std::optional<ContainerdBundle> read_containerd_bundle(const std::vector<std::string>& states, const std::string& ns,
                                                       const std::string& id, uint32_t owner = 0);

// The metadata database of a containerd root directory (BoltDB: images, containers, ...).
std::string containerd_metadata_db(const std::string& root);

// The spec containerd stored for container ID of namespace NS when it was created, from the
// metadata database under any of ROOTS (<root>/io.containerd.metadata.v1.bolt/meta.db, bucket
// v1/<ns>/containers/<id>, key "spec": a protobuf Any whose value is the OCI spec's JSON): what
// a container that never got a task has. `state` is the database's path. nullopt when there is
// no such container or its spec is no JSON object (at most 4 MiB, nesting checked).
std::optional<ContainerdBundle> read_containerd_metadata_spec(const std::vector<std::string>& roots,
                                                              const std::string& ns, const std::string& id,
                                                              uint32_t owner = 0);

// The spec as the effect reads it: without the mounts the CRI plugin makes from its own
// per-sandbox and per-container files (hosts, resolv.conf, hostname, /dev/shm: sources under
// ".../io.containerd.grpc.v1.cri/{sandboxes,containers}/"), which no caller asked for; and with
// each namespace joined by path (a CRI container joins its pod sandbox's, /proc/<pid>/ns/<type>)
// resolved: the host's own (same inode as PROC_ROOT/1/ns/<type>, else the agent's own) is dropped, which reads as
// "host", any other loses its path, which reads as a namespace of the container's own.
std::string containerd_spec_as_run(const std::string& spec_text, const std::string& proc_root = "/proc");

// The CRI plugin's containerd namespace (its containers' bundles are there).
inline constexpr const char* kCriNamespace = "k8s.io";

// The bundles of namespace NS whose directory changed at or after SINCE_NS
// (CLOCK_REALTIME; a task's bundle is made when the task is created), at most
// MAX_SPECS of them read, newest first; the directory listing looks at most
// at 4096 entries. For a CRI CreateContainer, whose container id only the
// reply names: its bundle is found by the annotations the CRI plugin writes.
std::vector<ContainerdBundle> recent_containerd_bundles(const std::vector<std::string>& states, const std::string& ns,
                                                        uint64_t since_ns, uint32_t owner = 0, size_t max_specs = 64);

}  // namespace sockwarden

// Where dockerd keeps its state (containers/<id>/config.v2.json lives there).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "enrich/host_process.h"

namespace sockwarden {

inline constexpr const char* kDefaultDockerDataRoot = "/var/lib/docker";
// The executable name a trusted dockerd runs (trusted_daemons).
inline constexpr const char* kDockerdExe = "dockerd";

// Precedence follows dockerd, which refuses to start when a setting is given
// both as a flag and in its config file, so at most one of them is set:
//   1. the command line: --data-root X, --data-root=X, or the deprecated
//      -g X / -g=X / -gX / --graph X / --graph=X (the last occurrence wins);
//   2. the daemon config file: "data-root" (or the deprecated "graph") in
//      --config-file's path if the command line has one (read as given, so
//      it must be valid in the caller's mount namespace), else in
//      daemon_json_path (normally /etc/docker/daemon.json);
//   3. /var/lib/docker.
// cmdline is dockerd's /proc/PID/cmdline as read (arguments separated by
// NULs) or, for tests and humans, one string separated by spaces. Empty if
// dockerd was not found. Never throws; a trailing '/' is removed.
// config_owner: when set, a daemon config file owned by anyone else is ignored.
std::string docker_data_root_from(const std::string& daemon_json_path, const std::string& cmdline,
                                  std::optional<uint32_t> config_owner = std::nullopt);

// The data roots of every dockerd running now under proc_root, plus
// daemon_json_path's (or the default) when none runs. A dockerd is a process
// running as OWNER in the host's mount namespace (HOST_MNTNS, 0: read it)
// and no container cgroup, executing ".../dockerd" owned by OWNER and
// writable by nobody else; never a comm. Config files must be OWNER's too.
std::vector<std::string> running_docker_data_roots(const std::string& proc_root, const std::string& daemon_json_path,
                                                   uint32_t owner = 0, uint64_t host_mntns = 0);

// The same from daemons already found (trusted_daemons; those named kDockerdExe).
std::vector<std::string> docker_data_roots_of(const std::vector<TrustedDaemon>& daemons,
                                              const std::string& daemon_json_path, uint32_t owner = 0);

}  // namespace sockwarden

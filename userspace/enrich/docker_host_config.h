// Docker's per-container security settings, from its on-disk state
// (<data-root>/containers/<id>/hostconfig.json and config.v2.json). Text in,
// fields out: no I/O, so each format is tested from a string.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace sockwarden {

struct HostMount {
  std::string source;       // host path ("" for volumes without one, tmpfs)
  std::string destination;  // path inside the container
  bool read_write = true;
  std::string type;  // "bind", "volume", "tmpfs", ...
};

// moby's container.HostConfig (api/types/container/hostconfig.go).
struct DockerHostConfig {
  bool privileged = false;
  std::string pid_mode;      // "host", "container:<id>", ""
  std::string network_mode;  // "host", "none", "bridge", "default", ...
  std::string ipc_mode;      // "host", "private", "shareable", ...
  std::string uts_mode;
  std::string userns_mode;
  std::vector<std::string> cap_add;
  std::vector<std::string> devices;       // "PathOnHost:PathInContainer"
  std::vector<std::string> security_opt;  // "seccomp=unconfined", "apparmor=unconfined", ...
  std::vector<HostMount> mounts;          // from Binds and Mounts
};

// nullopt if the text is not a JSON object. Binds are "src:dst[:opts]"
// (opts "ro" makes it read-only); "Mounts" are {"Type","Source","Target","ReadOnly"}.
std::optional<DockerHostConfig> parse_docker_hostconfig(const std::string& text);

// config.v2.json's state and resolved mounts ("MountPoints": what dockerd
// actually mounts, with volumes resolved to their host directory).
struct DockerContainerState {
  bool running = false;
  int pid = 0;
  std::vector<HostMount> mount_points;
};
std::optional<DockerContainerState> parse_docker_state(const std::string& config_v2_text);

}  // namespace sockwarden

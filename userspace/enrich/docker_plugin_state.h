// dockerd's plugin store (moby's plugin v2 manager): <data-root>/plugins/<id>/config.json, the
// plugin as dockerd runs it, written by the daemon (atomically, on install, create, enable,
// disable, set, upgrade) after it parsed the request its own way: the ground truth a plugin
// request's effect is judged by (agent/plugin_effects).
//
// Layout observed on dockerd 20.10 (Debian 12's docker.io):
//   plugins/<64 hex id>/config.json   {"plugin": {"Id", "Name": "swpriv:latest", "PluginReference",
//                                       "Enabled", "Config": {"Linux": {"Capabilities",
//                                       "AllowAllDevices", "Devices"}, "Mounts", "Network": {"Type"},
//                                       "PidHost", "IpcHost", "Entrypoint", ...},
//                                       "Settings": {"Mounts", "Devices", "Env", "Args"}},
//                                     "Config": "sha256:...", "Blobsums", "Manifest", ...}
//   plugins/<id>/rootfs/, plugins/storage/ (blobs), plugins/tmp/
//
// Hostile files: config.json is read with read_small_file (O_NOFOLLOW on the last component,
// a regular file, owned by root, at most kDockerPluginConfigMax bytes), the id directory is
// lstat'ed (a symlink there would redirect the read) and must be 64 lowercase hex before it
// becomes a path component, plugins/ is opened O_NOFOLLOW|O_DIRECTORY and listed up to a bound,
// JSON nesting is checked before parsing, and a file whose strings or lists exceed the bounds
// below, or whose "Id" is not its directory's, is refused as not dockerd's.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockwarden {

constexpr size_t kDockerPluginConfigMax = size_t{1} << 20;
constexpr size_t kDockerPluginMaxItems = 256;     // capabilities, mounts, devices, each
constexpr size_t kDockerPluginMaxString = 4096;   // a path, a capability, the name

struct DockerPluginRecord {
  std::string root;          // the data root holding it
  std::string id;            // 64 hex
  std::string name;          // "swpriv:latest" (dockerd's familiar name with its tag)
  std::string reference;     // PluginReference: what it was pulled from ("" for a created plugin)
  bool enabled = false;
  uint64_t written_ns = 0;   // config.json's mtime, realtime ns: dockerd rewrites it on every change
  std::vector<std::string> capabilities;  // Config.Linux.Capabilities as stored ("CAP_SYS_ADMIN")
  bool allow_all_devices = false;         // Config.Linux.AllowAllDevices
  std::vector<std::string> devices;       // device paths: Config.Linux.Devices, Settings.Devices
  std::vector<std::string> mounts;        // mount sources: Config.Mounts, Settings.Mounts (distinct)
  std::vector<std::string> settable_sources;  // sources of mounts/devices `docker plugin set` may change
  std::string network;                    // Config.Network.Type ("host", "bridge", "")
  bool pid_host = false, ipc_host = false;
  // What moby's computePrivileges lists for this Config (what a pull or upgrade must be
  // accepted with), one "<name>=<value>" per value: "network=host", "mount=/",
  // "capabilities=CAP_SYS_ADMIN", "allow-all-devices=true", "host pid namespace=true", ...
  std::vector<std::string> privileges;
};

// A plugin reference as dockerd normalizes it before looking its store up by name
// (reference.ParseNormalizedNamed, TagNameOnly, FamiliarString): "swpriv" and
// "docker.io/library/swpriv" -> "swpriv:latest", "docker.io/vieux/sshfs:1" -> "vieux/sshfs:1",
// "localhost:5000/p" -> "localhost:5000/p:latest". "" for what dockerd cannot parse as a name
// (uppercase repository, bad characters) and for a digest reference (dockerd cannot resolve those).
std::string docker_plugin_familiar_name(std::string_view ref);

// One plugin's record under `root`, nullopt when the id is not 64 lowercase hex, its directory
// is a symlink or another owner's, config.json is missing, not a root-owned regular file, too
// large, too deep, not an object with a "plugin" object, names another id, or exceeds the bounds.
// `owner`: the uid the files must belong to (root; a test passes its own).
std::optional<DockerPluginRecord> read_docker_plugin(const std::string& root, const std::string& id,
                                                     uint32_t owner = 0);

// Every readable plugin under `root` (at most max_entries directory entries looked at).
std::vector<DockerPluginRecord> docker_list_plugins(const std::string& root, uint32_t owner = 0,
                                                    size_t max_entries = 1024);

// A reference as the plugin API takes it, resolved the way dockerd's plugin store does: a full
// id, then the familiar name with its implicit ":latest", then a unique id prefix (a prefix two
// plugins share names none). Among `plugins` (docker_list_plugins of every data root; one root's
// plugins are one daemon's store, so a prefix must be unique within its root).
const DockerPluginRecord* docker_find_plugin(const std::vector<DockerPluginRecord>& plugins, std::string_view ref);

}  // namespace sockwarden

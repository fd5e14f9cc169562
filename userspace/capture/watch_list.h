// Which sockets are watched, and their kernel identity.
//
// Identity is the listener's inode and device (never the path string): a
// symlink, a relative path, a bind-mount alias in a container and
// /proc/PID/root/... all reach the same inode. Abstract sockets ("@name")
// have no inode; their identity is the name plus the network namespace.
#pragma once
#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "events.h"

namespace sockwarden {

// The runtime sockets watched by default (globs allowed; missing ones are
// picked up when they appear).
std::vector<std::string> default_socket_specs();

// stat()'s st_dev -> the kernel's s_dev encoding (major << 20 | minor) that BPF sees.
uint32_t kernel_dev(dev_t st_dev);

struct ResolvedWatch {
  uint32_t watch_id = 0;
  std::string path;                    // concrete path, or "@name" for abstract sockets
  sw_watch_key key{};
  std::vector<std::string> basenames;  // for the pre-resolution connect hook
  bool operator==(const ResolvedWatch& o) const;
};

class WatchList {
 public:
  // specs: paths (globs allowed) or "@name". netns_ino: the network namespace
  // abstract names are looked up in (the agent's own by default).
  // host_root: "" = paths are the agent's own; else the directory under which the
  // host's filesystem is seen (--host-root, e.g. /proc/1/root in a container with
  // the host's PID namespace): paths are looked up under it, but reported (and
  // matched against connect() arguments) as the host paths they are.
  WatchList(std::vector<std::string> specs, uint64_t netns_ino, std::string host_root = "");

  // Expand globs, stat, keep what exists and is a socket. Watch ids are stable
  // per concrete path for the life of the object.
  std::vector<ResolvedWatch> resolve();

  // Display path of a watch id ("" if unknown).
  std::string path_of(uint32_t watch_id) const;
  const std::vector<std::string>& specs() const { return specs_; }

  // Validate one spec; returns an error message or "" (used for CLI errors).
  static std::string validate_spec(const std::string& spec);

  // The host paths one path spec names: a glob expanded under the host root
  // (matches only), a plain path as it is (whether or not it exists).
  std::vector<std::string> expand(const std::string& spec) const;
  // stat() of a host path, looked up under the host root like resolve() does
  // (symlinks resolved inside it). false if it cannot be reached.
  bool stat_host_path(const std::string& path, struct stat* st) const;
  // The host path PATH finally names (symlinks resolved inside the host root),
  // or "" if it cannot be reached. realpath() would resolve absolute symlinks
  // against the agent's own root.
  std::string real_host_path(const std::string& path) const;

 private:
  uint32_t id_for(const std::string& path);
  int open_in_root(const std::string& path, bool follow_last) const;
  bool stat_path(const std::string& path, bool in_root, struct stat* st) const;
  std::string basename_of_target(const std::string& path) const;
  std::vector<std::string> specs_;
  uint64_t netns_ino_;
  std::string host_root_;  // no trailing slash; "" = the agent's own root
  std::map<std::string, uint32_t> ids_;
  std::vector<std::string> paths_;  // index = watch id - 1
};

// The agent's own network namespace inode (for abstract names).
uint64_t self_netns_ino();

// --host-root: "" stays "", "/" becomes "", trailing slashes go; must be an
// existing directory (else an error message is returned in *error).
std::string normalize_host_root(const std::string& dir, std::string* error);

// The process a host root "/proc/PID/root" (any proc mount) looks through, i.e. one in the
// host's namespaces; 1 for any other form (or "").
int host_root_pid(const std::string& host_root);

}  // namespace sockwarden

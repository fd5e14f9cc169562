// cgroup path -> container name, image and pod, from the runtimes' on-disk
// state. Never talks to a runtime's socket: the agent must not depend on (or
// be able to hang on) dockerd, containerd or CRI-O, and reading their files
// needs no credentials beyond the root the agent already has.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

#include "enrich/cgroup_layout.h"
#include "enrich/runtime_state.h"
#include "enrich/storage_list_index.h"

namespace sockwarden {

// Where each runtime keeps its state. Every path is a parameter so tests use
// temp trees and hosts with non-default settings can be configured. The
// containers/storage paths (podman, CRI-O) name the overlay driver's
// directory; the other drivers' "<driver>-containers" next to it (vfs,
// btrfs, zfs) are searched too.
struct RuntimeRoots {
  // dockerd's --data-root: containers/<id>/config.v2.json. Use
  // docker_data_root_from() to follow daemon.json / dockerd's flags.
  // (Rootless Docker keeps it in ~/.local/share/docker: not searched.)
  std::string docker_data_root = "/var/lib/docker";
  // containerd's shim v2 task state: <namespace>/<id>/config.json is the OCI
  // bundle's spec, for every namespace ("k8s.io" for the CRI plugin,
  // "moby" for Docker, "default" for ctr/nerdctl). k3s and RKE2 use
  // /run/k3s/containerd/io.containerd.runtime.v2.task.
  std::string containerd_state = "/run/containerd/io.containerd.runtime.v2.task";
  // CRI-O writes each container's spec twice (server/container_create.go):
  // to the storage run root (the bundle conmon hands to runc, gone at
  // reboot) and to the graph root (kept for state recovery). Both are
  // <dir>/<id>/userdata/config.json; the graph root's containers lists are
  // the fallback when neither spec is readable.
  std::string crio_state = "/run/containers/storage/overlay-containers";
  std::string crio_config = "/var/lib/containers/storage/overlay-containers";
  // podman's spec carries no name or image (only io.container.manager=libpod),
  // and its own database (libpod/bolt_state.db or db.sql) is not a format to
  // parse here, so podman is resolved from containers/storage's lists, kept
  // in the graph root (containers.json) and, with a transient store, in the
  // run root (volatile-containers.json).
  std::string podman_rootful = "/var/lib/containers/storage/overlay-containers";
  std::string podman_rootful_run = "/run/containers/storage/overlay-containers";
  // Rootless podman: each user's graph root and run root ($XDG_RUNTIME_DIR).
  // glob(3) patterns; users whose home is not under /home are not found.
  std::string podman_rootless_glob = "/home/*/.local/share/containers/storage/overlay-containers";
  std::string podman_rootless_run_glob = "/run/user/*/containers/overlay-containers";
};

// Not thread-safe: one per pipeline thread, like CgroupResolver.
class ContainerResolver {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // A resolved entry is trusted until its state directory is gone; that is
  // checked at most once per kStateRecheck per entry, on a hit.
  static constexpr std::chrono::seconds kStateRecheck{1};

  // max_entries bounds the cache (LRU over cgroup paths, including paths that
  // are no container). miss_retry_interval: a container whose metadata could
  // not be read is looked up again on the next call (0, the default) or at
  // most once per interval, for hosts where unresolvable containers (nested
  // ones, whose state lives inside their parent) are busy.
  explicit ContainerResolver(RuntimeRoots roots = {}, size_t max_entries = 4096,
                             Clock now = std::chrono::steady_clock::now,
                             std::chrono::milliseconds miss_retry_interval = std::chrono::milliseconds(0));

  // nullopt: the cgroup belongs to no container. Otherwise the container's
  // ref is always filled; name and the rest are "" while its metadata is
  // unreadable. Never blocks on a runtime and never throws.
  std::optional<ContainerInfo> resolve(const std::string& cgroup_path);

  // Several dockerds may run (a CI host, a test daemon) with their own
  // --data-root: every root is searched, the configured one first.
  void set_docker_data_roots(const std::vector<std::string>& extra);

  size_t cache_size() const { return index_.size(); }
  const std::vector<std::string>& docker_data_roots() const { return docker_roots_; }
  uint64_t disk_lookups() const { return disk_lookups_; }

 private:
  std::vector<std::string> docker_roots_;
  struct Found {
    RuntimeMetadata meta;
    std::string runtime;
    std::string state_dir;  // exists as long as the container does
    bool trusted = true;    // false: read from a user-writable (rootless) store
  };
  struct Entry {
    std::optional<ContainerRef> parsed;  // nullopt: not a container cgroup
    std::optional<ContainerInfo> info;
    std::string state_dir;
    bool resolved = false;  // metadata found, or nothing to find
    bool delegated = false; // a cgroup a user may create and name
    std::chrono::steady_clock::time_point checked;
  };

  Entry* touch(const std::string& cgroup_path);  // a hit becomes most recently used
  void insert(const std::string& cgroup_path, Entry e);
  void refresh(Entry& e, std::chrono::steady_clock::time_point now);

  std::optional<Found> lookup(const ContainerRef& ref);
  std::optional<Found> lookup_docker(const std::string& id);
  std::optional<Found> lookup_containerd(const std::string& id);
  std::optional<Found> lookup_crio(const std::string& id);
  std::optional<Found> lookup_podman(const std::string& id);

  RuntimeRoots roots_;
  size_t max_entries_;
  Clock now_;
  std::chrono::milliseconds miss_retry_;
  StorageListIndex lists_;
  uint64_t disk_lookups_ = 0;

  // LRU: front is the most recently used entry.
  using Slot = std::pair<std::string, Entry>;
  std::list<Slot> lru_;
  std::unordered_map<std::string, std::list<Slot>::iterator> index_;
};

}  // namespace sockwarden

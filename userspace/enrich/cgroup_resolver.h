// Maps a cgroup v2 id (bpf_get_current_cgroup_id()) to its path in the hierarchy.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "enrich/cgroup_walk.h"

namespace sockwarden {

// On cgroup v2 a cgroup's id is its kernfs node id, which is also the inode
// number of its directory. On 64-bit kernels those ids are never reused, so a
// cached id -> path mapping stays correct for as long as the cgroup exists.
class CgroupResolver {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // cgroup2_root: the cgroup2 mount point (see find_cgroup2_mount()).
  // min_rescan_interval: at most one full tree walk per interval, so a flood
  // of ids that are not in the tree (exited cgroups, garbage) cannot make the
  // agent walk the hierarchy in a loop. now: injectable for tests.
  explicit CgroupResolver(std::string cgroup2_root, size_t max_entries = 8192,
                          std::chrono::milliseconds min_rescan_interval = std::chrono::milliseconds(200),
                          Clock now = std::chrono::steady_clock::now);

  // Path relative to the root ("/" for the root itself, "/docker/<id>", ...),
  // or "" if the id is not (or no longer) in the tree.
  std::string path_for(uint64_t id);

  size_t cache_size() const { return index_.size(); }
  uint64_t rescan_count() const { return rescans_; }
  const std::string& root() const { return root_; }
  void set_walk_limits(const CgroupWalkLimits& limits) { limits_ = limits; }
  // What the last walk saw (visited count, whether a limit cut it short).
  const CgroupWalkResult& last_walk() const { return last_walk_; }

 private:
  std::optional<std::string> lookup(uint64_t id);  // cache hit marks the entry most recently used
  void remember(uint64_t id, std::string path);
  void prewarm(uint64_t id, const std::string& path);
  std::optional<std::string> rescan(uint64_t wanted);

  std::string root_;
  size_t max_entries_;
  std::chrono::milliseconds min_rescan_interval_;
  Clock now_;
  std::optional<std::chrono::steady_clock::time_point> last_rescan_;
  uint64_t rescans_ = 0;
  CgroupWalkLimits limits_;
  CgroupWalkResult last_walk_;
  bool warned_limits_ = false;

  // LRU: front is the most recently used entry.
  using Entry = std::pair<uint64_t, std::string>;
  std::list<Entry> lru_;
  std::unordered_map<uint64_t, std::list<Entry>::iterator> index_;
};

}  // namespace sockwarden

#include "enrich/cgroup_resolver.h"

#include <spdlog/spdlog.h>

#include <iterator>

namespace sockwarden {

CgroupResolver::CgroupResolver(std::string cgroup2_root, size_t max_entries,
                               std::chrono::milliseconds min_rescan_interval, Clock now)
    : root_(std::move(cgroup2_root)),
      max_entries_(max_entries == 0 ? 1 : max_entries),
      min_rescan_interval_(min_rescan_interval),
      now_(std::move(now)) {}

std::string CgroupResolver::path_for(uint64_t id) {
  if (auto hit = lookup(id)) return *hit;
  auto t = now_();
  if (last_rescan_ && t - *last_rescan_ < min_rescan_interval_) return "";
  last_rescan_ = t;
  auto found = rescan(id);
  if (!found) return "";
  remember(id, *found);
  return *found;
}

std::optional<std::string> CgroupResolver::lookup(uint64_t id) {
  auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void CgroupResolver::remember(uint64_t id, std::string path) {
  auto it = index_.find(id);
  if (it != index_.end()) {
    it->second->second = std::move(path);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(id, std::move(path));
  index_[id] = lru_.begin();
  while (index_.size() > max_entries_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

// Other cgroups seen during a walk are cached too (most will be asked for
// soon), but only into free slots and at the cold end: a walk of a tree larger
// than the cache must not evict the entries that are actually in use.
void CgroupResolver::prewarm(uint64_t id, const std::string& path) {
  if (index_.size() >= max_entries_ || index_.count(id)) return;
  lru_.emplace_back(id, path);
  index_[id] = std::prev(lru_.end());
}

// The walk (cgroup_walk.h) is bounded and never follows symlinks; cgroups
// that vanish mid-walk only skip their subtree.
std::optional<std::string> CgroupResolver::rescan(uint64_t wanted) {
  ++rescans_;
  std::optional<std::string> found;
  last_walk_ = walk_cgroup_tree(root_, limits_, [&](uint64_t ino, const std::string& rel) {
    if (ino == wanted) found = rel;
    prewarm(ino, rel);
    return true;
  });
  // Once: a tree this large or deep is unusual enough to say so, and cgroups
  // beyond the limits stay unattributed (the limits keep a hostile tree from
  // stalling the event path).
  if ((last_walk_.hit_depth || last_walk_.hit_entries) && !warned_limits_) {
    warned_limits_ = true;
    spdlog::warn("cgroup hierarchy {} exceeds the walk's limits ({} levels, {} directories): cgroups beyond "
                 "them are not attributed", root_, limits_.max_depth, limits_.max_entries);
  }
  return found;
}

}  // namespace sockwarden

#include "enrich/cgroup_resolver.h"

#include <sys/stat.h>

#include <filesystem>
#include <iterator>
#include <vector>

namespace fs = std::filesystem;

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

// Walks the hierarchy by hand instead of recursive_directory_iterator: cgroups
// come and go while we walk (ENOENT mid-iteration), and one vanished or
// unreadable directory must only skip that subtree, not end the scan.
std::optional<std::string> CgroupResolver::rescan(uint64_t wanted) {
  ++rescans_;
  std::optional<std::string> found;
  auto visit = [&](uint64_t ino, const std::string& rel) {
    if (ino == wanted) found = rel;
    prewarm(ino, rel);
  };
  struct stat st {};
  if (::lstat(root_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  visit(st.st_ino, "/");

  std::vector<std::pair<fs::path, std::string>> pending{{fs::path(root_), ""}};
  while (!pending.empty()) {
    auto [dir, rel] = std::move(pending.back());
    pending.pop_back();
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      // symlink_status: never follow links out of the hierarchy (cgroupfs has
      // none, but a test tree or an odd mount could).
      auto type = it->symlink_status(ec).type();
      if (ec) {
        ec.clear();
        continue;
      }
      if (type != fs::file_type::directory) continue;
      const fs::path& child = it->path();
      if (::lstat(child.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
      std::string child_rel = rel + "/" + child.filename().string();
      visit(st.st_ino, child_rel);
      pending.emplace_back(child, std::move(child_rel));
    }
  }
  return found;
}

}  // namespace sockwarden

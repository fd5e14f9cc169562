#include "enrich/storage_list_index.h"

#include <sys/stat.h>

#include "enrich/small_file.h"

namespace sockwarden {
namespace {

// About 1 KiB per container, so room for ~1000 of one user's containers. These
// lists sit in users' home directories: each one read (and parsed, and cached
// per file) costs the agent memory the user chooses, so the cap stays small.
constexpr size_t kMaxListBytes = 1u << 20;

constexpr const char* kListNames[] = {"containers.json", "volatile-containers.json"};

}  // namespace

const StorageListIndex::Loaded* StorageListIndex::load(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    files_.erase(path);
    return nullptr;
  }
  Stamp stamp{static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_size),
              static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  auto it = files_.find(path);
  if (it != files_.end() && it->second.stamp == stamp) return &it->second;

  auto text = read_small_file(path, kMaxListBytes);
  auto entries = text ? parse_storage_containers(*text) : std::nullopt;
  ++parses_;
  if (!entries) {
    // Unreadable or mid-rewrite: forget it and try again on the next miss.
    files_.erase(path);
    return nullptr;
  }
  if (it == files_.end() && files_.size() >= kMaxFiles) files_.clear();
  Loaded& slot = files_[path];
  slot.stamp = stamp;
  slot.by_id.clear();
  for (auto& e : *entries) {
    std::string id = e.id;
    slot.by_id.emplace(std::move(id), std::move(e));
  }
  return &slot;
}

std::optional<StorageListIndex::Hit> StorageListIndex::find(const std::vector<std::string>& dirs,
                                                            const std::string& id) {
  for (const auto& dir : dirs) {
    for (const char* name : kListNames) {
      const Loaded* l = load(dir + "/" + name);
      if (!l) continue;
      auto it = l->by_id.find(id);
      if (it != l->by_id.end()) return Hit{it->second, dir};
    }
  }
  return std::nullopt;
}

}  // namespace sockwarden

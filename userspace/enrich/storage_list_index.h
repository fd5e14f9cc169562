// containers/storage's container lists (podman and CRI-O), parsed once and
// re-read only when a list file changes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "enrich/runtime_state.h"

namespace sockwarden {

// Each "<driver>-containers" directory (e.g.
// /var/lib/containers/storage/overlay-containers) holds containers.json and,
// for containers created volatile (every CRI-O container, podman --rm and
// quadlets) volatile-containers.json; with podman's transient store the
// volatile list lives in the run root's directory instead. Both lists are
// rewritten whole by rename, so a changed (inode, size, mtime) stamp is a
// reliable "re-read me".
class StorageListIndex {
 public:
  struct Hit {
    StorageContainer entry;
    std::string dir;  // the directory whose list named the container
  };

  // Looks id up in both lists of each dir, in order. Costs one stat per list
  // file (plus a parse for each file that changed), so it is meant for cache
  // misses only.
  std::optional<Hit> find(const std::vector<std::string>& dirs, const std::string& id);

  size_t files_loaded() const { return files_.size(); }
  uint64_t parses() const { return parses_; }

 private:
  struct Stamp {
    uint64_t ino = 0, size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const Stamp&) const = default;
  };
  struct Loaded {
    Stamp stamp;
    std::unordered_map<std::string, StorageContainer> by_id;
  };
  const Loaded* load(const std::string& path);

  // Keyed by list path. Rootless podman adds two lists per user, so a glob
  // over /home can name many; past kMaxFiles the whole index is dropped and
  // rebuilt on demand rather than tracking recency.
  static constexpr size_t kMaxFiles = 256;
  std::unordered_map<std::string, Loaded> files_;
  uint64_t parses_ = 0;
};

}  // namespace sockwarden

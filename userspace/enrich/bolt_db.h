// A read-only reader of bbolt databases (go.etcd.io/bbolt), the key/value
// store where runtimes keep what they write nowhere else:
//   - containerd's metadata, <root>/io.containerd.metadata.v1.bolt/meta.db:
//     images (name -> target digest) and containers (their OCI spec before a task exists);
//   - podman 4's state, <graph root>/libpod/bolt_state.db: a container's
//     configuration and OCI spec from its create, before its first start.
// Nothing in Debian reads bbolt from C/C++, and the format is small: a file of
// fixed-size pages, two meta pages (the newer valid one is the database), and
// a B+tree of nested buckets, each key/value in a leaf, a small bucket inline
// in its parent's value.
//
// Hostile and live files: the daemon writes them while we read (it holds an
// exclusive flock, so we take none), and the keys and values are what its
// clients sent. So:
//   - the file is opened as read_small_file opens (no symlink, regular file,
//     `owner`'s), and only the pages a lookup needs are read (pread);
//   - every page id, element offset, length and overflow count is checked
//     against the page and the file; a page must carry its own id and the
//     kind of page expected; trees deeper than 32 and lookups reading more
//     than `max_pages` pages are refused (a cycle cannot loop);
//   - a lookup is consistent: bbolt copies on write and reuses a page only two
//     transactions after the one that freed it, so a lookup is kept when the
//     meta's transaction id moved by at most one while it ran, retried (3
//     times) otherwise.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockwarden {

struct BoltLimits {
  size_t max_file = size_t{4} << 30;   // a file larger than this is refused
  size_t max_value = size_t{4} << 20;  // a value (with its overflow pages) larger is skipped
  size_t max_pages = 100000;           // pages one lookup may read
};

class BoltDb {
 public:
  // nullopt (and *why set) when the file cannot be opened under those rules
  // or holds no valid meta page.
  static std::optional<BoltDb> open(const std::string& path, uint32_t owner, BoltLimits limits = {},
                                    std::string* why = nullptr);
  BoltDb(BoltDb&&) noexcept;
  BoltDb& operator=(BoltDb&&) noexcept;
  BoltDb(const BoltDb&) = delete;
  BoltDb& operator=(const BoltDb&) = delete;
  ~BoltDb();

  // One consistent view of the database, for several lookups that must agree
  // (a bucket's entries, then a value in each). Paths are nested bucket names
  // from the top.
  class View {
   public:
    // Each entry of the bucket at `path`, in key order: fn(key, value,
    // is_bucket) returns false to stop (a sub-bucket's value is empty here).
    // False when the bucket is missing or a page was inconsistent.
    using Visit = std::function<bool(std::string_view key, std::string_view value, bool is_bucket)>;
    bool each(const std::vector<std::string>& path, const Visit& fn);
    // The value of `key` in the bucket at `path` (not a sub-bucket); nullopt if
    // absent, too large or unreadable.
    std::optional<std::string> get(const std::vector<std::string>& path, std::string_view key);

   private:
    friend class BoltDb;
    struct State;
    explicit View(State* s) : s_(s) {}
    State* s_;
  };

  // Runs fn against a consistent snapshot. fn may run again from the start (a
  // page changed under it): it builds its result from nothing each time. False
  // when no consistent snapshot could be had (3 tries) or the file is damaged.
  bool read(const std::function<void(View&)>& fn) const;

  // One lookup, in a view of its own.
  bool each(const std::vector<std::string>& path, const View::Visit& fn) const;
  std::optional<std::string> get(const std::vector<std::string>& path, std::string_view key) const;

  uint32_t page_size() const { return page_size_; }

 private:
  BoltDb(int fd, BoltLimits limits) : fd_(fd), limits_(limits) {}
  struct Meta {
    uint32_t page_size = 0;
    uint64_t root = 0;  // the top bucket's root page
    uint64_t high = 0;  // pages in use: every valid page id is below it
    uint64_t txid = 0;
  };
  std::optional<Meta> read_meta() const;

  int fd_ = -1;
  BoltLimits limits_;
  uint32_t page_size_ = 0;
};

}  // namespace sockwarden

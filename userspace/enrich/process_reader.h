// Reads executable, command line and name of a process from a procfs tree.
#pragma once
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

#include "output/event.h"

namespace sockwarden {

class ProcessReader {
 public:
  // proc_root is a parameter so tests can point it at a fake tree.
  explicit ProcessReader(std::string proc_root = "/proc", size_t max_entries = 4096);

  // Never throws. For a process that already exited (common: short-lived
  // clients like `curl --unix-socket` are gone before the event is read) it
  // returns what is still known: an earlier cached entry, else only the name.
  // comm_hint (the event's comm) wins over the cached name because comm is per
  // thread and may have changed since the entry was cached.
  ProcessInfo read(uint32_t tgid, const std::string& comm_hint);

  void invalidate(uint32_t tgid);
  size_t cache_size() const { return index_.size(); }

  static constexpr size_t kMaxCommandLine = 4096;

 private:
  struct Entry {
    uint32_t tgid;
    uint64_t starttime;
    ProcessInfo info;
  };

  std::optional<uint64_t> read_starttime(uint32_t tgid) const;
  ProcessInfo read_fresh(uint32_t tgid) const;
  void store(uint32_t tgid, uint64_t starttime, const ProcessInfo& info);

  std::string proc_root_;
  size_t max_entries_;
  std::list<Entry> lru_;  // front: most recently used
  std::unordered_map<uint32_t, std::list<Entry>::iterator> index_;
};

}  // namespace sockwarden

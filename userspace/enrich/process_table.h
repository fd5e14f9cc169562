// The process table: fed by the kernel's exec/fork/exit records, so a caller
// that exits a millisecond after its write (curl --unix-socket) is still
// resolved to its executable, command line and ancestors. /proc is read only
// for processes that existed before the agent started (seed) or whose
// records were lost.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "capture/raw_event.h"

namespace sockwarden {

// argv joined by single spaces, as ECS process.command_line shows it.
std::string join_args(const std::vector<std::string>& args);

// What a process was running before an exec, and until when.
struct ProcessImage {
  uint64_t until_boot_ns = 0;  // the exec that replaced it (bpf_ktime_get_boot_ns)
  std::string executable;
  std::vector<std::string> args;
};

struct ProcessEntry {
  uint32_t tgid = 0;
  uint32_t ppid = 0;
  uint32_t uid = 0, euid = 0, gid = 0;
  uint32_t loginuid = UINT32_MAX;   // audit login uid; UINT32_MAX = unset
  uint32_t sessionid = UINT32_MAX;  // audit session; UINT32_MAX = unset
  uint64_t start_boottime_ns = 0;
  uint64_t cgroup_id = 0;  // from its last fork/exec record (0: seeded from /proc, unknown)
  std::string executable;
  std::vector<std::string> args;
  std::string name;  // comm
  bool from_proc = false;  // read from /proc rather than seen by the kernel hooks
  // Earlier images, oldest first (bounded): an event queued before an exec
  // but read after it is attributed to the program that made the call.
  std::vector<ProcessImage> previous;
  bool exited = false;
  std::chrono::steady_clock::time_point exited_at{};

  std::string command_line() const;
  // Executable and args at boot-time ns `ts` (the current ones if later than every exec).
  ProcessImage image_at(uint64_t ts) const;
};

class ProcessTable {
 public:
  using Clock = std::chrono::steady_clock;
  // Exited processes stay `exit_grace` so late events still resolve.
  explicit ProcessTable(std::string proc_root = "/proc", size_t max_entries = 65536,
                        std::chrono::seconds exit_grace = std::chrono::seconds(30));

  // Read every process already running (once, at start). Returns how many.
  size_t seed_from_proc();

  void on_event(const ProcEvent& ev, Clock::time_point now = Clock::now());

  // The entry for tgid: from the table, else read from /proc (and kept).
  // Valid until the next call that may insert (copy what you keep).
  const ProcessEntry* lookup(uint32_t tgid);

  // Parent, grandparent, ... (up to max), nearest first; stops at pid 0/1 or
  // a loop. Copies: later lookups may evict entries.
  std::vector<ProcessEntry> ancestors(uint32_t tgid, size_t max = 8);
  // The same walk without copies: f sees each ancestor, nearest first (the
  // reference is valid only during the call).
  void for_each_ancestor(uint32_t tgid, size_t max, const std::function<void(const ProcessEntry&)>& f);

  // Drop exited processes past their grace period.
  void expire(Clock::time_point now = Clock::now());

  size_t size() const { return table_.size(); }
  // Changes whenever an entry is added, changed or removed: what was derived
  // from the table (EventBuilder's per-process cache) is current while it stays.
  uint64_t generation() const { return generation_; }
  uint64_t proc_reads() const { return proc_reads_; }

 private:
  std::optional<ProcessEntry> read_proc(uint32_t tgid) const;
  ProcessEntry& upsert(uint32_t tgid);
  void enforce_bound();

  std::string proc_root_;
  size_t max_entries_;
  std::chrono::seconds exit_grace_;
  std::unordered_map<uint32_t, ProcessEntry> table_;
  std::deque<uint32_t> order_;  // insertion order, for the size bound
  uint64_t proc_reads_ = 0;
  uint64_t generation_ = 0;
};

}  // namespace sockwarden

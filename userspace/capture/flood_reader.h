// Reads the kernel's per-process flood budget state (bpf/flood_budget.bpf.h)
// and turns the growth of each process's suppressed counts into one report
// per process and window: the flood is summarised, not replayed.
#pragma once
#include <chrono>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "capture/raw_event.h"

namespace sockwarden {

class FloodReader {
 public:
  // map_fd: the flood_state map; window: the shortest time between two reports.
  explicit FloodReader(int map_fd, std::chrono::milliseconds window = std::chrono::milliseconds(2000))
      : fd_(map_fd), window_(window) {}

  // Processes whose suppressed counts grew since their last report, at most
  // once per window (force: now, e.g. at exit). The RawEvent carries the
  // identity the kernel recorded at the last suppression (tgid, uid, euid,
  // cgroup, comm, ts_boot_ns).
  struct Report {
    RawEvent who;
    FloodCounts counts;
  };
  std::vector<Report> poll(std::chrono::steady_clock::time_point now, bool force = false);

  uint64_t entries_seen() const { return last_.size(); }

 private:
  int fd_;
  std::chrono::milliseconds window_;
  std::chrono::steady_clock::time_point last_poll_{};
  struct Seen {
    uint64_t sends = 0, opens = 0, bytes = 0;
  };
  std::unordered_map<uint32_t, Seen> last_;  // by tgid
};

}  // namespace sockwarden

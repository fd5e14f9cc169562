// Enforcement is fail-open: when the agent dies its BPF links go with it and
// every connect is allowed again. A marker file records that enforcement is
// on (written at start, touched while running, removed on a clean exit), so
// the next agent can say loudly that the host ran unprotected and since when.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace sockwarden {

struct EnforcementGap {
  uint32_t previous_pid = 0;
  uint64_t last_alive_realtime_ns = 0;  // the marker's mtime
};

// Field 22 of PROC_ROOT/PID/stat (start time in clock ticks since boot), 0 if
// unreadable. With the pid it names one process for the life of a boot.
uint64_t process_start_time(const std::string& proc_root, uint32_t pid);

class EnforcementMarker {
 public:
  // name: "enforcing" (--enforce), or "running" for the monitor-mode marker
  // that lets the next start report a gap in monitoring (agent-gap).
  explicit EnforcementMarker(std::string state_dir, const std::string& name = "enforcing",
                             std::string proc_root = "/proc");
  // Reads a marker a previous agent left behind (nullopt if none), then
  // writes ours. Throws std::runtime_error when the state dir is unusable.
  std::optional<EnforcementGap> claim();
  void touch();   // "still enforcing"
  void remove();  // clean exit
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_, proc_root_;
};

}  // namespace sockwarden

// Converts kernel CLOCK_BOOTTIME timestamps (bpf_ktime_get_boot_ns()) to wall-clock time.
#pragma once
#include <cstdint>
#include <string>

namespace sockwarden {

class BootClock {
 public:
  // Measures offset = CLOCK_REALTIME - CLOCK_BOOTTIME once. Measured once on
  // purpose: re-measuring per event would let NTP steps reorder events in the
  // output; a long-running agent can construct a new BootClock to resync.
  BootClock();
  // Fixed offset, for tests and for replaying recorded events.
  explicit BootClock(int64_t offset_ns) : offset_ns_(offset_ns) {}

  // Wall-clock ns since the epoch; clamps at 0 rather than wrapping.
  uint64_t to_realtime(uint64_t boot_ns) const;
  int64_t offset_ns() const { return offset_ns_; }

 private:
  int64_t offset_ns_ = 0;
};

// "2026-11-22T22:46:37.123456789Z": UTC, always nine fractional digits.
std::string rfc3339_utc(uint64_t realtime_ns);
// The same, appended to out.
void append_rfc3339_utc(std::string& out, uint64_t realtime_ns);
// The same into out[0, kRfc3339Length) (the JSON writer's way: no string to grow).
inline constexpr size_t kRfc3339Length = 30;
void write_rfc3339_utc(char* out, uint64_t realtime_ns);

}  // namespace sockwarden

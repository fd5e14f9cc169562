// Wall-clock time for agent events (lost, gaps, lifecycle): CLOCK_REALTIME in ns.
#pragma once
#include <time.h>

#include <cstdint>

namespace sockwarden {

inline uint64_t now_realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + ts.tv_nsec;
}

}  // namespace sockwarden

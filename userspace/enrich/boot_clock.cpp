#include "enrich/boot_clock.h"

#include <algorithm>

#include <time.h>

#include <cstdio>
#include <limits>

namespace sockwarden {
namespace {

constexpr uint64_t kNsPerSec = 1'000'000'000ULL;

int64_t now_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * static_cast<int64_t>(kNsPerSec) + ts.tv_nsec;
}

}  // namespace

// The two clocks cannot be read atomically. Bracketing one REALTIME read with
// two BOOTTIME reads bounds the error by the bracket's width; of a few samples
// the narrowest bracket (least preemption) wins.
BootClock::BootClock() {
  int64_t best_width = std::numeric_limits<int64_t>::max();
  for (int i = 0; i < 8; ++i) {
    int64_t b1 = now_ns(CLOCK_BOOTTIME);
    int64_t r = now_ns(CLOCK_REALTIME);
    int64_t b2 = now_ns(CLOCK_BOOTTIME);
    if (b2 - b1 < best_width) {
      best_width = b2 - b1;
      offset_ns_ = r - (b1 + (b2 - b1) / 2);
    }
  }
}

uint64_t BootClock::to_realtime(uint64_t boot_ns) const {
  if (offset_ns_ < 0) {
    uint64_t back = 0 - static_cast<uint64_t>(offset_ns_);  // unsigned negation: no overflow at INT64_MIN
    return boot_ns > back ? boot_ns - back : 0;
  }
  uint64_t fwd = static_cast<uint64_t>(offset_ns_);
  if (boot_ns > std::numeric_limits<uint64_t>::max() - fwd) return std::numeric_limits<uint64_t>::max();
  return boot_ns + fwd;
}

std::string rfc3339_utc(uint64_t realtime_ns) {
  std::string out;
  append_rfc3339_utc(out, realtime_ns);
  return out;
}

void append_rfc3339_utc(std::string& out, uint64_t realtime_ns) {
  time_t secs = static_cast<time_t>(realtime_ns / kNsPerSec);
  unsigned long frac = static_cast<unsigned long>(realtime_ns % kNsPerSec);
  // Events come in bursts within the same second: gmtime + snprintf of the
  // date and time once per second, only the nanoseconds per event. Two
  // entries: an event line writes its own time and its process's start time,
  // which would evict each other from one.
  struct Entry {
    time_t secs = -1;
    char text[64];  // "YYYY-MM-DDTHH:MM:SS"
    size_t len = 0;
  };
  thread_local Entry cache[2];
  thread_local unsigned next = 0;
  Entry* e = cache[0].secs == secs ? &cache[0] : cache[1].secs == secs ? &cache[1] : nullptr;
  if (!e) {
    e = &cache[next];
    next ^= 1;
    tm t{};
    gmtime_r(&secs, &t);
    int n = std::snprintf(e->text, sizeof e->text, "%04d-%02d-%02dT%02d:%02d:%02d", t.tm_year + 1900,
                          t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec);
    e->len = n > 0 ? std::min(static_cast<size_t>(n), sizeof e->text - 1) : 0;
    e->secs = secs;
  }
  out.append(e->text, e->len);
  char ns[11] = {'.', '0', '0', '0', '0', '0', '0', '0', '0', '0', 'Z'};
  for (int i = 9; i >= 1 && frac; i--, frac /= 10) ns[i] = static_cast<char>('0' + frac % 10);
  out.append(ns, sizeof ns);
}

}  // namespace sockwarden

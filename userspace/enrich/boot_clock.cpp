#include "enrich/boot_clock.h"

#include <time.h>

#include <cstring>
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
  char text[kRfc3339Length];
  write_rfc3339_utc(text, realtime_ns);
  out.append(text, sizeof text);
}

void write_rfc3339_utc(char* out, uint64_t realtime_ns) {
  time_t secs = static_cast<time_t>(realtime_ns / kNsPerSec);
  unsigned long frac = static_cast<unsigned long>(realtime_ns % kNsPerSec);
  // Events come in bursts within the same second: gmtime of the date and
  // time once per second, only the nanoseconds per event. Four entries: a
  // line may write its own time, its process's start time and a request's
  // start and end, which evicted each other from two (issue 18's profile:
  // gmtime + snprintf on most lines of the watched request loop).
  struct Entry {
    time_t secs = -1;
    char text[20];  // "YYYY-MM-DDTHH:MM:SS"
  };
  constexpr unsigned kEntries = 4;
  thread_local Entry cache[kEntries];
  thread_local unsigned next = 0;
  Entry* e = nullptr;
  for (auto& c : cache)
    if (c.secs == secs) e = &c;
  if (!e) {
    e = &cache[next];
    next = (next + 1) % kEntries;
    tm t{};
    gmtime_r(&secs, &t);
    // 64-bit nanoseconds end in the year 2554: four digits always suffice.
    const int year = t.tm_year + 1900;
    auto two = [](char* at, int v) {
      at[0] = static_cast<char>('0' + v / 10);
      at[1] = static_cast<char>('0' + v % 10);
    };
    char* o = e->text;
    two(o, year / 100), two(o + 2, year % 100);
    o[4] = '-', two(o + 5, t.tm_mon + 1), o[7] = '-', two(o + 8, t.tm_mday);
    o[10] = 'T', two(o + 11, t.tm_hour), o[13] = ':', two(o + 14, t.tm_min), o[16] = ':', two(o + 17, t.tm_sec);
    e->secs = secs;
  }
  std::memcpy(out, e->text, 19);
  char* ns = out + 19;  // ".NNNNNNNNNZ"
  std::memcpy(ns, ".000000000Z", 11);
  for (int i = 9; i >= 1 && frac; i--, frac /= 10) ns[i] = static_cast<char>('0' + frac % 10);
}

}  // namespace sockwarden

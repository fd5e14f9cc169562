#include "enrich/boot_clock.h"

#include <gtest/gtest.h>
#include <time.h>

#include <cstdlib>
#include <limits>

namespace sockwarden {
namespace {

int64_t clock_ns(clockid_t c) {
  timespec ts{};
  clock_gettime(c, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000LL + ts.tv_nsec;
}

TEST(BootClock, ConvertsNowToNow) {
  BootClock clock;
  int64_t boot = clock_ns(CLOCK_BOOTTIME);
  int64_t real = clock_ns(CLOCK_REALTIME);
  int64_t converted = static_cast<int64_t>(clock.to_realtime(static_cast<uint64_t>(boot)));
  EXPECT_LT(std::llabs(converted - real), 50'000'000LL) << "off by " << (converted - real) << " ns";
  // The offset is the boot moment on the wall clock: after 2020, before now.
  EXPECT_GT(clock.offset_ns(), 1'577'836'800LL * 1'000'000'000LL);
  EXPECT_LT(clock.offset_ns(), real);
}

TEST(BootClock, IsMonotoneAndLinear) {
  BootClock clock;
  uint64_t prev = 0;
  for (uint64_t b = 1'000; b < 1'000'000'000'000ULL; b *= 7) {
    uint64_t r = clock.to_realtime(b);
    EXPECT_GT(r, prev);
    EXPECT_EQ(r - b, static_cast<uint64_t>(clock.offset_ns()));
    prev = r;
  }
}

TEST(BootClock, FixedOffsetAndClamping) {
  EXPECT_EQ(BootClock(1000).to_realtime(5), 1005u);
  EXPECT_EQ(BootClock(-10).to_realtime(25), 15u);
  EXPECT_EQ(BootClock(-10).to_realtime(5), 0u);  // clamps instead of wrapping
  EXPECT_EQ(BootClock(std::numeric_limits<int64_t>::min()).to_realtime(1), 0u);
  EXPECT_EQ(BootClock(10).to_realtime(std::numeric_limits<uint64_t>::max() - 1),
            std::numeric_limits<uint64_t>::max());
}

TEST(Rfc3339, FormatsFixedValues) {
  EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(rfc3339_utc(1), "1970-01-01T00:00:00.000000001Z");
  EXPECT_EQ(rfc3339_utc(999'999'999), "1970-01-01T00:00:00.999999999Z");
  EXPECT_EQ(rfc3339_utc(1'234'567'890'123'456'789ULL), "2009-02-13T23:31:30.123456789Z");
  EXPECT_EQ(rfc3339_utc(951'782'400'000'000'000ULL), "2000-02-29T00:00:00.000000000Z");  // leap day
  EXPECT_EQ(rfc3339_utc(1'795'380'397'123'456'789ULL), "2026-11-22T20:46:37.123456789Z");
  EXPECT_EQ(rfc3339_utc(1'795'391'999'000'000'010ULL), "2026-11-22T23:59:59.000000010Z");
}

TEST(Rfc3339, IgnoresLocalTimeZone) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", "IST-5:30", 1);  // POSIX TZ, +05:30: would shift hours and minutes
  tzset();
  std::string s = rfc3339_utc(1'234'567'890'000'000'000ULL);
  if (old) setenv("TZ", saved.c_str(), 1); else unsetenv("TZ");
  tzset();
  EXPECT_EQ(s, "2009-02-13T23:31:30.000000000Z");
}

}  // namespace
}  // namespace sockwarden

#include "decode/connect_correlator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "events.h"

using namespace std::chrono_literals;

namespace sockwarden {
namespace {

using Clock = ConnectCorrelator::Clock;

RawEvent attempt(uint64_t client_ino, const std::string& path = "/var/run/docker.sock", uint32_t tgid = 100) {
  RawEvent e;
  e.kind = EventKind::ConnectAttempt;
  e.tier = SW_TIER_SOCKET_TP;
  e.tgid = tgid;
  e.pid = tgid;
  e.client_sock_ino = client_ino;
  e.payload = path;
  return e;
}

RawEvent connect_ok(uint64_t client_ino, uint32_t watch_id = 7) {
  RawEvent e;
  e.kind = EventKind::Connect;
  e.tier = SW_TIER_SOCKET_TP;
  e.tgid = 100;
  e.pid = 100;
  e.client_sock_ino = client_ino;
  e.watch_id = watch_id;
  e.sock_ino = 555;
  return e;
}

// A resolver that maps known paths to watch ids (filling sock_ino/sock_dev as
// the real one does) and counts its calls.
struct FakeResolver {
  std::map<std::string, uint32_t> ids{{"/var/run/docker.sock", 7}, {"/run/containerd/containerd.sock", 9}};
  int calls = 0;
  ConnectCorrelator::Resolver fn() {
    return [this](RawEvent& a) -> std::optional<uint32_t> {
      calls++;
      auto it = ids.find(a.payload);
      if (it == ids.end()) return std::nullopt;
      a.sock_ino = 1000 + it->second;
      a.sock_dev = 0xfe00000;
      return it->second;
    };
  }
};

class CorrelatorTest : public ::testing::Test {
 protected:
  FakeResolver resolver;
  Clock::time_point t0 = Clock::time_point{} + 1h;  // any fixed point: the correlator only compares
};

TEST_F(CorrelatorTest, AttemptThenConnectGivesOneSuccessAndNothingOnExpire) {
  ConnectCorrelator c(resolver.fn(), 1000ms);
  EXPECT_TRUE(c.feed(attempt(42), t0).empty());
  EXPECT_EQ(c.pending(), 1u);
  auto out = c.feed(connect_ok(42), t0 + 10ms);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].success);
  EXPECT_EQ(out[0].ev.kind, EventKind::Connect);
  EXPECT_EQ(out[0].ev.client_sock_ino, 42u);
  EXPECT_EQ(out[0].ev.watch_id, 7u);
  EXPECT_EQ(c.pending(), 0u);
  EXPECT_TRUE(c.expire(t0 + 1h).empty());
  EXPECT_TRUE(c.flush().empty());
}

TEST_F(CorrelatorTest, ConnectOnlyClearsItsOwnAttempt) {
  ConnectCorrelator c(resolver.fn(), 1000ms);
  EXPECT_TRUE(c.feed(attempt(42), t0).empty());
  EXPECT_TRUE(c.feed(attempt(43, "/run/containerd/containerd.sock"), t0).empty());
  ASSERT_EQ(c.feed(connect_ok(42), t0 + 1ms).size(), 1u);
  auto out = c.expire(t0 + 1000ms);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].success);
  EXPECT_EQ(out[0].ev.client_sock_ino, 43u);
  EXPECT_EQ(out[0].ev.watch_id, 9u);
}

// The daemon accepted the embryo before the listener hook could name the
// caller's socket: the same thread's attempt is the one that succeeded.
TEST_F(CorrelatorTest, ConnectWithoutSocketPairsTheSameThreadsAttempt) {
  ConnectCorrelator c(resolver.fn(), 1000ms);
  auto a = attempt(42);
  a.fd = 5;
  EXPECT_TRUE(c.feed(std::move(a), t0).empty());
  auto ok = connect_ok(0);
  ok.fd = -1;
  auto out = c.feed(std::move(ok), t0 + 1ms);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].success);
  EXPECT_EQ(out[0].ev.client_sock_ino, 42u);
  EXPECT_EQ(out[0].ev.fd, 5);
  EXPECT_EQ(c.pending(), 0u);
  EXPECT_TRUE(c.expire(t0 + 1h).empty());
}

TEST_F(CorrelatorTest, LoneAttemptBecomesFailureOnlyAfterWindow) {
  ConnectCorrelator c(resolver.fn(), 500ms);
  EXPECT_TRUE(c.feed(attempt(42), t0).empty());
  EXPECT_EQ(resolver.calls, 0);  // not until the end of the batch
  c.settle();
  EXPECT_EQ(resolver.calls, 1);
  EXPECT_TRUE(c.expire(t0).empty());
  EXPECT_TRUE(c.expire(t0 + 499ms).empty());
  EXPECT_EQ(c.pending(), 1u);
  auto out = c.expire(t0 + 500ms);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].success);
  EXPECT_EQ(out[0].ev.kind, EventKind::ConnectAttempt);
  EXPECT_EQ(out[0].ev.watch_id, 7u);       // set from the resolver
  EXPECT_EQ(out[0].ev.sock_ino, 1007u);    // the resolver's fill-in is kept
  EXPECT_EQ(out[0].ev.sock_dev, 0xfe00000u);
  EXPECT_EQ(out[0].ev.payload, "/var/run/docker.sock");
  EXPECT_EQ(c.pending(), 0u);
  // Reported once.
  EXPECT_TRUE(c.expire(t0 + 10s).empty());
  EXPECT_TRUE(c.flush().empty());
  // The resolver runs once, at the end of the batch the attempt arrived in.
  EXPECT_EQ(resolver.calls, 1);
}

// The success record of a connect comes in the same read batch as its
// attempt: the attempt's path is never looked up (the 2-3 syscalls of a
// lookup in the caller's root were ~15% of the agent's CPU per watched request).
TEST_F(CorrelatorTest, AttemptWhoseSuccessCameInTheSameBatchIsNeverResolved) {
  ConnectCorrelator c(resolver.fn(), 1000ms);
  for (uint64_t sock = 1; sock <= 100; sock++) {
    EXPECT_TRUE(c.feed(attempt(sock), t0).empty());
    ASSERT_EQ(c.feed(connect_ok(sock), t0).size(), 1u);
  }
  c.settle();
  EXPECT_EQ(resolver.calls, 0);
  EXPECT_EQ(c.pending(), 0u);
}

// settle() drops what names no watched socket and keeps the rest resolved.
TEST_F(CorrelatorTest, SettleResolvesEachWaitingAttemptOnce) {
  ConnectCorrelator c(resolver.fn(), 1000ms);
  c.feed(attempt(1), t0);
  c.feed(attempt(2, "/elsewhere/docker.sock"), t0);
  c.settle();
  EXPECT_EQ(resolver.calls, 2);
  EXPECT_EQ(c.pending(), 1u);
  c.settle();
  EXPECT_EQ(resolver.calls, 2);
  auto out = c.expire(t0 + 1s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ev.watch_id, 7u);
  EXPECT_EQ(resolver.calls, 2);
}

TEST_F(CorrelatorTest, LateConnectAfterExpiryIsStillASuccess) {
  ConnectCorrelator c(resolver.fn(), 100ms);
  c.feed(attempt(42), t0);
  ASSERT_EQ(c.expire(t0 + 100ms).size(), 1u);
  auto out = c.feed(connect_ok(42), t0 + 150ms);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].success);
}

TEST_F(CorrelatorTest, UnresolvedAttemptIsDropped) {
  ConnectCorrelator c([](RawEvent&) { return std::optional<uint32_t>{}; }, 100ms);
  EXPECT_TRUE(c.feed(attempt(42, "/elsewhere/docker.sock"), t0).empty());
  c.settle();
  EXPECT_EQ(c.pending(), 0u);
  EXPECT_TRUE(c.expire(t0 + 1h).empty());
  EXPECT_TRUE(c.flush().empty());
  EXPECT_EQ(c.overflowed(), 0u);
}

TEST_F(CorrelatorTest, SyscallTierKnownRefusalIsImmediate) {
  ConnectCorrelator c(resolver.fn(), 1000ms);
  auto a = attempt(42, "/run/containerd/containerd.sock");
  a.tier = SW_TIER_SYSCALL_TP;
  a.flags = SW_F_RESULT_KNOWN;
  a.result = -13;
  auto out = c.feed(std::move(a), t0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].success);
  EXPECT_EQ(out[0].ev.result, -13);
  EXPECT_EQ(out[0].ev.watch_id, 9u);
  EXPECT_EQ(out[0].ev.tier, SW_TIER_SYSCALL_TP);
  EXPECT_TRUE(out[0].ev.flags & SW_F_RESULT_KNOWN);
  EXPECT_EQ(c.pending(), 0u);
  EXPECT_TRUE(c.expire(t0 + 1h).empty());
  EXPECT_TRUE(c.flush().empty());
}

TEST_F(CorrelatorTest, SyscallTierKnownSuccessWaitsForItsConnectRecord) {
  ConnectCorrelator c(resolver.fn(), 1000ms);
  auto a = attempt(42);
  a.tier = SW_TIER_SYSCALL_TP;
  a.flags = SW_F_RESULT_KNOWN;
  a.result = 0;
  EXPECT_TRUE(c.feed(std::move(a), t0).empty());
  EXPECT_EQ(c.pending(), 0u);  // not a refusal: never reported as one
  EXPECT_TRUE(c.expire(t0 + 1h).empty());
  ASSERT_EQ(c.feed(connect_ok(42), t0).size(), 1u);
}

TEST_F(CorrelatorTest, FlushReportsPendingAsFailures) {
  ConnectCorrelator c(resolver.fn(), 1000ms);
  c.feed(attempt(1), t0);
  c.feed(attempt(2, "/run/containerd/containerd.sock"), t0);
  c.feed(attempt(3), t0);
  auto out = c.flush();
  ASSERT_EQ(out.size(), 3u);
  std::set<uint64_t> inos;
  for (const auto& r : out) {
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.ev.kind, EventKind::ConnectAttempt);
    inos.insert(r.ev.client_sock_ino);
  }
  EXPECT_EQ(inos, (std::set<uint64_t>{1, 2, 3}));
  EXPECT_EQ(c.pending(), 0u);
  EXPECT_TRUE(c.flush().empty());
  EXPECT_TRUE(c.expire(t0 + 1h).empty());
}

TEST_F(CorrelatorTest, OverflowReportsImmediatelyAndCounts) {
  ConnectCorrelator c(resolver.fn(), 1000ms, 2);
  EXPECT_TRUE(c.feed(attempt(1), t0).empty());
  EXPECT_TRUE(c.feed(attempt(2), t0).empty());
  EXPECT_EQ(c.overflowed(), 0u);
  auto out = c.feed(attempt(3), t0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].success);
  EXPECT_EQ(out[0].ev.client_sock_ino, 3u);
  EXPECT_EQ(out[0].ev.watch_id, 7u);
  EXPECT_EQ(c.overflowed(), 1u);
  EXPECT_EQ(c.pending(), 2u);
  ASSERT_EQ(c.feed(attempt(4), t0).size(), 1u);
  EXPECT_EQ(c.overflowed(), 2u);
  // The table drains, and there is room again.
  EXPECT_EQ(c.expire(t0 + 1s).size(), 2u);
  EXPECT_TRUE(c.feed(attempt(5), t0 + 1s).empty());
  EXPECT_EQ(c.pending(), 1u);
  EXPECT_EQ(c.overflowed(), 2u);
}

TEST_F(CorrelatorTest, ConnectWithoutAttemptIsASuccess) {
  ConnectCorrelator c(resolver.fn(), 1000ms);
  auto out = c.feed(connect_ok(77, 3), t0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].success);
  EXPECT_EQ(out[0].ev.watch_id, 3u);
  EXPECT_EQ(out[0].ev.client_sock_ino, 77u);
  EXPECT_EQ(resolver.calls, 0);  // Connect records already carry their watch
  EXPECT_EQ(c.pending(), 0u);
}

TEST_F(CorrelatorTest, OtherKindsAreIgnored) {
  ConnectCorrelator c(resolver.fn(), 1000ms);
  RawEvent s;
  s.kind = EventKind::Send;
  s.client_sock_ino = 42;
  EXPECT_TRUE(c.feed(std::move(s), t0).empty());
  EXPECT_EQ(c.pending(), 0u);
  EXPECT_EQ(resolver.calls, 0);
}

// A refused connect can be retried on the same socket. When the retry's
// attempt arrives, the earlier attempt got no Connect record: it was refused,
// and must be reported, not silently replaced.
TEST_F(CorrelatorTest, RetryOnSameSocketReportsTheEarlierAttempt) {
  ConnectCorrelator c(resolver.fn(), 1000ms);
  auto first = attempt(42);
  first.ts_boot_ns = 1;
  auto second = attempt(42);
  second.ts_boot_ns = 2;
  std::vector<ConnectResult> all;
  for (auto& r : c.feed(std::move(first), t0)) all.push_back(std::move(r));
  for (auto& r : c.feed(std::move(second), t0 + 5ms)) all.push_back(std::move(r));
  for (auto& r : c.feed(connect_ok(42), t0 + 6ms)) all.push_back(std::move(r));
  for (auto& r : c.flush()) all.push_back(std::move(r));
  ASSERT_EQ(all.size(), 2u);
  int failures = 0, successes = 0;
  for (const auto& r : all) {
    if (r.success) {
      successes++;
    } else {
      failures++;
      EXPECT_EQ(r.ev.ts_boot_ns, 1u);  // the first attempt is the refused one
    }
  }
  EXPECT_EQ(failures, 1);
  EXPECT_EQ(successes, 1);
}

}  // namespace
}  // namespace sockwarden

// trace's reorder buffer (output/reorder_buffer.h).
#include "format/reorder_buffer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sockwarden {
namespace {

using Clock = ReorderBuffer::Clock;
using std::chrono::milliseconds;

Event at(uint64_t ns, const std::string& action) {
  Event e;
  e.realtime_ns = ns;
  e.action = action;
  return e;
}

std::vector<std::string> actions(const std::vector<Event>& v) {
  std::vector<std::string> out;
  for (const auto& e : v) out.push_back(e.action);
  return out;
}

TEST(ReorderBuffer, ARequestCompletedLateGoesBackBeforeLaterRows) {
  // What the agent emits: A's connect, A's request only at its reply, after B's
  // connect (which happened between A's request and A's reply).
  ReorderBuffer b(milliseconds(200));
  auto t0 = Clock::now();
  EXPECT_TRUE(b.push(at(1000, "connect-A"), t0).empty());
  EXPECT_TRUE(b.push(at(3000, "connect-B"), t0 + milliseconds(30)).empty());
  EXPECT_TRUE(b.push(at(2000, "request-A"), t0 + milliseconds(60)).empty());
  EXPECT_TRUE(b.release(t0 + milliseconds(199)).empty());  // nothing is due yet
  // connect-A's hold ended: it goes, and nothing else is due.
  EXPECT_EQ(actions(b.release(t0 + milliseconds(200))), std::vector<std::string>{"connect-A"});
  // connect-B's hold ended: request-A sorts before it and goes with it.
  EXPECT_EQ(actions(b.release(t0 + milliseconds(230))), (std::vector<std::string>{"request-A", "connect-B"}));
  EXPECT_EQ(b.held(), 0u);
  EXPECT_EQ(b.late(), 0u);
}

TEST(ReorderBuffer, EveryEventWaitsAtMostTheHold) {
  ReorderBuffer b(milliseconds(100));
  auto t0 = Clock::now();
  // A steady stream of events each older than the one before it: a rule that
  // waited for "nothing older may still come" would hold them forever.
  for (int i = 0; i < 50; ++i) {
    auto now = t0 + milliseconds(10 * i);
    auto out = b.push(at(1'000'000 - i, "e" + std::to_string(i)), now);
    for (const auto& e : out) {
      int n = std::stoi(e.action.substr(1));
      EXPECT_LE(now - (t0 + milliseconds(10 * n)), milliseconds(100)) << e.action;
    }
  }
  EXPECT_LE(b.held(), 11u);
}

TEST(ReorderBuffer, LateArrivalsAreCountedAndStillPrinted) {
  ReorderBuffer b(milliseconds(100));
  auto t0 = Clock::now();
  b.push(at(5000, "later"), t0);
  EXPECT_EQ(actions(b.release(t0 + milliseconds(100))), std::vector<std::string>{"later"});
  // Completed after its hold could help: printed anyway, counted as late.
  b.push(at(4000, "earlier"), t0 + milliseconds(150));
  EXPECT_EQ(actions(b.release(t0 + milliseconds(250))), std::vector<std::string>{"earlier"});
  EXPECT_EQ(b.late(), 1u);
}

TEST(ReorderBuffer, BoundedInEvents) {
  ReorderBuffer b(milliseconds(60'000), 8);
  auto t0 = Clock::now();
  std::vector<Event> out;
  for (int i = 0; i < 100; ++i)
    for (auto& e : b.push(at(static_cast<uint64_t>(1000 - i), "e"), t0)) out.push_back(std::move(e));
  EXPECT_EQ(b.held(), 8u);
  EXPECT_EQ(out.size(), 92u);
  auto rest = b.drain();
  EXPECT_EQ(rest.size(), 8u);
  EXPECT_EQ(b.held(), 0u);
  // drain is in time order.
  for (size_t i = 1; i < rest.size(); ++i) EXPECT_LE(rest[i - 1].realtime_ns, rest[i].realtime_ns);
}

TEST(ReorderBuffer, EqualTimestampsKeepArrivalOrder) {
  ReorderBuffer b(milliseconds(10));
  auto t0 = Clock::now();
  b.push(at(7, "first"), t0);
  b.push(at(7, "second"), t0);
  b.push(at(7, "third"), t0);
  EXPECT_EQ(actions(b.drain()), (std::vector<std::string>{"first", "second", "third"}));
}

}  // namespace
}  // namespace sockwarden

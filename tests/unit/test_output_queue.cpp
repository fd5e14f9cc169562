// The writer queue's two bounds: records and bytes (issue 18: under a flood of
// large events the record bound alone let the queue hold ~20 MiB).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "sinks/output_queue.h"

namespace sockwarden {
namespace {

OutputRecord record(size_t json_bytes) {
  OutputRecord r;
  r.json = LineText::copy_of(std::string(json_bytes, 'x'));
  return r;
}

TEST(OutputQueue, RefusesPastTheRecordBound) {
  OutputQueue q(3, 1 << 20);
  for (int i = 0; i < 3; i++) EXPECT_TRUE(q.push(record(10)));
  EXPECT_FALSE(q.push(record(10)));
  EXPECT_EQ(q.depth(), 3u);
}

TEST(OutputQueue, RefusesPastTheByteBoundAndCountsWhatLeaves) {
  OutputQueue q(1000, 1000);
  for (int i = 0; i < 9; i++) EXPECT_TRUE(q.push(record(100)));
  EXPECT_EQ(q.bytes(), 900u);
  EXPECT_FALSE(q.push(record(200)));  // 1100 > 1000
  EXPECT_TRUE(q.push(record(100)));   // exactly 1000
  EXPECT_FALSE(q.push(record(1)));
  std::vector<OutputRecord> batch;
  q.pop_batch(std::chrono::milliseconds(0), 4, batch);
  EXPECT_EQ(batch.size(), 4u);
  EXPECT_EQ(q.bytes(), 600u);
  EXPECT_TRUE(q.pop(std::chrono::milliseconds(0)).has_value());
  EXPECT_EQ(q.bytes(), 500u);
  EXPECT_TRUE(q.push(record(500)));
  EXPECT_EQ(q.bytes(), 1000u);
}

TEST(OutputQueue, OneRecordLargerThanTheBoundStillPassesAnEmptyQueue) {
  OutputQueue q(10, 100);
  EXPECT_TRUE(q.push(record(5000)));
  EXPECT_FALSE(q.push(record(1)));
  std::vector<OutputRecord> batch;
  q.pop_batch(std::chrono::milliseconds(0), 10, batch);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_TRUE(q.push(record(1)));
}

TEST(OutputQueue, TheDefaultByteBoundIsEightMiB) {
  OutputQueue q(100000);
  size_t pushed = 0;
  while (q.push(record(1024))) pushed++;
  EXPECT_EQ(pushed, 8192u);
}

// Issue 18: a writer that keeps up used to be woken for every record (a
// futex wake-up and two context switches per event). Now a shallow queue
// waits for the producer's wake() after its batch; a deep one wakes it at once.
TEST(OutputQueue, AShallowQueueWakesTheWriterOnlyOnWake) {
  OutputQueue q(1000);
  std::atomic<bool> got{false};
  std::vector<OutputRecord> batch;
  std::thread writer([&] {
    q.pop_batch(std::chrono::seconds(20), 100, batch);
    got = true;
  });
  while (!q.writer_waiting()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (int i = 0; i < 10; i++) ASSERT_TRUE(q.push(record(10)));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(got.load());  // (only a spurious wake-up could end the wait: it would find the records)
  const auto t0 = std::chrono::steady_clock::now();
  q.wake();
  writer.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(batch.size(), 10u);
}

TEST(OutputQueue, ADeepQueueWakesTheWriterAtOnce) {
  OutputQueue q(10000);
  std::vector<OutputRecord> batch;
  std::thread writer([&] { q.pop_batch(std::chrono::seconds(20), 10000, batch); });
  while (!q.writer_waiting()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < OutputQueue::kWakeRecords; i++) ASSERT_TRUE(q.push(record(10)));
  writer.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_GE(batch.size(), 1u);
}

}  // namespace
}  // namespace sockwarden

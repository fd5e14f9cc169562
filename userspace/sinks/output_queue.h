// A bounded queue between the capture loop and one output's writer thread.
// push never blocks: a slow output must not stall the kernel consumer, so a
// full queue drops and the caller counts it. Full means `capacity` records or
// `max_bytes` of JSON, whichever comes first: under a flood of large events
// the record bound alone let the queue hold ~20 MiB (issue 18's RSS target).
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "sinks/output.h"

namespace sockwarden {

class OutputQueue {
 public:
  static constexpr size_t kDefaultMaxBytes = 8u << 20;
  // A queue this deep wakes a sleeping writer at once; below it, wake() does.
  static constexpr size_t kWakeRecords = 256;

  explicit OutputQueue(size_t capacity, size_t max_bytes = kDefaultMaxBytes)
      : capacity_(capacity), max_bytes_(max_bytes) {}

  bool push(OutputRecord r) {
    bool wake_now;
    const size_t size = bytes_of(r);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_ || items_.size() >= capacity_) return false;
      // (One record larger than the bound still passes an empty queue.)
      if (!items_.empty() && bytes_ + size > max_bytes_) return false;
      items_.push_back(std::move(r));
      bytes_ += size;
      wake_now = writer_waiting_ && (items_.size() >= kWakeRecords || bytes_ >= max_bytes_ / 2);
    }
    // Issue 18's profile: a writer that keeps up sleeps after every record,
    // so waking it on each push into an empty queue cost a futex wake-up and
    // two context switches per event. The producer calls wake() once after
    // each batch it hands over; a deep queue wakes the writer at once; the
    // writer's own timeout (100 ms) bounds a forgotten wake().
    if (wake_now) cv_.notify_one();
    return true;
  }

  // The producer's "that was the batch": wakes a sleeping writer if there is
  // anything for it.
  void wake() {
    bool wake_now;
    {
      std::lock_guard<std::mutex> lock(mu_);
      wake_now = writer_waiting_ && !items_.empty();
    }
    if (wake_now) cv_.notify_one();
  }

  // Waits up to `wait`; nullopt on timeout or when closed and empty.
  std::optional<OutputRecord> pop(std::chrono::milliseconds wait) {
    std::unique_lock<std::mutex> lock(mu_);
    wait_locked(lock, wait);
    if (items_.empty()) return std::nullopt;
    OutputRecord r = std::move(items_.front());
    items_.pop_front();
    bytes_ -= bytes_of(r);
    return r;
  }

  // Waits up to `wait` for a first record, then moves up to `max` queued
  // records into `out` (cleared first). Empty on timeout or when closed and empty.
  void pop_batch(std::chrono::milliseconds wait, size_t max, std::vector<OutputRecord>& out) {
    out.clear();
    std::unique_lock<std::mutex> lock(mu_);
    wait_locked(lock, wait);
    while (!items_.empty() && out.size() < max) {
      bytes_ -= bytes_of(items_.front());
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
  }

  void close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

  bool closed_and_empty() {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_ && items_.empty();
  }

  size_t depth() {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.size();
  }
  size_t bytes() {
    std::lock_guard<std::mutex> lock(mu_);
    return bytes_;
  }
  size_t capacity() const { return capacity_; }
  bool writer_waiting() {
    std::lock_guard<std::mutex> lock(mu_);
    return writer_waiting_;
  }

 private:
  void wait_locked(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds wait) {
    writer_waiting_ = true;
    cv_.wait_for(lock, wait, [&] { return !items_.empty() || closed_; });
    writer_waiting_ = false;
  }
  static size_t bytes_of(const OutputRecord& r) { return (r.json ? r.json->size() : 0) + r.action.size(); }

  const size_t capacity_;
  const size_t max_bytes_;
  size_t bytes_ = 0;
  bool writer_waiting_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<OutputRecord> items_;
  bool closed_ = false;
};

}  // namespace sockwarden

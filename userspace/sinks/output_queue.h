// A bounded queue between the capture loop and one output's writer thread.
// push never blocks: a slow output must not stall the kernel consumer, so a
// full queue drops and the caller counts it.
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
  explicit OutputQueue(size_t capacity) : capacity_(capacity) {}

  bool push(OutputRecord r) {
    bool was_empty;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_ || items_.size() >= capacity_) return false;
      was_empty = items_.empty();
      items_.push_back(std::move(r));
    }
    // The writer only ever waits on an empty queue (its predicate is checked
    // under the lock): waking it for every record of a burst would cost a
    // futex syscall per event.
    if (was_empty) cv_.notify_one();
    return true;
  }

  // Waits up to `wait`; nullopt on timeout or when closed and empty.
  std::optional<OutputRecord> pop(std::chrono::milliseconds wait) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, wait, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    OutputRecord r = std::move(items_.front());
    items_.pop_front();
    return r;
  }

  // Waits up to `wait` for a first record, then moves up to `max` queued
  // records into `out` (cleared first). Empty on timeout or when closed and empty.
  void pop_batch(std::chrono::milliseconds wait, size_t max, std::vector<OutputRecord>& out) {
    out.clear();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, wait, [&] { return !items_.empty() || closed_; });
    while (!items_.empty() && out.size() < max) {
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
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<OutputRecord> items_;
  bool closed_ = false;
};

}  // namespace sockwarden

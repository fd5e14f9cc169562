// One output with its own bounded queue and writer thread, and its counters.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "sinks/output.h"
#include "sinks/output_queue.h"

namespace sockwarden {

struct OutputCounters {
  std::string name;
  uint64_t written = 0;
  uint64_t dropped_queue_full = 0;    // the writer fell behind
  uint64_t dropped_write_failed = 0;  // the destination refused (disk full, no syslog daemon)
  uint64_t dropped_unconfirmed = 0;   // written, then possibly discarded unread (syslog receiver exited)
  size_t queue_depth = 0;
  size_t queue_capacity = 0;
};

class OutputWorker {
 public:
  OutputWorker(std::string name, std::unique_ptr<Output> out, size_t queue_size);
  ~OutputWorker();  // drains what is queued, then joins
  OutputWorker(const OutputWorker&) = delete;
  OutputWorker& operator=(const OutputWorker&) = delete;

  // Never blocks; false (and counted) when the queue is full.
  bool submit(OutputRecord r);
  // The end of a batch of submits: wakes the writer if it sleeps on records.
  void wake() { queue_.wake(); }
  // Stop accepting, write what is queued, join. Idempotent.
  void stop();

  const std::string& name() const { return name_; }
  OutputCounters counters();

 private:
  void loop();
  static constexpr size_t kMaxBatch = 1024;  // records per write_batch
  std::string name_;
  std::unique_ptr<Output> out_;
  OutputQueue queue_;
  std::atomic<uint64_t> written_{0}, dropped_full_{0}, dropped_failed_{0}, unconfirmed_{0};
  std::thread thread_;
};

}  // namespace sockwarden

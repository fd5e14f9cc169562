#include "sinks/output_worker.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>

namespace sockwarden {

OutputWorker::OutputWorker(std::string name, std::unique_ptr<Output> out, size_t queue_size)
    : name_(std::move(name)), out_(std::move(out)), queue_(queue_size) {
  thread_ = std::thread([this] { loop(); });
}

OutputWorker::~OutputWorker() { stop(); }

bool OutputWorker::submit(OutputRecord r) {
  if (queue_.push(std::move(r))) return true;
  dropped_full_++;
  return false;
}

void OutputWorker::stop() {
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

OutputCounters OutputWorker::counters() {
  OutputCounters c;
  c.name = name_;
  c.written = written_.load();
  c.dropped_queue_full = dropped_full_.load();
  c.dropped_write_failed = dropped_failed_.load();
  c.dropped_unconfirmed = unconfirmed_.load();
  c.queue_depth = queue_.depth();
  c.queue_capacity = queue_.capacity();
  return c;
}

void OutputWorker::loop() {
  // Signals (SIGINT/SIGTERM/SIGHUP) belong to the capture loop, whose poll()
  // they must interrupt.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  auto last_idle = std::chrono::steady_clock::now();
  std::vector<OutputRecord> batch;
  while (!queue_.closed_and_empty()) {
    // Whatever queued up while the last batch was written goes out together.
    queue_.pop_batch(std::chrono::milliseconds(100), kMaxBatch, batch);
    if (!batch.empty()) {
      size_t ok = out_->write_batch(batch);
      written_ += ok;
      dropped_failed_ += batch.size() - ok;
    }
    // Written lines let go of their blocks now, not when the next batch comes.
    const bool was_empty = batch.empty();
    batch.clear();
    auto now = std::chrono::steady_clock::now();
    if (was_empty || now - last_idle >= std::chrono::milliseconds(100)) {
      last_idle = now;
      out_->idle();
    }
    unconfirmed_ += out_->take_unconfirmed();
  }
  out_->close();
}

}  // namespace sockwarden
